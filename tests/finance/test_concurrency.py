"""Two people acting on one expense at the same moment (threads on PostgreSQL)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django_scopes import scopes_disabled

from finance import services
from logistics.approvals import ApprovalError
from logistics.models import Membership, Role, Signature
from tests.factories import UserFactory
from tests.finance.conftest import make_funds

ROUNDS = 30


def _race(*calls):
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = [""] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            with scopes_disabled():
                call()
            outcomes[i] = "ok"
        except ApprovalError:
            outcomes[i] = "refused"
        except Exception as exc:
            outcomes[i] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_people_signing_at_once_leave_exactly_one_signature_per_step(world):
    funds = make_funds(world)
    second = UserFactory(username="finance2")
    with scopes_disabled():
        Membership.objects.create(user=second, school=world.school).roles.set(
            [Role.objects.get(code="finance_member")]
        )
    first = world.user("finance")
    for n in range(ROUNDS):
        with scopes_disabled():
            expense = services.expense_create(
                school=world.school,
                actor=world.user("teacher"),
                fund=funds.public,
                category="equipment",
                purpose=f"并发测试{n}",
                amount=Decimal("6000.00"),
                payee="甲公司",
                quote_reason="测试",
            )

        def signer(user, expense=expense):
            return lambda: services.expense_sign(
                school=world.school, actor=user, expense_id=expense.pk, which="expense", step=1
            )

        outcomes = _race(signer(first), signer(second))
        assert sorted(outcomes) == ["ok", "refused"], outcomes
        with scopes_disabled():
            steps = list(
                Signature.objects.filter(
                    approval_id=expense.approval_id, voided_at__isnull=True
                ).values_list("step", flat=True)
            )
        assert sorted(steps) == [0, 1], (n, steps)

        # A double tap: the principal's two POSTs race; one signature, the other a no-op.
        principal = world.user("principal")

        def principal_signs(expense=expense):
            return services.expense_sign(
                school=world.school,
                actor=principal,
                expense_id=expense.pk,
                which="expense",
                step=2,
            )

        outcomes = _race(principal_signs, principal_signs)
        assert "ok" in outcomes and all(o in ("ok", "refused") for o in outcomes), outcomes
        with scopes_disabled():
            steps = sorted(
                Signature.objects.filter(
                    approval_id=expense.approval_id, voided_at__isnull=True
                ).values_list("step", flat=True)
            )
        assert steps == [0, 1, 2], (n, steps)


@pytest.mark.django_db(transaction=True)
def test_last_signatures_landing_at_once_never_overspend_a_budget_line(world):
    """Two requests, each within the line but not both, get their last signature at the
    same moment: the line's lock lets one through and holds the other for the override."""
    from finance.models import BudgetLine, Expense, ExpenseStatus

    funds = make_funds(world)
    principal = world.user("principal")
    for n in range(5):
        with scopes_disabled():
            BudgetLine.objects.filter(fund=funds.public, category="office").update(
                amount=Decimal("10000.00")
            )
            expenses = [
                services.expense_create(
                    school=world.school,
                    actor=world.user(who),
                    fund=funds.public,
                    category="office",
                    purpose=f"办公用品{n}{who}",
                    amount=Decimal("4000.00"),
                    payee="文具店",
                )
                for who in ("teacher", "director")
            ]
            # The line is cut while both wait: room for one of them only.
            BudgetLine.objects.filter(fund=funds.public, category="office").update(
                amount=Decimal("4000.00")
            )

        def last_signature(expense):
            return lambda: services.expense_sign(
                school=world.school, actor=principal, expense_id=expense.pk, which="expense", step=0
            )

        outcomes = _race(*(last_signature(e) for e in expenses))
        assert outcomes == ["ok", "ok"], outcomes
        with scopes_disabled():
            statuses = sorted(
                Expense.objects.filter(pk__in=[e.pk for e in expenses]).values_list(
                    "status", flat=True
                )
            )
            Expense.objects.filter(pk__in=[e.pk for e in expenses]).update(
                status=ExpenseStatus.WITHDRAWN
            )
        assert statuses == [ExpenseStatus.APPROVED, ExpenseStatus.HELD], (n, statuses)
