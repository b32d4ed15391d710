"""Faults: a failure in the middle of a write leaves nothing behind; a crashed worker's task
is run again.

Stopping the shared PostgreSQL under a running server is not tested here: the cluster under
var/ serves every test run on this machine at once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.db import connection
from django.test import Client
from django_scopes import scopes_disabled

from logistics.backups import connection_params, database_url, table_counts
from logistics.models import Approval, AuditEvent, Signature
from logistics.notices.models import Rendering
from tests.finance.conftest import make_funds, request
from tests.notices.helpers import fee_snapshot, published


def _all_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        return table_counts(cursor)


def test_a_request_that_fails_halfway_through_a_signature_keeps_nothing_of_it(
    transactional_db, world, monkeypatch
):
    funds = make_funds(world)
    expense = request(world, funds, who="director", amount="120.00", quotes=[])
    principal = Client(raise_request_exception=False)
    principal.force_login(world.user("principal"))
    before = _all_counts()

    # The signature row is written, then the audit event fails: the request must not leave
    # the signature, the step's move or any row history behind.
    def broken_log(approval, actor, verb, *args, **kwargs):
        if verb == "signed":
            raise RuntimeError("the disk filled up while writing the audit event")

    monkeypatch.setattr("logistics.approvals._log", broken_log)
    response = principal.post(
        f"/s/sdcz/approvals/{expense.approval_id}/act/", {"action": "sign", "step": 0}
    )
    assert response.status_code == 500

    after = _all_counts()
    changed = {t: (before[t], after.get(t)) for t in before if after.get(t) != before[t]}
    assert changed == {}
    with scopes_disabled():
        approval = Approval.objects.get(pk=expense.approval_id)
        assert approval.status == Approval.PENDING and approval.current_step == 0
        assert not Signature.objects.filter(approval=approval).exists()
        assert not AuditEvent.objects.filter(action__endswith=".signed").exists()

    monkeypatch.undo()  # the same POST, now without the fault, signs
    response = principal.post(
        f"/s/sdcz/approvals/{expense.approval_id}/act/", {"action": "sign", "step": 0}
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert Signature.objects.filter(approval_id=expense.approval_id).count() == 1


WORKER_ID = "test-host-worker"


def _start_worker(tmp_path, *args: str) -> subprocess.Popen:
    """The worker as scripts/serve.sh and the systemd unit start it: orphans of its id
    requeued first, then db_worker with that fixed id."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DATABASE_URL=database_url(connection_params("default")),
        MEDIA_ROOT=str(tmp_path / "media"),
        PYTHONUNBUFFERED="1",
    )
    manage = [sys.executable, "manage.py"]
    subprocess.run(
        [*manage, "requeue_orphaned_tasks", "--worker-id", WORKER_ID],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
    )
    return subprocess.Popen(
        [*manage, "db_worker", "--no-startup-delay", "--worker-id", WORKER_ID, *args],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=(tmp_path / "worker.log").open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _rendering(notice) -> Rendering:
    with scopes_disabled():
        return Rendering.objects.get(notice=notice)


def test_a_worker_killed_while_rendering_a_long_pdf_is_retried_and_the_pdf_appears(
    transactional_db, world, tmp_path
):
    notice = published(world, snapshot=fee_snapshot(rows=600))
    worker = _start_worker(tmp_path)
    try:
        deadline = time.monotonic() + 120
        while _rendering(notice).progress < 20:  # the layout has begun
            assert worker.poll() is None, (tmp_path / "worker.log").read_text()
            assert time.monotonic() < deadline, "the worker never started the PDF"
            time.sleep(0.2)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)  # a crash: no chance to clean up
        worker.wait()
    assert _rendering(notice).status != Rendering.DONE

    # The service manager starts the worker again (here in batch mode: it stops when the
    # queue is empty); the stranded task is requeued and run.
    again = _start_worker(tmp_path, "--batch")
    try:
        again.wait(timeout=180)
    finally:
        if again.poll() is None:
            os.killpg(again.pid, signal.SIGKILL)
            again.wait()
    rendering = _rendering(notice)
    assert rendering.status == Rendering.DONE
    assert (tmp_path / "media" / rendering.file.name).read_bytes().startswith(b"%PDF")
