"""A 6,000-yuan request walks the whole chain on a phone: teacher, finance, principal,
central principal, then the invoice, the principal's booking sign-off and the accountant."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django_scopes import scopes_disabled
from PIL import Image

from finance import services
from finance.models import Category, Expense, ExpenseStatus, FundKind
from logistics.models import School

pytestmark = pytest.mark.browser


def _png(path):
    Image.new("RGB", (40, 30), "white").save(path, format="PNG")
    return str(path)


def _switch(phone, username):
    phone.context.clear_cookies()
    phone.login(username)


def _sign_first(phone, home="sdcz"):
    """Two taps from the dashboard: the to-do line, then 签字 on the first card."""
    phone.goto(f"{phone.base_url}/s/{home}/")
    phone.locator("#todos a", has_text="笔支出等待您签字").first.click()  # first tap
    phone.wait_for_load_state()
    card = phone.locator(".todo-expense").first
    assert "¥6,000.00" in card.inner_text() and "经费余额" in card.inner_text()
    assert "甲科技公司 ¥6,000.00" in card.inner_text()  # the quotes
    card.get_by_role("button", name="签字").click()  # second tap
    phone.wait_for_load_state()
    assert "已签字" in phone.locator(".alert").first.inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_6000_yuan_request_is_signed_on_a_phone_and_booked(phone, tmp_path):
    with scopes_disabled():
        school = School.objects.get(code="sdcz")
        accountant = get_user_model().objects.get(username="accountant")
        fund = services.fund_create(
            school=school,
            actor=accountant,
            year=2026,
            kind=FundKind.PUBLIC,
            name="公用经费",
            amount=Decimal("500000.00"),
        )
        services.budget_line_set(
            school=school,
            actor=accountant,
            fund=fund,
            category=Category.EQUIPMENT,
            amount=Decimal("100000.00"),
        )

    phone.login("teacher")
    phone.goto(f"{phone.base_url}/s/sdcz/finance/expenses/new/")
    phone.fill("input[name=purpose]", "购买多媒体投影仪")
    phone.fill("input[name=amount]", "6000")
    phone.select_option("select[name=fund]", str(fund.pk))
    phone.select_option("select[name=category]", "equipment")
    phone.fill("input[name=payee]", "甲科技公司")
    for i, (name, amount) in enumerate(
        [("甲科技公司", "6000"), ("乙公司", "6300"), ("丙公司", "6450")]
    ):
        phone.fill(f"input[name=quote-{i}-supplier]", name)
        phone.fill(f"input[name=quote-{i}-amount]", amount)
    phone.set_input_files("input[name=quote-0-photo]", _png(tmp_path / "报价单.png"))
    phone.get_by_role("button", name="提交申请").click()
    phone.wait_for_load_state()
    assert "等待签字" in phone.locator(".alert").first.inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    for who, home in (("finance", "sdcz"), ("principal", "sdcz"), ("central", "sdzx")):
        _switch(phone, who)
        _sign_first(phone, home)

    with scopes_disabled():
        expense = Expense.objects.get()
        assert expense.status == ExpenseStatus.APPROVED

    _switch(phone, "teacher")
    phone.goto(f"{phone.base_url}/s/sdcz/finance/expenses/{expense.pk}/")
    phone.set_input_files("input[name=invoice]", _png(tmp_path / "发票.png"))
    phone.get_by_role("button", name="上传发票并提交下账签字").click()
    phone.wait_for_load_state()

    _switch(phone, "principal")
    _sign_first(phone)

    _switch(phone, "accountant")
    phone.goto(f"{phone.base_url}/s/sdcz/finance/expenses/{expense.pk}/")
    phone.fill("input[name=voucher_no]", "记-2026-118")
    phone.get_by_role("button", name="下账", exact=True).click()
    phone.wait_for_load_state()
    assert phone.locator("#expense-status").inner_text() == "已下账"
    with scopes_disabled():
        expense.refresh_from_db()
    assert expense.status == ExpenseStatus.BOOKED and expense.voucher_no == "记-2026-118"


@pytest.mark.parametrize("who", ["principal", "accountant"])
def test_finance_pages_fit_a_360_pixel_phone(phone, who):
    from finance.demo import load_finance_demo

    with scopes_disabled():
        load_finance_demo()
        expense = Expense.objects.get(purpose="校园监控系统")
    phone.set_viewport_size({"width": 360, "height": 740})
    phone.login(who)
    pages = [
        "",
        "sign/",
        f"expenses/{expense.pk}/",
        "expenses/new/",
        "funds/",
        "reports/monthly/?month=2022-10",
        "reports/large/?year=2022",
        f"expenses/{expense.pk}/print/",
        "reports/cash/",
    ]
    if who == "accountant":
        pages += ["fees/", "students/", "aid/"]
    for path in pages:
        response = phone.goto(f"{phone.base_url}/s/sdcz/finance/{path}")
        assert response.status == 200, path
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, (path, width)


def test_the_expense_list_is_filtered_from_a_phone(phone):
    from finance.demo import load_finance_demo

    with scopes_disabled():
        load_finance_demo()
    phone.set_viewport_size({"width": 360, "height": 740})
    phone.login("accountant")
    phone.goto(f"{phone.base_url}/s/sdcz/finance/")
    phone.select_option("select[name=category]", "safety")
    phone.get_by_role("button", name="筛选").click()
    phone.wait_for_load_state()
    text = phone.locator(".list-group").inner_text()
    assert "校园监控系统" in text and "食堂烤箱" not in text
    assert "category=safety" in phone.url
    # A stale link's filter that no longer fits is named above the list, which stays whole.
    phone.goto(f"{phone.base_url}/s/sdcz/finance/?category=safety&fund=99999999")
    assert phone.locator("#ignored-filters").inner_text() == "以下筛选条件无效，已忽略： 经费"
    assert "校园监控系统" in phone.locator(".list-group").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
