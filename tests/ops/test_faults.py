"""Faults: what a failure in the middle of a write leaves behind (nothing).

Stopping the shared PostgreSQL under a running server is not tested here: the cluster under
var/ serves every test run on this machine at once.
"""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django_scopes import scopes_disabled

from logistics.backups import table_counts
from logistics.models import Approval, AuditEvent, Signature
from tests.finance.conftest import make_funds, request


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
