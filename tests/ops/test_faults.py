"""Faults: a failure in the middle of a write leaves nothing behind; a crashed worker's task
is run again; the server rides out a database outage.

The outage is staged on a throwaway cluster of the test's own, never the shared one under
var/pgdata, which serves every test run on this machine at once.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
from django.conf import settings
from django.db import connection
from django.test import Client
from django_scopes import scopes_disabled

from logistics.backups import connection_params, database_url, pg_program, table_counts
from logistics.models import Approval, AuditEvent, Signature
from logistics.notices.models import Rendering
from tests.finance.conftest import make_funds, request
from tests.notices.helpers import fee_snapshot, published
from tests.ops.conftest import Browser


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


class PrivateCluster:
    """A throwaway PostgreSQL cluster with its own socket under var/: stopping it disturbs no
    one (the shared cluster serves every test run on this machine)."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="fault-pg-", dir=settings.BASE_DIR / "var"))
        self.socket = self.dir / "run"
        self.socket.mkdir()
        self.as_root = os.geteuid() == 0
        if self.as_root:  # PostgreSQL refuses to run as root
            for path in (self.dir, self.socket):
                shutil.chown(path, "postgres", "postgres")
        self._pg("initdb", "-D", self.dir / "data", "-U", "postgres", "--auth=trust", "-E", "UTF8")

    def _pg(self, program: str, *args) -> None:
        command = [pg_program(program), *map(str, args)]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=180)

    def start(self) -> None:
        options = f"-c listen_addresses='' -k {self.socket} -c fsync=off"
        data, log = self.dir / "data", self.dir / "server.log"
        self._pg("pg_ctl", "-D", data, "-l", log, "-w", "-t", "120", "-o", options, "start")

    def stop(self, mode: str = "fast") -> None:
        self._pg("pg_ctl", "-D", self.dir / "data", "-m", mode, "-w", "-t", "120", "stop")

    def connect(self) -> psycopg.Connection:
        return psycopg.connect(host=str(self.socket), dbname="postgres", user="postgres")

    def remove(self) -> None:
        if (self.dir / "data" / "postmaster.pid").exists():
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


def _health_becomes(browser: Browser, status: int, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if browser.get("/healthz").status == status:
            return True
        time.sleep(0.5)
    return False


def test_health_is_503_while_postgresql_is_down_and_200_again_without_a_restart(start_server):
    cluster = PrivateCluster()
    try:
        cluster.start()
        with cluster.connect() as conn:  # a committed write before the outage
            conn.execute("CREATE TABLE ledger (note text)")
            conn.execute("INSERT INTO ledger VALUES ('committed before the outage')")
        server = start_server(
            DATABASE_URL=f"postgres://postgres@/postgres?host={cluster.socket}", WORKER="false"
        )
        browser = Browser(server.port)
        assert browser.get("/healthz").status == 200

        cluster.stop()
        assert _health_becomes(browser, 503), server.output
        cluster.start()
        assert _health_becomes(browser, 200), server.output

        # The same server throughout: neither it nor any of its two workers was restarted.
        assert server.process.poll() is None
        assert server.output.count("Booting worker") == 2, server.output
        with cluster.connect() as conn:
            rows = conn.execute("SELECT note FROM ledger").fetchall()
        assert rows == [("committed before the outage",)]
    finally:
        cluster.remove()
