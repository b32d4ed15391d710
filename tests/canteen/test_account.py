"""The canteen's independent account: income typed in, spending from accepted deliveries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from canteen import selectors, services
from canteen.statements import statement_number
from logistics.notices.kinds import get_kind
from logistics.registry import registry
from logistics.services import record_void
from tests.canteen.conftest import TODAY, line

pytestmark = pytest.mark.django_db


@pytest.fixture
def month_with_deliveries(world, kitchen):
    with scopes_disabled():
        args = {
            "school": world.school,
            "actor": world.user("canteen"),
            "date": TODAY(),
            "supplier": kitchen.supplier,
            "inspector": kitchen.manager,
            "second_inspector": kitchen.helper,
        }
        services.receiving_create(
            **args,
            lines=[
                line(quantity=Decimal("100"), unit_price=Decimal("5.00")),
                line(
                    name="白菜",
                    category="vegetables",
                    quantity=Decimal("10"),
                    unit_price=Decimal("3.00"),
                ),
                line(
                    name="烂菜",
                    category="vegetables",
                    quantity=Decimal("10"),
                    unit_price=Decimal("3.00"),
                    accepted=False,
                    disposal="退回",
                ),
            ],
        )
        wrong = services.receiving_create(**args, lines=[line(unit_price=Decimal("9.99"))])
        record_void(
            school=world.school, actor=world.user("canteen"), record=wrong, reason="重复录入"
        )
        services.income_set(
            school=world.school,
            actor=world.user("canteen"),
            month=TODAY(),
            amount=Decimal("1000.00"),
            student_days=100,
        )
    return TODAY().replace(day=1)


def test_spending_is_the_accepted_lines_of_valid_deliveries_and_the_balance_follows(
    world, month_with_deliveries
):
    with scopes_disabled():
        account = selectors.month_account(world.school, month_with_deliveries)
    assert dict(account.by_category) == {"大米": Decimal("500.00"), "蔬菜": Decimal("30.00")}
    assert account.spending == Decimal("530.00")
    assert account.balance == Decimal("470.00")
    assert account.cost_per_student_day == Decimal("5.30")


def test_income_is_corrected_in_place_not_duplicated(world, month_with_deliveries):
    with scopes_disabled():
        services.income_set(
            school=world.school,
            actor=world.user("canteen"),
            month=month_with_deliveries,
            amount=Decimal("1200.00"),
            student_days=120,
        )
        account = selectors.month_account(world.school, month_with_deliveries)
    assert account.income.amount == Decimal("1200.00")
    assert account.cost_per_student_day == Decimal("4.42")


def test_the_supplier_statement_prints_and_finance_finds_it_by_number(
    world, kitchen, month_with_deliveries, login
):
    number = statement_number(kitchen.supplier, month_with_deliveries)
    with scopes_disabled():
        ref = registry.resolve_document(world.school, "canteen.statement", number)
        assert registry.resolve_document(world.other, "canteen.statement", number) is None
        # A month that does not exist names no statement (and is no error).
        no_month = number[:-2] + "13"
        assert registry.resolve_document(world.school, "canteen.statement", no_month) is None
    assert kitchen.supplier.name in ref.title
    client = login("accountant")
    page = client.get(ref.url).content.decode()
    assert "¥530.00" in page
    response = client.get(ref.url, {"format": "pdf"})
    assert response["Content-Type"] == "application/pdf"


def test_the_monthly_financial_statement_notice_lists_income_spending_and_balance(
    world, month_with_deliveries
):
    with scopes_disabled():
        snapshot = get_kind("canteen.finance").build(
            school=world.school, start=month_with_deliveries, end=TODAY()
        )
    amounts = {r["item"]: r["amount"] for r in snapshot.rows}
    assert amounts["伙食费收入"] == Decimal("1000.00")
    assert amounts["结余"] == Decimal("470.00")
    assert amounts["生均日伙食成本"] == Decimal("5.30")


def test_the_account_page_shows_the_month_and_takes_the_income(world, login, kitchen):
    client = login("canteen")
    month = TODAY().strftime("%Y-%m")
    client.post(
        reverse("canteen:income_set", args=[world.school.code, month]),
        {"amount": "800.00", "student_days": "50"},
    )
    page = client.get(reverse("canteen:account", args=[world.school.code])).content.decode()
    assert "¥800.00" in page
