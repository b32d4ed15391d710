"""The expense chain: threshold, signatures, escalation, rules, booking and payment."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django_scopes import scopes_disabled

from finance import services
from finance.models import Category, Expense, ExpenseStatus, PaymentMethod
from logistics.approvals import ApprovalError
from logistics.models import Approval, AuditEvent, Membership, Role, Signature
from tests.factories import UserFactory
from tests.finance.conftest import clean_png, request


def sign(world, expense, who, which="expense", step=None):
    with scopes_disabled():
        expense.refresh_from_db()
        approval = expense.approval if which == "expense" else expense.booking_approval
        approval.refresh_from_db()
        return services.expense_sign(
            school=world.school,
            actor=world.user(who),
            expense_id=expense.pk,
            which=which,
            step=approval.current_step if step is None else step,
        )


def labels(expense):
    with scopes_disabled():
        expense.refresh_from_db()
        return [s["label"] for s in expense.approval.steps]


def signers(approval):
    with scopes_disabled():
        return list(
            Signature.objects.filter(approval=approval, voided_at__isnull=True)
            .order_by("round", "step")
            .values_list("signer__username", flat=True)
        )


def refreshed(expense):
    with scopes_disabled():
        expense.refresh_from_db()
    return expense


def through_booking(world, expense, *, booker="accountant"):
    """Invoice, principal's booking sign-off, booking with a voucher."""
    with scopes_disabled():
        services.expense_submit_invoice(
            school=world.school,
            actor=expense.requested_by,
            expense_id=expense.pk,
            upload=clean_png("发票.png"),
        )
    sign(world, expense, "principal", which="booking")
    with scopes_disabled():
        return services.expense_book(
            school=world.school,
            actor=world.user(booker),
            expense_id=expense.pk,
            voucher_no="记-101",
        )


# ---------------------------------------------------------------- threshold


def test_exactly_5000_yuan_needs_only_the_principal(world, funds):
    expense = request(world, funds, amount="5000.00", quotes=[])
    assert not expense.is_large
    assert labels(expense) == ["校长"]


def test_5000_yuan_and_one_fen_needs_the_full_four_signature_chain(world, funds):
    expense = request(world, funds, amount="5000.01")
    assert expense.is_large
    assert labels(expense) == ["经办人", "理财小组成员", "校长", "中心校长"]
    # The handler signed by filing the request.
    assert signers(refreshed(expense).approval) == ["teacher"]


def test_the_threshold_follows_the_school_setting(world, funds):
    world.school.large_expense_threshold = Decimal("3000.00")
    world.school.save()
    assert request(world, funds, amount="3000.01").is_large
    assert not request(world, funds, amount="3000.00", quotes=[]).is_large


# ---------------------------------------------------------------- the full path


def test_a_large_expense_is_signed_in_order_booked_and_paid(world, funds):
    expense = request(world, funds)
    sign(world, expense, "finance")
    sign(world, expense, "principal")
    assert refreshed(expense).status == ExpenseStatus.PENDING
    sign(world, expense, "central")
    assert refreshed(expense).status == ExpenseStatus.APPROVED
    expense = through_booking(world, expense)
    assert expense.status == ExpenseStatus.BOOKED and expense.voucher_no == "记-101"
    with scopes_disabled():
        paid = services.expense_pay(
            school=world.school,
            actor=world.user("accountant"),
            expense_id=expense.pk,
            method=PaymentMethod.TRANSFER,
        )
    assert paid.status == ExpenseStatus.PAID and not paid.cash_flagged
    assert signers(expense.approval) == ["teacher", "finance", "principal", "central"]
    assert signers(expense.booking_approval) == ["principal"]


def test_steps_cannot_be_skipped(world, funds):
    expense = request(world, funds)
    with pytest.raises(ApprovalError):
        sign(world, expense, "principal", step=2)


def test_a_step_needs_its_role(world, funds):
    expense = request(world, funds)
    with pytest.raises(ApprovalError, match="无权"):
        sign(world, expense, "director")


def test_a_small_expense_is_signed_by_the_principal_and_again_before_booking(world, funds):
    expense = request(world, funds, amount="800.00", quotes=[])
    sign(world, expense, "principal")
    assert refreshed(expense).status == ExpenseStatus.APPROVED
    with scopes_disabled(), pytest.raises(ValidationError, match="校长"):
        services.expense_book(
            school=world.school,
            actor=world.user("accountant"),
            expense_id=expense.pk,
            voucher_no="记-1",
        )
    assert through_booking(world, expense).status == ExpenseStatus.BOOKED


def test_booking_needs_the_booking_capability(world, funds):
    expense = request(world, funds, amount="800.00", quotes=[])
    sign(world, expense, "principal")
    with pytest.raises(PermissionDenied):
        through_booking(world, expense, booker="principal")


def test_the_database_refuses_a_booking_without_both_approved_chains(world, funds):
    expense = request(world, funds, amount="800.00", quotes=[])
    with scopes_disabled(), pytest.raises(IntegrityError), transaction.atomic():
        Expense.objects.filter(pk=expense.pk).update(
            status=ExpenseStatus.BOOKED, voucher_no="X", booked_at="2026-11-25T10:00:00+08:00"
        )


def test_a_repeated_booking_post_is_harmless(world, funds):
    expense = request(world, funds, amount="800.00", quotes=[])
    sign(world, expense, "principal")
    through_booking(world, expense)
    with scopes_disabled():
        again = services.expense_book(
            school=world.school,
            actor=world.user("accountant"),
            expense_id=expense.pk,
            voucher_no="记-101",
        )
    assert again.status == ExpenseStatus.BOOKED


# ---------------------------------------------------------------- one person, one step


def test_one_person_signs_at_most_one_step(world, funds):
    # The principal also holds the finance-team role: they still sign only one step.
    with scopes_disabled():
        m = Membership.objects.get(user=world.user("principal"), school=world.school)
        m.roles.add(Role.objects.get(code="finance_member"))
    expense = request(world, funds)
    sign(world, expense, "principal")  # as finance-team member
    with pytest.raises(ApprovalError, match="另一步"):
        sign(world, expense, "principal")


def test_the_handler_cannot_sign_a_later_step_of_their_own_request(world, funds):
    expense = request(world, funds, who="finance")
    # finance is the only finance-team member: the step goes to the central school.
    assert labels(expense) == ["经办人", "校长", "理财小组成员（中心学校代签）、中心校长"]
    with pytest.raises(ApprovalError):
        sign(world, expense, "finance", step=1)


# ---------------------------------------------------------------- escalation


def test_the_principals_own_small_expense_goes_to_the_central_principal(world, funds):
    expense = request(world, funds, who="principal", amount="300.00", quotes=[])
    assert labels(expense) == ["校长（中心学校代签）"]
    sign(world, expense, "central")
    assert refreshed(expense).status == ExpenseStatus.APPROVED


def test_a_second_finance_member_keeps_the_step_in_the_school(world, funds):
    other = UserFactory(username="finance2")
    with scopes_disabled():
        m = Membership.objects.create(user=other, school=world.school)
        m.roles.set([Role.objects.get(code="finance_member")])
    expense = request(world, funds, who="finance")
    assert labels(expense) == ["经办人", "理财小组成员", "校长", "中心校长"]


def test_the_principals_own_large_expense_is_co_signed_by_the_central_principal(world, funds):
    expense = request(world, funds, who="principal")
    assert labels(expense) == ["经办人", "理财小组成员", "校长（中心学校代签）、中心校长"]
    sign(world, expense, "finance")
    sign(world, expense, "central")
    assert refreshed(expense).status == ExpenseStatus.APPROVED
    with scopes_disabled():
        services.expense_submit_invoice(
            school=world.school,
            actor=world.user("principal"),
            expense_id=expense.pk,
            upload=clean_png(),
        )
        expense.refresh_from_db()
        assert [s["label"] for s in expense.booking_approval.steps] == [
            "校长（下账签字）（中心学校代签）"
        ]


# ---------------------------------------------------------------- return, reject, withdraw


def test_return_to_the_requester_then_resubmit_starts_a_new_round(world, funds):
    expense = request(world, funds)
    sign(world, expense, "finance")
    with scopes_disabled():
        from logistics import approvals

        approvals.approval_return(
            school=world.school,
            actor=world.user("principal"),
            approval_id=expense.approval_id,
            to_step=None,
            comment="请补充报价单",
        )
        services.expense_update(
            school=world.school,
            actor=world.user("teacher"),
            expense_id=expense.pk,
            resubmit=True,
            purpose="购买投影仪（已补充报价）",
        )
        expense.refresh_from_db()
        assert expense.approval.status == Approval.PENDING
        assert expense.approval.round == 2
    assert signers(expense.approval) == ["teacher"]


def test_reject_is_final(world, funds):
    expense = request(world, funds)
    with scopes_disabled():
        from logistics import approvals

        approvals.approval_reject(
            school=world.school,
            actor=world.user("finance"),
            approval_id=expense.approval_id,
            reason="不必要的采购",
        )
    assert refreshed(expense).status == ExpenseStatus.REJECTED
    with pytest.raises(ApprovalError):
        sign(world, expense, "principal")


def test_the_requester_withdraws_before_anyone_else_signs(world, funds):
    expense = request(world, funds)
    with scopes_disabled():
        from logistics import approvals

        approvals.approval_withdraw(
            school=world.school, actor=world.user("teacher"), approval_id=expense.approval_id
        )
    assert refreshed(expense).status == ExpenseStatus.WITHDRAWN


def test_withdrawal_is_refused_after_another_signature(world, funds):
    expense = request(world, funds)
    sign(world, expense, "finance")
    with scopes_disabled(), pytest.raises(ApprovalError):
        from logistics import approvals

        approvals.approval_withdraw(
            school=world.school, actor=world.user("teacher"), approval_id=expense.approval_id
        )


# ---------------------------------------------------------------- voiding on edit


def test_changing_the_amount_after_signatures_voids_them_and_restarts_visibly(world, funds):
    expense = request(world, funds)
    sign(world, expense, "finance")
    sign(world, expense, "principal")
    with scopes_disabled():
        services.expense_update(
            school=world.school,
            actor=world.user("teacher"),
            expense_id=expense.pk,
            amount=Decimal("6500.00"),
        )
        expense.refresh_from_db()
        voided = Signature.objects.filter(approval=expense.approval, voided_at__isnull=False)
        assert voided.count() == 3 and "金额" in voided.first().void_reason
        assert AuditEvent.objects.filter(action="finance.expense.restarted").exists()
    assert expense.approval.round == 2 and expense.approval.amount == Decimal("6500.00")
    assert signers(expense.approval) == ["teacher"]


def test_changing_the_fund_after_approval_sends_it_back_through_the_chain(world, funds):
    expense = request(world, funds, amount="900.00", quotes=[])
    sign(world, expense, "principal")
    with scopes_disabled():
        services.expense_update(
            school=world.school,
            actor=world.user("teacher"),
            expense_id=expense.pk,
            category=Category.SAFETY,
            fund=funds.earmarked,
        )
    expense = refreshed(expense)
    assert expense.status == ExpenseStatus.PENDING and expense.approval.round == 2


@pytest.mark.parametrize(
    "change", [{"payee": "乙公司"}, {"payment_method": PaymentMethod.CARD}], ids=str
)
def test_changing_the_payee_or_payment_method_after_approval_voids_the_signatures(
    world, funds, change
):
    expense = request(world, funds)
    for who in ("finance", "principal", "central"):
        sign(world, expense, who)
    assert refreshed(expense).status == ExpenseStatus.APPROVED
    with scopes_disabled():
        services.expense_update(
            school=world.school, actor=world.user("teacher"), expense_id=expense.pk, **change
        )
    expense = refreshed(expense)
    assert expense.status == ExpenseStatus.PENDING and expense.approval.round == 2
    assert signers(expense.approval) == ["teacher"]


def test_changing_only_the_purpose_keeps_the_signatures(world, funds):
    expense = request(world, funds)
    sign(world, expense, "finance")
    with scopes_disabled():
        services.expense_update(
            school=world.school,
            actor=world.user("teacher"),
            expense_id=expense.pk,
            purpose="购买投影仪（多媒体教室）",
        )
    assert signers(refreshed(expense).approval) == ["teacher", "finance"]


def test_an_edit_racing_with_booking_is_refused_once_it_holds_the_row_lock(
    world, funds, monkeypatch
):
    """The booking lands between the edit's first read and its row lock: the edit re-checks
    the status under the lock and refuses, instead of restarting a booked expense."""
    expense = request(world, funds, amount="900.00", quotes=[])
    sign(world, expense, "principal")
    with scopes_disabled():
        services.expense_submit_invoice(
            school=world.school,
            actor=world.user("teacher"),
            expense_id=expense.pk,
            upload=clean_png("发票.png"),
        )
    sign(world, expense, "principal", which="booking")
    fund_check = services._check_fund_rule

    def booked_meanwhile(**kwargs):
        services.expense_book(
            school=world.school,
            actor=world.user("accountant"),
            expense_id=expense.pk,
            voucher_no="记-7",
        )
        return fund_check(**kwargs)

    monkeypatch.setattr(services, "_check_fund_rule", booked_meanwhile)
    with scopes_disabled(), pytest.raises(ValidationError, match="已不能修改"):
        services.expense_update(
            school=world.school,
            actor=world.user("teacher"),
            expense_id=expense.pk,
            category=Category.OFFICE,
        )
    expense = refreshed(expense)
    assert expense.status == ExpenseStatus.BOOKED and expense.category == Category.EQUIPMENT


# ---------------------------------------------------------------- funds that cannot be misspent


def test_meal_fees_cannot_pay_for_equipment_and_the_attempt_is_logged(world, funds):
    with pytest.raises(ValidationError, match="伙食费"):
        request(
            world,
            funds,
            fund=funds.meal,
            category=Category.EQUIPMENT,
            amount="800.00",
            quotes=[],
            purpose="购买办公桌",
        )
    with scopes_disabled():
        assert not Expense.objects.exists()
        event = AuditEvent.objects.get(action="finance.expense.refused")
    assert "办公桌" in event.summary and event.data["fund_kind"] == "meal"


def test_meal_fees_pay_for_food(world, funds):
    expense = request(
        world, funds, fund=funds.meal, category=Category.FOOD, amount="800.00", quotes=[]
    )
    assert expense.status == ExpenseStatus.PENDING


def test_the_database_refuses_a_non_food_expense_on_meal_fees(world, funds):
    expense = request(
        world, funds, fund=funds.meal, category=Category.FOOD, amount="800.00", quotes=[]
    )
    with scopes_disabled(), pytest.raises(IntegrityError, match="meal fees"), transaction.atomic():
        Expense.objects.filter(pk=expense.pk).update(category=Category.EQUIPMENT)


def test_an_earmarked_fund_pays_only_its_categories(world, funds):
    with pytest.raises(ValidationError, match="不得"):
        request(
            world, funds, fund=funds.earmarked, category=Category.OFFICE, amount="800.00", quotes=[]
        )
    assert request(
        world, funds, fund=funds.earmarked, category=Category.SAFETY, amount="800.00", quotes=[]
    ).pk


def test_moving_an_expense_onto_meal_fees_is_refused(world, funds):
    expense = request(world, funds, amount="800.00", quotes=[])
    with scopes_disabled(), pytest.raises(ValidationError):
        services.expense_update(
            school=world.school,
            actor=world.user("teacher"),
            expense_id=expense.pk,
            fund=funds.meal,
        )


# ---------------------------------------------------------------- quotes, cash, budget


def test_a_large_purchase_needs_three_quotes_or_a_reason(world, funds):
    with pytest.raises(ValidationError, match="报价"):
        request(world, funds, quotes=[])
    expense = request(world, funds, quotes=[], quote_reason="独家供应的专用设备")
    assert expense.is_large


def test_cash_above_the_limit_needs_a_reason_and_is_flagged(world, funds):
    with pytest.raises(ValidationError, match="现金"):
        request(world, funds, amount="800.00", quotes=[], payment_method=PaymentMethod.CASH)
    expense = request(
        world,
        funds,
        amount="800.00",
        quotes=[],
        payment_method=PaymentMethod.CASH,
        cash_reason="供应商只收现金",
    )
    assert expense.cash_flagged
    small = request(world, funds, amount="150.00", quotes=[], payment_method=PaymentMethod.CASH)
    assert not small.cash_flagged


def test_paying_cash_above_the_limit_is_flagged(world, funds):
    expense = request(world, funds, amount="800.00", quotes=[])
    sign(world, expense, "principal")
    through_booking(world, expense)
    with scopes_disabled():
        with pytest.raises(ValidationError):
            services.expense_pay(
                school=world.school,
                actor=world.user("accountant"),
                expense_id=expense.pk,
                method=PaymentMethod.CASH,
            )
        paid = services.expense_pay(
            school=world.school,
            actor=world.user("accountant"),
            expense_id=expense.pk,
            method=PaymentMethod.CASH,
            cash_reason="维修师傅现场收款",
        )
    assert paid.cash_flagged and paid.status == ExpenseStatus.PAID


def test_overspending_a_budget_line_waits_for_the_principals_override(world, funds):
    expense = request(world, funds, amount="250000.00")
    assert expense.status == ExpenseStatus.HELD and expense.approval_id is None
    with scopes_disabled():
        with pytest.raises(PermissionDenied):
            services.expense_budget_override(
                school=world.school,
                actor=world.user("finance"),
                expense_id=expense.pk,
                reason="急需",
            )
        with pytest.raises(ValidationError):
            services.expense_budget_override(
                school=world.school,
                actor=world.user("principal"),
                expense_id=expense.pk,
                reason=" ",
            )
        services.expense_budget_override(
            school=world.school,
            actor=world.user("principal"),
            expense_id=expense.pk,
            reason="校舍安全整改急需",
        )
        assert AuditEvent.objects.filter(action="finance.expense.budget_overridden").exists()
    expense = refreshed(expense)
    assert expense.status == ExpenseStatus.PENDING and expense.override_reason
    assert signers(expense.approval) == ["teacher"]


def test_committed_money_counts_against_the_budget(world, funds):
    first = request(world, funds, amount="150000.00")
    for who in ("finance", "principal", "central"):
        sign(world, first, who)
    with scopes_disabled():
        usage = services.budget_usage(world.school, funds.public, Category.EQUIPMENT)
    assert usage.committed == Decimal("150000.00") and usage.remaining == Decimal("50000.00")
    assert request(world, funds, amount="60000.00").status == ExpenseStatus.HELD


def test_a_school_may_have_small_expenses_co_signed_by_the_finance_team(world, funds):
    from finance.models import FinanceSettings

    with scopes_disabled():
        FinanceSettings.objects.create(
            school=world.school, small_chain=FinanceSettings.FINANCE_AND_PRINCIPAL
        )
    assert labels(request(world, funds, amount="5000.00", quotes=[])) == ["理财小组成员", "校长"]
    assert len(labels(request(world, funds, amount="5000.01"))) == 4


def test_only_the_handler_signs_the_handler_step_again_after_a_return_to_it(world, funds):
    """Kernel Step.user_id: a return to the 经办人 step waits for the handler, not any staff."""
    from logistics import approvals

    expense = request(world, funds)
    sign(world, expense, "finance")
    with scopes_disabled():
        approvals.approval_return(
            school=world.school,
            actor=world.user("principal"),
            approval_id=expense.approval_id,
            to_step=0,
            comment="经办人请核对金额",
        )
    with pytest.raises(ApprovalError, match="无权"):
        sign(world, expense, "director", step=0)
    sign(world, expense, "teacher", step=0)
    assert signers(refreshed(expense).approval) == ["teacher"]


def test_the_sign_button_is_offered_only_to_the_handler_on_the_handler_step(world, funds, login):
    from django.urls import reverse

    from logistics import approvals

    expense = request(world, funds)
    with scopes_disabled():
        approvals.approval_return(
            school=world.school,
            actor=world.user("finance"),
            approval_id=expense.approval_id,
            to_step=0,
            comment="请核对",
        )
    url = reverse("finance:expense_detail", args=[world.school.code, expense.pk])
    director = login("director").get(url).content.decode()
    teacher = login("teacher").get(url).content.decode()
    assert 'value="sign"' not in director and 'value="sign"' in teacher


def test_lowering_a_held_request_within_budget_starts_its_chain(world, funds):
    expense = request(world, funds, amount="250000.00")
    assert expense.status == ExpenseStatus.HELD
    with scopes_disabled():
        services.expense_update(
            school=world.school,
            actor=world.user("teacher"),
            expense_id=expense.pk,
            amount=Decimal("150000.00"),
        )
    expense = refreshed(expense)
    assert expense.status == ExpenseStatus.PENDING and signers(expense.approval) == ["teacher"]


def test_raising_an_approved_request_over_budget_holds_it_again(world, funds):
    expense = request(world, funds)
    for who in ("finance", "principal", "central"):
        sign(world, expense, who)
    with scopes_disabled():
        services.expense_update(
            school=world.school,
            actor=world.user("teacher"),
            expense_id=expense.pk,
            amount=Decimal("260000.00"),
        )
    expense = refreshed(expense)
    assert expense.status == ExpenseStatus.HELD and not expense.override_reason
    # The signatures are void at once, and nobody can sign while the request is held.
    assert signers(expense.approval) == [] and expense.approval.status == Approval.WITHDRAWN
    with scopes_disabled():
        services.expense_budget_override(
            school=world.school,
            actor=world.user("principal"),
            expense_id=expense.pk,
            reason="校舍维修急需",
        )
    expense = refreshed(expense)
    assert expense.status == ExpenseStatus.PENDING
    assert expense.approval.round == 3 and signers(expense.approval) == ["teacher"]
