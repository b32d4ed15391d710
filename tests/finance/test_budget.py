"""Budget lines: what counts as committed, the re-check at the last signature, the override."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse
from django_scopes import scopes_disabled

from finance import services
from finance.models import BudgetLine, Category, ExpenseStatus, FundKind
from logistics import approvals
from logistics.models import Approval
from tests.finance.conftest import clean_png, png_upload, request
from tests.finance.test_expenses import refreshed, sign, signers


def _set_budget(world, funds, amount: str) -> None:
    with scopes_disabled():
        services.budget_line_set(
            school=world.school,
            actor=world.user("accountant"),
            fund=funds.public,
            category=Category.EQUIPMENT,
            amount=Decimal(amount),
        )


def test_a_request_still_in_its_chain_counts_as_committed(world, funds):
    first = request(world, funds, amount="150000.00")
    assert first.status == ExpenseStatus.PENDING
    with scopes_disabled():
        usage = services.budget_usage(world.school, funds.public, Category.EQUIPMENT)
    assert usage.committed == Decimal("150000.00") and usage.remaining == Decimal("50000.00")
    assert request(world, funds, amount="60000.00").status == ExpenseStatus.HELD


def test_the_last_signature_rechecks_the_budget_and_holds_an_overspending_request(
    world, funds, login
):
    first = request(world, funds, amount="150000.00")
    second = request(world, funds, amount="40000.00")
    assert second.status == ExpenseStatus.PENDING
    _set_budget(world, funds, "170000.00")  # the budget was cut while both wait
    for who in ("finance", "principal", "central"):
        sign(world, first, who)
    assert refreshed(first).status == ExpenseStatus.APPROVED
    for who in ("finance", "principal", "central"):
        sign(world, second, who)
    second = refreshed(second)
    # 150 000 approved + 40 000 > 170 000: the chain is complete but the money waits.
    assert second.status == ExpenseStatus.HELD and second.over_budget
    assert second.approval.status == Approval.APPROVED
    response = login("principal").post(
        reverse("finance:expense_override", args=[world.school.code, second.pk]),
        {"reason": "教室设备急需更换"},
        follow=True,
    )
    assert "申请已获批准" in response.content.decode()
    second = refreshed(second)
    # The override lets the signed request through without asking everyone again.
    assert second.status == ExpenseStatus.APPROVED
    assert signers(second.approval) == ["teacher", "finance", "principal", "central"]


def test_a_request_within_the_budget_is_approved_at_its_last_signature(world, funds):
    expense = request(world, funds, amount="900.00", quotes=[])
    sign(world, expense, "principal")
    assert refreshed(expense).status == ExpenseStatus.APPROVED


def test_the_principals_override_keeps_the_handler_as_the_requester(world, funds):
    expense = request(world, funds, amount="250000.00")
    assert expense.status == ExpenseStatus.HELD and expense.approval_id is None
    with scopes_disabled():
        services.expense_budget_override(
            school=world.school,
            actor=world.user("principal"),
            expense_id=expense.pk,
            reason="校舍安全整改急需",
        )
    expense = refreshed(expense)
    assert expense.approval.requested_by == world.user("teacher")
    assert expense.status == ExpenseStatus.PENDING and signers(expense.approval) == ["teacher"]
    # The handler still withdraws their request (only the requester may).
    with scopes_disabled():
        approvals.approval_withdraw(
            school=world.school, actor=world.user("teacher"), approval_id=expense.approval_id
        )
    assert refreshed(expense).status == ExpenseStatus.WITHDRAWN


def test_a_budget_line_lowered_below_what_is_committed_shows_negative_remaining(world, funds):
    request(world, funds, amount="150000.00")
    _set_budget(world, funds, "100000.00")
    with scopes_disabled():
        line = BudgetLine.objects.get(fund=funds.public, category=Category.EQUIPMENT)
        usage = services.budget_usage(world.school, line.fund, line.category)
    assert usage.remaining == Decimal("-50000.00")


# ---------------------------------------------------------------- a returned booking sign-off


def _returned_booking(world, funds):
    expense = request(world, funds, amount="900.00", quotes=[])
    sign(world, expense, "principal")
    with scopes_disabled():
        services.expense_submit_invoice(
            school=world.school,
            actor=world.user("teacher"),
            expense_id=expense.pk,
            upload=clean_png("发票.png"),
        )
        expense.refresh_from_db()
        approvals.approval_return(
            school=world.school,
            actor=world.user("principal"),
            approval_id=expense.booking_approval_id,
            to_step=None,
            comment="发票抬头写错了",
        )
    return refreshed(expense)


def test_a_returned_booking_sign_off_is_asked_for_again_from_the_page(world, funds, login):
    expense = _returned_booking(world, funds)
    assert expense.status == ExpenseStatus.SIGNOFF
    assert expense.booking_approval.status == Approval.RETURNED
    client = login("teacher")
    page = client.get(reverse("finance:expense_detail", args=[world.school.code, expense.pk]))
    html = page.content.decode()
    assert 'id="invoice-form"' in html and "发票抬头写错了" in html
    response = client.post(
        reverse("finance:expense_invoice", args=[world.school.code, expense.pk]),
        {"invoice": png_upload("发票（更正）.png")},
    )
    assert response.status_code == 302
    expense = refreshed(expense)
    assert expense.booking_approval.status == Approval.PENDING
    with scopes_disabled():
        assert expense.documents.count() == 2  # the corrected invoice beside the first
    sign(world, expense, "principal", which="booking")
    assert refreshed(expense).status == ExpenseStatus.READY


def test_the_invoice_on_file_may_stand_when_the_sign_off_is_asked_for_again(world, funds, login):
    expense = _returned_booking(world, funds)
    response = login("teacher").post(
        reverse("finance:expense_invoice", args=[world.school.code, expense.pk]), {}
    )
    assert response.status_code == 302
    assert refreshed(expense).booking_approval.status == Approval.PENDING


def test_the_fund_list_shows_balances_labels_and_an_overspent_line_in_red(world, funds, login):
    request(world, funds, amount="150000.00")
    _set_budget(world, funds, "100000.00")
    with scopes_disabled():
        services.fund_create(
            school=world.other,
            actor=world.user("principal_xx"),
            year=2026,
            kind=FundKind.PUBLIC,
            name="别校经费",
            amount=Decimal("1.00"),
        )
    url = reverse("finance:fund_list", args=[world.school.code])
    html = login("accountant").get(url).content.decode()
    assert "2026 公用经费" in html and "公用经费</span>" in html  # the kind's label
    # Income 1 000 000, nothing paid, 150 000 committed.
    assert "<strong>结余 ¥850,000.00</strong>" in html
    assert "设备购置</td>" in html
    assert '<td class="text-end text-danger">-50,000.00</td>' in html
    assert "校园安全设施" in html  # the earmarked fund's purpose
    assert "别校经费" not in html
    # A year that cannot be read shows every year, never an error.
    assert login("accountant").get(url + "?year=19x").status_code == 200
