"""No sequence of actions books an expense without the full chain (hypothesis)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django_scopes import scopes_disabled
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from finance import services
from finance.models import Expense, ExpenseStatus, PaymentMethod
from logistics import approvals
from logistics.models import Approval, Signature
from tests.finance.conftest import clean_png, make_funds

PEOPLE = ["teacher", "finance", "principal", "central", "accountant", "director"]
ACTIONS = st.one_of(
    st.tuples(
        st.just("sign"),
        st.sampled_from(PEOPLE),
        st.sampled_from(["expense", "booking"]),
        st.integers(0, 4),
    ),
    st.tuples(
        st.just("return"),
        st.sampled_from(PEOPLE),
        st.sampled_from(["expense", "booking"]),
        st.sampled_from([None, 0, 1, 2]),
    ),
    st.tuples(st.just("reject"), st.sampled_from(PEOPLE), st.sampled_from(["expense", "booking"])),
    st.tuples(st.just("withdraw"), st.sampled_from(PEOPLE)),
    st.tuples(
        st.just("edit"), st.sampled_from(["4000.00", "5000.00", "5000.01", "9000.00", "300000.00"])
    ),
    st.tuples(
        st.just("resubmit"),
    ),
    st.tuples(st.just("invoice"), st.sampled_from(PEOPLE)),
    st.tuples(st.just("book"), st.sampled_from(PEOPLE)),
    st.tuples(st.just("pay"), st.sampled_from(PEOPLE)),
)


HAPPY_PATH = [
    ("sign", "finance", "expense", 1),
    ("sign", "principal", "expense", 2),
    ("sign", "central", "expense", 3),
    ("invoice", "teacher"),
    ("sign", "principal", "booking", 0),
    ("book", "accountant"),
    ("pay", "accountant"),
]


class Rollback(Exception):
    pass


def _run(world, expense_id: int, action: tuple) -> None:
    school = world.school
    expense = Expense.objects.get(pk=expense_id)
    name = action[0]
    if name in ("sign", "return", "reject"):
        approval_id = expense.approval_id if action[2] == "expense" else expense.booking_approval_id
        if approval_id is None:
            return
        common = {"school": school, "actor": world.user(action[1]), "approval_id": approval_id}
        if name == "sign":
            approvals.approval_sign(**common, step=action[3])
        elif name == "return":
            approvals.approval_return(**common, to_step=action[3], comment="请修改")
        else:
            approvals.approval_reject(**common, reason="不同意")
    elif name == "withdraw":
        approvals.approval_withdraw(
            school=school, actor=world.user(action[1]), approval_id=expense.approval_id
        )
    elif name == "edit":
        services.expense_update(
            school=school,
            actor=world.user("teacher"),
            expense_id=expense_id,
            amount=Decimal(action[1]),
        )
    elif name == "resubmit":
        services.expense_update(
            school=school, actor=world.user("teacher"), expense_id=expense_id, resubmit=True
        )
    elif name == "override":
        services.expense_budget_override(
            school=school, actor=world.user(action[1]), expense_id=expense_id, reason="急需"
        )
    elif name == "invoice":
        services.expense_submit_invoice(
            school=school,
            actor=world.user(action[1]),
            expense_id=expense_id,
            upload=clean_png("发票.png"),
        )
    elif name == "book":
        services.expense_book(
            school=school, actor=world.user(action[1]), expense_id=expense_id, voucher_no="记-9"
        )
    elif name == "pay":
        services.expense_pay(
            school=school,
            actor=world.user(action[1]),
            expense_id=expense_id,
            method=PaymentMethod.TRANSFER,
        )


def _fully_signed(approval: Approval) -> bool:
    sigs = list(
        Signature.objects.filter(approval=approval, round=approval.round, voided_at__isnull=True)
    )
    return (
        approval.status == Approval.APPROVED
        and sorted(s.step for s in sigs) == list(range(len(approval.steps)))
        and len({s.signer_id for s in sigs}) == len(sigs)
    )


@pytest.mark.django_db
def test_no_sequence_of_actions_books_an_expense_without_the_full_chain(world):
    funds = make_funds(world)
    seen_booked = []

    @settings(
        max_examples=60,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(st.lists(ACTIONS, min_size=1, max_size=12))
    @example(HAPPY_PATH)
    @example([("edit", "300000.00"), ("override", "principal"), *HAPPY_PATH])
    @example([("edit", "4000.00"), ("sign", "principal", "expense", 0), *HAPPY_PATH[3:]])
    def check(actions):
        try:
            with scopes_disabled(), transaction.atomic():
                expense = services.expense_create(
                    school=world.school,
                    actor=world.user("teacher"),
                    fund=funds.public,
                    category="equipment",
                    purpose="购买投影仪",
                    amount=Decimal("6000.00"),
                    payee="甲公司",
                    quote_reason="仅一家供应",
                )
                for action in actions:
                    try:
                        with transaction.atomic():
                            _run(world, expense.pk, action)
                    except (approvals.ApprovalError, ValidationError, PermissionDenied):
                        pass
                    expense.refresh_from_db()
                    if expense.status in (ExpenseStatus.BOOKED, ExpenseStatus.PAID):
                        seen_booked.append(expense.pk)
                        assert _fully_signed(expense.approval), actions
                        assert _fully_signed(expense.booking_approval), actions
                        large = expense.amount > world.school.large_expense_threshold
                        assert len(expense.approval.steps) == (4 if large else 1)
                raise Rollback
        except Rollback:
            pass

    check()
    assert len(set(seen_booked)) >= 2  # the explicit examples reach the booking
