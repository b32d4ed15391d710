"""Two production servers, one database: nothing lives in a web process.

The same signer, logged in once, signs the same step through both servers at the same moment,
30 times: the session is shared through PostgreSQL, and the approval engine's row lock lets
exactly one signature per step win, with its audit event, every time.
"""

from __future__ import annotations

import threading

from django_scopes import scopes_disabled

from logistics.audit import verify_chain
from logistics.demo import DEMO_PASSWORD
from logistics.models import Approval, AuditEvent, Signature
from tests.finance.conftest import make_funds, request
from tests.ops.conftest import Browser, set_password

ROUNDS = 30


def test_the_same_step_signed_through_two_servers_at_once_is_signed_exactly_once(
    world, start_server
):
    set_password(world.user("principal"), DEMO_PASSWORD)
    funds = make_funds(world)
    expenses = [
        request(world, funds, who="director", amount="120.00", quotes=[], purpose=f"粉笔{n}")
        for n in range(ROUNDS)
    ]
    with scopes_disabled():
        approvals = [Approval.objects.get(pk=e.approval_id) for e in expenses]
    assert all(len(a.steps) == 1 and a.current_step == 0 for a in approvals)

    first = start_server(WORKER="false")
    second = start_server(WORKER="false")
    one = Browser(first.port)
    assert one.login("principal", DEMO_PASSWORD).status == 302
    # The session made by the first server is good on the second: it lives in PostgreSQL.
    two = Browser(second.port)
    two.cookies = dict(one.cookies)
    assert two.get("/s/sdcz/").status == 200

    for approval in approvals:
        statuses: list[int] = []
        barrier = threading.Barrier(2)

        def sign(browser: Browser, pk: int = approval.pk) -> None:
            barrier.wait(timeout=30)
            response = browser.post(f"/s/sdcz/approvals/{pk}/act/", {"action": "sign", "step": 0})
            statuses.append(response.status)

        threads = [threading.Thread(target=sign, args=(b,)) for b in (one, two)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=90)
        assert statuses == [302, 302], statuses

    with scopes_disabled():
        for approval in approvals:
            approval.refresh_from_db()
            signatures = Signature.objects.filter(approval=approval)
            assert signatures.count() == 1
            assert signatures.get().signer == world.user("principal")
            assert approval.status == Approval.APPROVED and approval.current_step == 1
            signed_events = AuditEvent.objects.filter(
                object_type="logistics.approval",
                object_id=str(approval.pk),
                action__endswith=".signed",
            )
            assert signed_events.count() == 1
        # The school's hash chain, appended to by both servers at once, is unbroken.
        assert verify_chain(world.school) is None
