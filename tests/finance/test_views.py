"""Finance pages: filing through the form, signing from the to-do, query counts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from finance import services
from finance.models import Category, Expense, ExpenseStatus, Student
from tests.finance.conftest import png_upload, request


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def _small_requests(world, funds, n, who="teacher"):
    for i in range(n):
        request(
            world,
            funds,
            who=who,
            amount="100.00",
            quotes=[],
            purpose=f"粉笔{i}",
            category=Category.OFFICE,
        )


def test_the_teacher_files_a_large_request_with_quote_photos(world, funds, login):
    client = login("teacher")
    url = reverse("finance:expense_create", args=[world.school.code])
    assert "预算" in client.get(url).content.decode()
    data = {
        "purpose": "购买投影仪",
        "amount": "6000.00",
        "fund": funds.public.pk,
        "category": "equipment",
        "payee": "甲公司",
        "payment_method": "transfer",
        "quote-TOTAL_FORMS": "3",
        "quote-INITIAL_FORMS": "0",
        "quote-MIN_NUM_FORMS": "0",
        "quote-MAX_NUM_FORMS": "6",
        "document": png_upload("方案.png"),
    }
    for i, (name, amount) in enumerate(
        [("甲公司", "6000"), ("乙公司", "6200"), ("丙公司", "6300")]
    ):
        data[f"quote-{i}-supplier"] = name
        data[f"quote-{i}-amount"] = amount
        data[f"quote-{i}-photo"] = png_upload()
    response = client.post(url, data)
    assert response.status_code == 302
    with scopes_disabled():
        expense = Expense.objects.get()
        assert expense.quotes.filter(photo__isnull=False).count() == 3
        assert expense.documents.get().attachment.original_name == "方案.png"
        assert expense.approval.current_step == 1


def test_meal_fees_refusal_is_shown_beside_the_category(world, funds, login):
    client = login("teacher")
    url = reverse("finance:expense_create", args=[world.school.code])
    response = client.post(
        url,
        {
            "purpose": "买办公桌",
            "amount": "800",
            "fund": funds.meal.pk,
            "category": "equipment",
            "payee": "家具店",
            "payment_method": "transfer",
            "quote-TOTAL_FORMS": "0",
            "quote-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "学生伙食费只能用于食品原材料" in response.content.decode()


def test_the_principal_signs_from_the_todo_in_one_tap(world, funds, login):
    expense = request(world, funds, amount="800.00", quotes=[])
    client = login("principal")
    dashboard = client.get(reverse("dashboard", args=[world.school.code])).content.decode()
    assert "1 笔支出等待您签字" in dashboard
    todo = client.get(reverse("finance:sign_todo", args=[world.school.code])).content.decode()
    assert "购买投影仪" in todo and "经费余额" in todo
    response = client.post(
        reverse("finance:expense_sign", args=[world.school.code, expense.pk]),
        {"which": "expense", "step": 0, "next": "todo"},
    )
    assert response["Location"].endswith("/finance/sign/")
    with scopes_disabled():
        expense.refresh_from_db()
    assert expense.status == ExpenseStatus.APPROVED


def test_the_to_sign_list_shows_each_signer_their_schools_oldest_ten_and_counts_the_rest(
    world, funds, login
):
    for i in range(12):
        request(world, funds, amount="800.00", quotes=[], purpose=f"待签{i:02d}")
    url = reverse("finance:sign_todo", args=[world.school.code])
    todo = login("principal").get(url).content.decode()
    assert todo.count('class="card mb-3 todo-expense"') == 10
    assert "待签00" in todo and "待签09" in todo and "待签10" not in todo
    assert "之后还有 2 笔等待签字" in todo
    # The same compiled query for another user, step and school in this process.
    assert "没有等待您签批的文件" in login("director").get(url).content.decode()
    other = reverse("finance:sign_todo", args=[world.other.code])
    assert "没有等待您签批的文件" in login("principal_xx").get(other).content.decode()


def test_a_teacher_sees_only_their_own_requests(world, funds, login):
    request(
        world,
        funds,
        who="director",
        amount="100.00",
        quotes=[],
        purpose="总务的申请",
        category=Category.OFFICE,
    )
    mine = request(
        world, funds, amount="100.00", quotes=[], purpose="我的申请", category=Category.OFFICE
    )
    page = login("teacher").get(reverse("finance:expense_list", args=[world.school.code]))
    assert "我的申请" in page.content.decode() and "总务的申请" not in page.content.decode()
    with scopes_disabled():
        theirs = Expense.objects.exclude(pk=mine.pk).get()
    detail = reverse("finance:expense_detail", args=[world.school.code, theirs.pk])
    assert login("teacher").get(detail).status_code == 404


@pytest.mark.parametrize(
    "name,who",
    [
        ("expense_list", "principal"),
        ("sign_todo", "principal"),
        ("fund_list", "accountant"),
        ("report_cash", "accountant"),
        ("report_large", "accountant"),
        ("report_monthly", "accountant"),
    ],
)
def test_list_pages_run_the_same_queries_for_1_and_50_rows(world, funds, login, name, who):
    client = login(who)
    url = reverse(f"finance:{name}", args=[world.school.code])
    kwargs = {"payment_method": "cash"} if name == "report_cash" else {}
    amount = "6000.00" if name == "report_large" else "100.00"
    request(
        world,
        funds,
        amount=amount,
        purpose="一",
        category=Category.OFFICE,
        **({"quotes": []} if amount == "100.00" else {}),
        **kwargs,
    )
    one = _count(client, url)
    for i in range(49):
        request(
            world,
            funds,
            amount=amount,
            purpose=f"多{i}",
            category=Category.OFFICE,
            **({"quotes": []} if amount == "100.00" else {}),
            **kwargs,
        )
    fifty = _count(client, url)
    print(f"{name}: {one} queries")
    assert one == fifty, (name, one, fifty)
    assert one <= 12


def test_the_filtered_expense_list_runs_the_same_queries_for_1_and_50_rows(world, funds, login):
    client = login("accountant")
    query = (
        f"?fund={funds.public.pk}&category=office&handler={world.user('teacher').pk}"
        "&status=pending&start=2020-01-01&end=2099-12-31&q=粉笔"
    )
    url = reverse("finance:expense_list", args=[world.school.code]) + query
    _small_requests(world, funds, 1)
    one = _count(client, url)
    _small_requests(world, funds, 49)
    page = client.get(url).content.decode()
    assert page.count("粉笔") >= 20
    assert _count(client, url) == one
    assert one <= 14


def test_fee_and_aid_lists_run_constant_queries(world, login):
    with scopes_disabled():
        student = Student.objects.create(school=world.school, class_name="初一(1)班", name="张三")
    accountant = world.user("accountant")

    def add(n):
        with scopes_disabled():
            for _ in range(n):
                services.fee_item_create(
                    school=world.school,
                    actor=accountant,
                    name="作业本费",
                    direction="collect",
                    term="2026年秋季学期",
                    term_end="2027-01-20",
                    amount=Decimal("20.00"),
                )
                services.aid_apply(
                    school=world.school,
                    actor=accountant,
                    student=student,
                    year=2026,
                    category="registered",
                    amount=Decimal("500.00"),
                )

    client = login("accountant")
    urls = [reverse(f"finance:{n}", args=[world.school.code]) for n in ("fee_list", "aid_list")]
    add(1)
    one = [_count(client, u) for u in urls]
    add(20)
    assert [_count(client, u) for u in urls] == one


def test_excel_exports_write_formula_like_text_as_text(world, funds, login):
    import io

    from openpyxl import load_workbook

    expense = request(world, funds, purpose='=HYPERLINK("http://evil")', amount="6000.00")
    assert expense.pk
    response = login("accountant").get(
        reverse("finance:report_large", args=[world.school.code]) + "?format=xlsx"
    )
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    cells = [c for row in ws.iter_rows() for c in row if str(c.value).startswith("=HYPERLINK")]
    assert cells and all(c.data_type == "s" for c in cells)


def test_the_detail_page_runs_the_same_queries_with_more_quotes(world, funds, login):
    client = login("principal")
    few = request(world, funds, quotes=[], quote_reason="独家")
    many = request(world, funds)
    counts = [
        _count(client, reverse("finance:expense_detail", args=[world.school.code, e.pk]))
        for e in (few, many)
    ]
    print(f"expense_detail: {counts[0]} queries")
    assert counts[0] == counts[1]


def test_a_restart_shows_the_voided_signatures_on_the_page(world, funds, login):
    expense = request(world, funds)
    with scopes_disabled():
        services.expense_sign(
            school=world.school,
            actor=world.user("finance"),
            expense_id=expense.pk,
            which="expense",
            step=1,
        )
    client = login("teacher")
    url = reverse("finance:expense_edit", args=[world.school.code, expense.pk])
    form = {
        "purpose": expense.purpose,
        "amount": "6800.00",
        "fund": funds.public.pk,
        "category": "equipment",
        "payee": expense.payee,
        "payment_method": "transfer",
        "cash_reason": "",
        "quote_reason": "",
        "quote-TOTAL_FORMS": "0",
        "quote-INITIAL_FORMS": "0",
    }
    assert client.post(url, form).status_code == 302
    page = client.get(reverse("finance:expense_detail", args=[world.school.code, expense.pk]))
    html = page.content.decode()
    assert "已作废的签字（2）" in html and "签字后修改了：金额" in html


def test_a_returned_request_gets_its_missing_quotes_and_goes_back(world, funds, login):
    from logistics import approvals

    expense = request(world, funds, quotes=[], quote_reason="只问到一家")
    with scopes_disabled():
        approvals.approval_return(
            school=world.school,
            actor=world.user("finance"),
            approval_id=expense.approval_id,
            to_step=None,
            comment="请补充三家报价",
        )
    client = login("teacher")
    url = reverse("finance:expense_edit", args=[world.school.code, expense.pk])
    form = {
        "purpose": expense.purpose,
        "amount": "6000.00",
        "fund": funds.public.pk,
        "category": "equipment",
        "payee": expense.payee,
        "payment_method": "transfer",
        "cash_reason": "",
        "quote_reason": "",
        "quote-TOTAL_FORMS": "3",
        "quote-INITIAL_FORMS": "0",
    }
    for i, name in enumerate("甲乙丙"):
        form[f"quote-{i}-supplier"] = f"{name}公司"
        form[f"quote-{i}-amount"] = "6000"
    assert client.post(url, form).status_code == 302
    with scopes_disabled():
        expense.refresh_from_db()
        assert expense.quotes.count() == 3 and expense.quote_reason == ""
        assert expense.approval.status == "pending" and expense.approval.round == 2


def test_the_requester_reminds_the_current_signer_from_the_expense_page(world, funds, login):
    expense = request(world, funds)
    response = login("teacher").post(
        reverse("approval_action", args=[world.school.code, expense.approval_id]),
        {"action": "remind"},
    )
    assert response["Location"] == reverse(
        "finance:expense_detail", args=[world.school.code, expense.pk]
    )
    with scopes_disabled():
        from logistics.models import AuditEvent

        assert AuditEvent.objects.filter(action="finance.expense.reminded").exists()


def test_the_reports_print_as_pdf(world, funds, login):
    import io

    from pypdf import PdfReader

    request(world, funds, amount="6000.00", purpose="购买投影仪")
    response = login("director").get(
        reverse("finance:report_large", args=[world.school.code]) + "?format=pdf"
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "大额支出登记簿" in text and "购买投影仪" in text and "6,000.00" in text


def test_the_central_principal_sees_member_schools_waiting_on_the_central_dashboard(
    world, funds, login
):
    expense = request(world, funds)
    with scopes_disabled():
        for who, step in (("finance", 1), ("principal", 2)):
            services.expense_sign(
                school=world.school,
                actor=world.user(who),
                expense_id=expense.pk,
                which="expense",
                step=step,
            )
    page = login("central").get(reverse("dashboard", args=[world.central.code]))
    html = page.content.decode()
    assert "石道初级中学：1 笔支出等待您签字" in html
    assert reverse("finance:sign_todo", args=[world.school.code]) in html


def test_students_are_pasted_from_a_spreadsheet_and_fee_amounts_corrected(world, login):
    client = login("accountant")
    url = reverse("finance:student_list", args=[world.school.code])
    text = "初一(1)班\t张小明\t2026001\n初一(1)班\t李华\t2026002\n\n初一(2)班, 王芳\n"
    assert client.post(url, {"text": text}).status_code == 302
    assert client.post(url, {"text": text}).status_code == 302  # again: nothing doubled
    assert client.post(url, {"text": "只有一列"}).status_code == 200
    with scopes_disabled():
        assert Student.objects.count() == 3
        item = services.fee_item_create(
            school=world.school,
            actor=world.user("accountant"),
            name="教辅资料费",
            direction="collect",
            term="2026年秋季学期",
            term_end="2027-01-20",
            amount=Decimal("85.00"),
            class_name="初一(1)班",
        )
        entry = item.entries.get(student__name="李华")
        assert item.entries.count() == 2
    edit = reverse("finance:fee_entry_edit", args=[world.school.code, item.pk, entry.pk])
    assert client.post(edit, {"amount": "42.50", "page": "1"}).status_code == 302
    with scopes_disabled():
        entry.refresh_from_db()
    assert entry.amount == Decimal("42.50")


@pytest.mark.parametrize("name", ["report_monthly", "report_cash"])
def test_the_monthly_and_cash_reports_export_to_excel(world, funds, login, name):
    request(
        world,
        funds,
        amount="800.00",
        quotes=[],
        category=Category.OFFICE,
        payment_method="cash",
        cash_reason="零星采购",
    )
    response = login("accountant").get(
        reverse(f"finance:{name}", args=[world.school.code]) + "?format=xlsx"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_the_student_fee_and_aid_lists_show_their_rows_with_chinese_labels(world, login):
    accountant = world.user("accountant")
    with scopes_disabled():
        student = Student.objects.create(
            school=world.school, class_name="初一(1)班", name="张三", number="S001"
        )
        Student.objects.create(school=world.other, class_name="初一(9)班", name="别校学生")
        item = services.fee_item_create(
            school=world.school,
            actor=accountant,
            name="作业本费",
            direction="collect",
            term="2026年秋季学期",
            term_end="2027-01-20",
            amount=Decimal("20.00"),
        )
        aid = services.aid_apply(
            school=world.school,
            actor=accountant,
            student=student,
            year=2026,
            category="registered",
            amount=Decimal("500.00"),
        )
    client = login("accountant")
    code = world.school.code
    students = client.get(reverse("finance:student_list", args=[code])).content.decode()
    assert "<td>初一(1)班</td><td>张三</td><td>S001</td>" in students
    assert "别校学生" not in students
    fees = client.get(reverse("finance:fee_list", args=[code])).content.decode()
    detail = reverse("finance:fee_detail", args=[code, item.pk])
    assert f'href="{detail}"' in fees and "2026年秋季学期 作业本费" in fees
    assert "¥20.00" in fees and "向家长代收" in fees  # one student, 20 yuan each
    aids = client.get(reverse("finance:aid_list", args=[code])).content.decode()
    assert f'href="{reverse("finance:aid_detail", args=[code, aid.pk])}"' in aids
    assert "初一(1)班 张三" in aids and "¥500.00" in aids
    assert "2026 · 建档立卡贫困家庭 · 评议中" in aids
    assert client.get(reverse("finance:aid_list", args=[code]) + "?page=x").status_code == 200
