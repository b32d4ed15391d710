"""The monthly statement of funds on a fixed month with known figures; the year pickers."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from finance import selectors, services
from finance.models import Category, Expense, FundKind, PaymentMethod
from tests.finance.conftest import request
from tests.finance.test_expenses import sign, through_booking


def _paid_on(world, fund, amount, category, day, purpose):
    """An expense through its whole path, paid on `day`."""
    with scopes_disabled():
        expense = services.expense_create(
            school=world.school,
            actor=world.user("teacher"),
            fund=fund,
            category=category,
            purpose=purpose,
            amount=Decimal(amount),
            payee="供应商",
        )
    sign(world, expense, "principal")
    expense = through_booking(world, expense)
    with scopes_disabled():
        services.expense_pay(
            school=world.school,
            actor=world.user("accountant"),
            expense_id=expense.pk,
            method=PaymentMethod.TRANSFER,
        )
        paid_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
        Expense.objects.filter(pk=expense.pk).update(paid_at=paid_at)


def _school_year_2022(world):
    accountant = world.user("accountant")
    with scopes_disabled():
        public = services.fund_create(
            school=world.school,
            actor=accountant,
            year=2022,
            kind=FundKind.PUBLIC,
            name="公用经费",
            amount=Decimal("650000.00"),
        )
        safety = services.fund_create(
            school=world.school,
            actor=accountant,
            year=2022,
            kind=FundKind.EARMARKED,
            name="校园安全专项资金",
            allowed_categories=[Category.SAFETY],
            amount=Decimal("70000.00"),
        )
        services.fund_create(
            school=world.school,
            actor=accountant,
            year=2021,
            kind=FundKind.PUBLIC,
            name="公用经费",
            amount=Decimal("600000.00"),
        )
        for fund, category in (
            (public, Category.EQUIPMENT),
            (public, Category.OFFICE),
            (safety, Category.SAFETY),
        ):
            services.budget_line_set(
                school=world.school,
                actor=accountant,
                fund=fund,
                category=category,
                amount=Decimal("60000.00"),
            )
    _paid_on(world, public, "1000.00", Category.EQUIPMENT, datetime.date(2022, 9, 20), "九月")
    _paid_on(world, public, "2000.00", Category.EQUIPMENT, datetime.date(2022, 10, 5), "十月一")
    _paid_on(world, public, "300.00", Category.OFFICE, datetime.date(2022, 10, 31), "十月二")
    _paid_on(world, safety, "4000.00", Category.SAFETY, datetime.date(2022, 10, 12), "十月三")
    _paid_on(world, public, "500.00", Category.OFFICE, datetime.date(2022, 11, 1), "十一月")
    return public, safety


def _line(lines, fund):
    return next(x for x in lines if x.fund == fund)


def test_the_monthly_statement_of_october_2022_has_known_figures(world):
    public, safety = _school_year_2022(world)
    with scopes_disabled():
        october = selectors.monthly_statement(world.school, 2022, 10)
        september = selectors.monthly_statement(world.school, 2022, 9)
    # Only the funds of the 2022–23 school year (the 2021 fund paid nothing this month).
    assert {x.fund for x in october} == {public, safety}
    line = _line(october, public)
    assert (line.opening, line.income, line.spent, line.closing) == (
        Decimal("649000.00"),  # 650 000 received in September, 1 000 paid then
        Decimal("0.00"),
        Decimal("2300.00"),
        Decimal("646700.00"),
    )
    # In the order of the category list.
    assert [(str(label), amount) for label, amount in line.categories] == [
        ("办公用品", Decimal("300.00")),
        ("设备购置", Decimal("2000.00")),
    ]
    safe = _line(october, safety)
    assert (safe.opening, safe.income, safe.spent, safe.closing) == (
        Decimal("70000.00"),
        Decimal("0.00"),
        Decimal("4000.00"),
        Decimal("66000.00"),
    )
    first = _line(september, public)
    assert (first.opening, first.income, first.spent, first.closing) == (
        Decimal("0.00"),
        Decimal("650000.00"),
        Decimal("1000.00"),
        Decimal("649000.00"),
    )
    assert first.closing == line.opening


def test_the_monthly_statement_page_and_excel_show_the_picked_month(world, login):
    _school_year_2022(world)
    client = login("accountant")
    url = reverse("finance:report_monthly", args=[world.school.code])
    html = client.get(url + "?month=2022-10").content.decode()
    assert 'value="2022-10"' in html and "646,700.00" in html and "2,300.00" in html
    response = client.get(url + "?month=2022-10&format=xlsx")
    ws = load_workbook(io.BytesIO(response.content)).active
    values = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
    assert "期初余额" in values and "期末余额" in values
    assert any("2022年10月" in str(v) for v in values)
    # A month that cannot be read answers with the current month, never an error.
    assert client.get(url + "?month=2022-13").status_code == 200


def test_the_large_and_cash_reports_pick_a_school_year(world, login):
    _school_year_2022(world)
    client = login("accountant")
    for name in ("report_large", "report_cash"):
        url = reverse(f"finance:{name}", args=[world.school.code])
        html = client.get(url + "?year=2022").content.decode()
        assert '<option value="2022" selected>' in html and "2021" in html
        assert "year=2022&amp;format=xlsx" in html
        assert client.get(url + "?year=abc").status_code == 200


def test_the_fund_list_picks_a_school_year(world, login):
    _school_year_2022(world)
    url = reverse("finance:fund_list", args=[world.school.code])
    html = login("accountant").get(url + "?year=2021").content.decode()
    assert "2021 公用经费" in html and "2022 公用经费" not in html
    assert "format=xlsx" not in html


def test_the_large_register_shows_each_signature_in_order_with_the_signers_name(
    world, funds, login
):
    expense = request(world, funds, purpose="购买投影仪")
    for who in ("finance", "principal", "central"):
        sign(world, expense, who)
    through_booking(world, expense)
    teacher = world.user("teacher")
    url = reverse("finance:report_large", args=[world.school.code])
    html = login("accountant").get(url).content.decode()
    row = html[html.index("购买投影仪") :]
    row = row[: row.index("</tr>")]
    name = teacher.get_full_name() or teacher.username
    chain = [
        row.index(f"<div>{label}: ") for label in ("经办人", "理财小组成员", "校长", "中心校长")
    ]
    assert chain == sorted(chain) and f"<div>经办人: {name} " in row
    # The booking sign-off comes after the chain: five signatures in all.
    assert row.count("<div>") == 6 and "已下账" in row and "<div>记-101</div>" in row
    detail = reverse("finance:expense_detail", args=[world.school.code, expense.pk])
    assert "2026 公用经费" in row and f'{detail}">购买投影仪' in html
    response = login("accountant").get(url + "?format=xlsx")
    values = [
        c.value for r in load_workbook(io.BytesIO(response.content)).active.iter_rows() for c in r
    ]
    assert any(str(v).startswith(f"经办人 {name} ") for v in values)
    assert (
        login("principal_xx")
        .get(reverse("finance:report_large", args=[world.other.code]))
        .content.decode()
        .count("购买投影仪")
        == 0
    )


def test_the_cash_report_flags_cash_above_the_limit_and_leaves_out_other_payments(
    world, funds, login
):
    cash = {"quotes": [], "category": Category.OFFICE, "payment_method": PaymentMethod.CASH}
    request(world, funds, amount="800.00", purpose="大额现金", cash_reason="供应商只收现金", **cash)
    request(world, funds, amount="150.00", purpose="零星现金", **cash)
    request(world, funds, amount="150.00", purpose="转账付款", quotes=[], category=Category.OFFICE)
    url = reverse("finance:report_cash", args=[world.school.code])
    html = login("accountant").get(url).content.decode()
    flagged = html[html.index('<tr class="table-danger">') :]
    flagged = flagged[: flagged.index("</tr>")]
    assert "大额现金" in flagged and "供应商只收现金" in flagged and "超限" in flagged
    assert "零星现金" in html and "零星现金" not in flagged and "转账付款" not in html
    assert "待采购前签批" in flagged  # the status label, in Chinese
    response = login("accountant").get(url + "?format=xlsx")
    values = [
        c.value for r in load_workbook(io.BytesIO(response.content)).active.iter_rows() for c in r
    ]
    assert "供应商只收现金" in values and "转账付款" not in values
    assert "待采购前签批" in values
    assert login("accountant").get(url + "?page=x&year=20x").status_code == 200
    other = reverse("finance:report_cash", args=[world.other.code])
    assert "大额现金" not in login("principal_xx").get(other).content.decode()
