"""The expense list's filters and export, the printed approval form, the expense number
other apps resolve, bad input, and the finance admin."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.admin.sites import site
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from finance import services
from finance.models import BudgetLine, Category, Expense, FeeEntry, Student
from logistics.registry import DocumentRef, registry
from tests.finance.conftest import request
from tests.finance.test_expenses import sign


def _list(client, world, query=""):
    url = reverse("finance:expense_list", args=[world.school.code])
    response = client.get(url + query)
    assert response.status_code == 200
    return response.content.decode()


def test_the_expense_list_filters_by_fund_category_handler_status_and_dates(world, funds, login):
    chalk = request(world, funds, amount="100.00", quotes=[], purpose="粉笔", category="office")
    request(
        world,
        funds,
        who="director",
        amount="300.00",
        quotes=[],
        purpose="灭火器",
        fund=funds.earmarked,
        category=Category.SAFETY,
    )
    sign(world, chalk, "principal")
    with scopes_disabled():
        Expense.objects.filter(pk=chalk.pk).update(
            requested_at=timezone.make_aware(datetime.datetime(2026, 3, 2, 9))
        )
    client = login("accountant")
    both = _list(client, world)
    assert "粉笔" in both and "灭火器" in both
    # The office's word for the button (Django's admin says 过滤器 for the same msgid).
    assert ">筛选</button>" in both
    for query in (
        f"?fund={funds.earmarked.pk}",
        "?category=safety",
        f"?handler={world.user('director').pk}",
        "?status=pending",
        "?start=2026-03-03",
    ):
        html = _list(client, world, query)
        assert "灭火器" in html and "粉笔" not in html, query
    html = _list(client, world, "?start=2026-03-01&end=2026-03-02")
    assert "粉笔" in html and "灭火器" not in html


def test_a_value_that_does_not_fit_a_filter_answers_with_the_list_and_names_it(world, funds, login):
    request(world, funds, amount="100.00", quotes=[], purpose="粉笔", category="office")
    client = login("accountant")
    for query, label in (
        ("?fund=abc", "经费"),
        ("?fund=99999999", "经费"),
        ("?handler=x", "经办人"),
        ("?start=2026-02-30", "申请日期自"),
        ("?status=?", "状态"),
        ("?category=office&fund=1.5", "经费"),
        ("?q=" + "长" * 101, "搜索用途或收款方"),
    ):
        html = _list(client, world, query)
        assert "粉笔" in html, query
        assert f"以下筛选条件无效，已忽略： {label}</p>" in html, query
    assert "已忽略" not in _list(client, world, "?category=office")


def test_another_schools_funds_and_handlers_are_never_offered_nor_filtered_by(world, funds, login):
    request(world, funds, amount="100.00", quotes=[], purpose="粉笔", category="office")
    with scopes_disabled():
        theirs = services.fund_create(
            school=world.other,
            actor=world.user("principal_xx"),
            year=2026,
            kind="public",
            name="别校经费",
            amount=Decimal("50000.00"),
        )
        services.expense_create(
            school=world.other,
            actor=world.user("principal_xx"),
            fund=theirs,
            category=Category.OFFICE,
            purpose="别校的纸",
            amount=Decimal("80.00"),
            payee="丁公司",
            quotes=[],
        )
    html = _list(login("accountant"), world)
    fund_select = html.split('name="fund"')[1].split("</select>")[0]
    handler_select = html.split('name="handler"')[1].split("</select>")[0]
    assert f'value="{funds.public.pk}">2026 公用经费</option>' in fund_select
    assert f'value="{theirs.pk}"' not in fund_select and "别校经费" not in fund_select
    # Only those who filed an expense here: the teacher, not the director nor principal_xx.
    assert f'value="{world.user("teacher").pk}"' in handler_select
    for who in ("principal_xx", "director"):
        assert f'value="{world.user(who).pk}"' not in handler_select, who
    # Asked for anyway (a hand-made link): ignored, and the school's own rows are shown.
    for query in (f"?fund={theirs.pk}", f"?handler={world.user('principal_xx').pk}"):
        html = _list(login("accountant"), world, query)
        assert "粉笔" in html and "别校的纸" not in html and "已忽略" in html, query
    # The other school's list, its queries compiled by the pages above, shows its own rows.
    url = reverse("finance:expense_list", args=[world.other.code])
    other = login("principal_xx").get(url).content.decode()
    assert "别校的纸" in other and "粉笔" not in other and "别校经费" in other


def test_an_expense_row_shows_its_labels_fund_handler_and_day_in_chinese(world, funds, login):
    expense = request(world, funds, amount="100.00", quotes=[], purpose="粉笔", category="office")
    with scopes_disabled():
        # Late in the evening in UTC is the next morning in the school's time zone.
        Expense.objects.filter(pk=expense.pk).update(
            requested_at=datetime.datetime(2026, 3, 1, 17, 30, tzinfo=datetime.UTC)
        )
    html = _list(login("accountant"), world)
    row = html.split(f'/{expense.pk}/">')[1].split("</a>")[0]
    assert "<strong>粉笔</strong>" in row and "¥100.00" in row
    assert f"编号 {expense.pk} · 公用经费 · 办公用品 · 褚老师 · 2026-03-02" in row
    assert ">待采购前签批</span>" in row
    # English works as well.
    client = login("accountant")
    client.cookies["django_language"] = "en"
    row = _list(client, world).split(f'/{expense.pk}/">')[1].split("</a>")[0]
    assert "Office supplies" in row and "Waiting for pre-purchase signatures" in row


def test_the_excel_export_uses_the_same_filters_as_the_list(world, funds, login):
    request(world, funds, amount="100.00", quotes=[], purpose="粉笔", category="office")
    request(world, funds, amount="6000.00", purpose="投影仪")
    client = login("accountant")
    html = _list(client, world, "?category=office")
    assert "category=office&amp;format=xlsx" in html
    url = reverse("finance:expense_list", args=[world.school.code])
    ws = load_workbook(io.BytesIO(client.get(url + "?category=office&format=xlsx").content)).active
    cells = [str(c.value) for row in ws.iter_rows() for c in row]
    assert "粉笔" in cells and "投影仪" not in cells and "经办人" in cells
    chalk = next(
        [c.value for c in row] for row in ws.iter_rows() if any(c.value == "粉笔" for c in row)
    )
    # The page's row (number, day, fund with its year, labels, handler) as typed cells.
    assert chalk[3:9] == ["2026 公用经费", "办公用品", "甲公司", 100, "褚老师", "待采购前签批"]
    assert chalk[1] == datetime.datetime.combine(timezone.localdate(), datetime.time())
    pdf = client.get(url + "?category=office&format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_teacher_filters_only_their_own_requests_and_has_no_handler_filter(world, funds, login):
    request(world, funds, who="director", amount="100.00", quotes=[], purpose="总务的")
    html = _list(login("teacher"), world, f"?handler={world.user('director').pk}")
    assert "总务的" not in html and 'name="handler"' not in html


def test_the_printed_approval_form_lists_the_signers_and_times(world, funds, login):
    expense = request(world, funds, amount="6000.00")
    for who in ("finance", "principal", "central"):
        sign(world, expense, who)
    client = login("director")
    detail = client.get(reverse("finance:expense_detail", args=[world.school.code, expense.pk]))
    assert 'id="print-form"' in detail.content.decode()
    page = client.get(reverse("finance:expense_print", args=[world.school.code, expense.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and "支出审批单" in html and "人民币陆仟元整" in html
    for name in ("褚老师", "钱理财", "王校长", "陈中心"):
        assert name in html
    assert html.count(timezone.localdate().strftime("%Y-%m-%d")) >= 4
    # Printed in Chinese whatever the viewer's language.
    client.cookies["django_language"] = "en"
    assert (
        "经费来源"
        in client.get(
            reverse("finance:expense_print", args=[world.school.code, expense.pk])
        ).content.decode()
    )


def test_another_app_resolves_an_expense_by_its_number(world, funds, login):
    expense = request(world, funds, amount="100.00", quotes=[], purpose="粉笔", category="office")
    with scopes_disabled():
        ref = registry.resolve_document(world.school, "finance.expense", str(expense.pk))
        assert ref == DocumentRef(
            title="粉笔（¥100.00）",
            url=reverse("finance:expense_detail", args=[world.school.code, expense.pk]),
        )
        assert registry.resolve_document(world.other, "finance.expense", str(expense.pk)) is None
        assert registry.resolve_document(world.school, "finance.expense", "记-1") is None
        assert registry.resolve_document(world.school, "finance.expense", "99999999") is None
        # A page's numbers in one query, whatever their number; the unknown ones left out.
        other = request(world, funds, amount="20.00", quotes=[], purpose="墨水", category="office")
        numbers = [str(expense.pk), f" {other.pk} ", "记-1", "99999999", ""]
        with CaptureQueriesContext(connection) as queries:
            refs = registry.resolve_documents(world.school, "finance.expense", numbers)
        assert len(queries) == 1 and set(refs) == {str(expense.pk), str(other.pk)}
        assert refs[str(expense.pk)] == ref
    page = login("teacher").get(ref.url).content.decode()
    assert f'<dd class="col-8" id="expense-number">{expense.pk}</dd>' in page


# ---------------------------------------------------------------- bad input


def test_a_tampered_sign_form_answers_with_a_message_not_python_text(world, funds, login):
    expense = request(world, funds, amount="100.00", quotes=[], category="office")
    url = reverse("finance:expense_sign", args=[world.school.code, expense.pk])
    response = login("principal").post(url, {"which": "expense", "step": "x"}, follow=True)
    html = response.content.decode()
    assert response.status_code == 200 and "invalid literal" not in html and "重新加载" in html


def test_more_quote_forms_than_the_maximum_are_refused(world, funds, login):
    url = reverse("finance:expense_create", args=[world.school.code])
    data = {
        "purpose": "购买投影仪",
        "amount": "6000.00",
        "fund": funds.public.pk,
        "category": "equipment",
        "payee": "甲公司",
        "payment_method": "transfer",
        "quote-TOTAL_FORMS": "7",
        "quote-INITIAL_FORMS": "0",
    }
    for i in range(7):
        data[f"quote-{i}-supplier"] = f"公司{i}"
        data[f"quote-{i}-amount"] = "6000"
    response = login("teacher").post(url, data)
    assert response.status_code == 200 and "6" in response.content.decode()
    with scopes_disabled():
        assert not Expense.objects.exists()


@pytest.mark.parametrize("amount", ["-1.00", "0.001", "NaN", "1e12"])
def test_fee_amounts_are_checked_by_the_service(world, amount):
    with scopes_disabled():
        Student.objects.create(school=world.school, class_name="初一(1)班", name="张三")
        with pytest.raises(services.ValidationError):
            services.fee_item_create(
                school=world.school,
                actor=world.user("accountant"),
                name="作业本费",
                direction="collect",
                term="2026年秋季学期",
                term_end="2027-01-20",
                amount=Decimal(amount),
            )


def test_the_database_refuses_a_negative_fee_amount(world):
    from django.db import IntegrityError, transaction

    with scopes_disabled():
        Student.objects.create(school=world.school, class_name="初一(1)班", name="张三")
        item = services.fee_item_create(
            school=world.school,
            actor=world.user("accountant"),
            name="作业本费",
            direction="collect",
            term="2026年秋季学期",
            term_end="2027-01-20",
            amount=Decimal("20.00"),
        )
        with pytest.raises(IntegrityError), transaction.atomic():
            FeeEntry.objects.filter(item=item).update(amount=Decimal("-5.00"))


def test_a_fee_amount_typed_wrong_gets_a_message(world, login):
    with scopes_disabled():
        Student.objects.create(school=world.school, class_name="初一(1)班", name="张三")
        item = services.fee_item_create(
            school=world.school,
            actor=world.user("accountant"),
            name="作业本费",
            direction="collect",
            term="2026年秋季学期",
            term_end="2027-01-20",
            amount=Decimal("20.00"),
        )
        entry = item.entries.get()
    url = reverse("finance:fee_entry_edit", args=[world.school.code, item.pk, entry.pk])
    response = login("accountant").post(url, {"amount": "-3"}, follow=True)
    assert response.status_code == 200 and "不小于0" in response.content.decode()


# ---------------------------------------------------------------- admin


def test_the_admin_refuses_a_budget_line_under_another_schools_fund(world, funds):
    admin = site._registry[BudgetLine]
    http = RequestFactory().post("/admin/")
    http.user = world.user("admin")
    with scopes_disabled():
        theirs = services.fund_create(
            school=world.other,
            actor=world.user("principal_xx"),
            year=2026,
            kind="public",
            name="公用经费",
            amount=Decimal("1000.00"),
        )
        form_class = admin.get_form(http)
        form = form_class(
            data={
                "school": world.school.pk,
                "fund": theirs.pk,
                "category": Category.OFFICE,
                "amount": "100.00",
            }
        )
        assert not form.is_valid() and "fund" in form.errors
        ours = form_class(
            data={
                "school": world.school.pk,
                "fund": funds.public.pk,
                "category": Category.TRAINING,
                "amount": "100.00",
            }
        )
        assert ours.is_valid(), ours.errors
