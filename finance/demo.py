"""Demo records of sdcz for the 2022 school year, from the seed's work summary.

The records are made through the services (chains, rules, audit) and then dated in the
2022–23 school year, so pages and reports show the seed's year, not the day of loading. The
audit log keeps the real time of loading: its entries are hash-chained and append-only.
"""

from __future__ import annotations

import contextlib
import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from finance import services
from finance.models import AidApplication, Category, Expense, Fund, FundKind, PaymentMethod, Student
from logistics import approvals
from logistics.models import Approval, School, Signature
from logistics.registry import registry

YEAR = 2022

# purpose, amount, category, fund key, handler
FULLY_SIGNED = [
    ("校园监控系统", "38000.00", Category.SAFETY, "safety", "director"),
    ("宿舍烟雾报警系统", "28000.00", Category.SAFETY, "safety", "director"),
    ("校门口及办公楼地面硬化", "288800.00", Category.CONSTRUCTION, "public", "director"),
    ("打井（136米）", "15000.00", Category.CONSTRUCTION, "public", "director"),
    ("供水设备", "20000.00", Category.EQUIPMENT, "public", "director"),
    ("图书、音乐器材、体育器材", "50000.00", Category.TEACHING, "public", "teacher"),
]
SMALL = [
    ("食堂烤箱", "4200.00", Category.EQUIPMENT, "director"),
    ("食堂和面机", "3600.00", Category.EQUIPMENT, "director"),
    ("餐具消毒柜", "3800.00", Category.EQUIPMENT, "director"),
    ("办公用品（纸张、墨盒）", "860.00", Category.OFFICE, "teacher"),
]
BUDGET = {
    "public": {
        Category.CONSTRUCTION: "350000.00",
        Category.EQUIPMENT: "80000.00",
        Category.TEACHING: "60000.00",
        Category.OFFICE: "20000.00",
        Category.REPAIR: "40000.00",
    },
    "safety": {Category.SAFETY: "70000.00"},
    "meal": {Category.FOOD: "420000.00"},
}


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _backdate(expense_id: int, day: datetime.date) -> None:
    """Date a demo expense: filed on `day`, each signature a day later than the one before,
    the booking sign-off, booking and payment in the following weeks."""
    expense = Expense.objects.get(pk=expense_id)
    for approval_id, first in ((expense.approval_id, day), (expense.booking_approval_id, None)):
        if approval_id is None:
            continue
        first = first or day + datetime.timedelta(days=10)
        Approval.objects.filter(pk=approval_id).update(created_at=_at(first), updated_at=_at(first))
        signatures = Signature.objects.filter(approval_id=approval_id).order_by("round", "step")
        for n, pk in enumerate(signatures.values_list("pk", flat=True)):
            Signature.objects.filter(pk=pk).update(
                signed_at=_at(first + datetime.timedelta(days=n), 9 + n % 6)
            )
    Expense.objects.filter(pk=expense_id).update(
        requested_at=_at(day, 8),
        booked_at=_at(day + datetime.timedelta(days=11)) if expense.booked_at else None,
        paid_at=_at(day + datetime.timedelta(days=12)) if expense.paid_at else None,
    )


def _users() -> dict:
    return {u.username: u for u in get_user_model().objects.all()}


def _sign_all(school: School, users: dict, approval_id: int, people: list[str]) -> None:
    from logistics.models import Approval

    for who in people:
        approval = Approval.objects.get(pk=approval_id)
        if approval.status != Approval.PENDING:
            return
        approvals.approval_sign(
            school=school, actor=users[who], approval_id=approval_id, step=approval.current_step
        )


def _book_and_pay(school: School, users: dict, expense, voucher: str) -> None:
    _invoice(school, expense)
    expense.refresh_from_db()
    _sign_all(school, users, expense.booking_approval_id, ["principal"])
    services.expense_book(
        school=school, actor=users["accountant"], expense_id=expense.pk, voucher_no=voucher
    )
    services.expense_pay(
        school=school,
        actor=users["accountant"],
        expense_id=expense.pk,
        method=PaymentMethod.TRANSFER,
    )


def _invoice(school: School, expense) -> None:
    from logistics.attachments import CleanUpload

    pdf = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )
    services.expense_submit_invoice(
        school=school,
        actor=expense.requested_by,
        expense_id=expense.pk,
        upload=CleanUpload(name="发票.pdf", content_type="application/pdf", data=pdf),
    )


def _request(school, users, funds, purpose, amount, category, fund_key, who, **kwargs):
    amount = Decimal(amount)
    quotes = kwargs.pop("quotes", None)
    if quotes is None and amount > school.large_expense_threshold:
        quotes = [
            services.QuoteInput(f"{purpose}供应商{n}", amount + 500 * i)
            for i, n in enumerate("甲乙丙")
        ]
    return services.expense_create(
        school=school,
        actor=users[who],
        fund=funds[fund_key],
        category=category,
        purpose=purpose,
        amount=amount,
        payee=kwargs.pop("payee", f"{purpose}供应商甲"),
        quotes=quotes or [],
        **kwargs,
    )


@registry.demo_loader
@transaction.atomic
def load_finance_demo() -> None:
    school = School.objects.filter(code="sdcz").first()
    if school is None or Fund.objects.filter(school=school, year=YEAR).exists():
        return  # idempotent
    users = _users()
    acc = users["accountant"]
    funds = {
        "public": services.fund_create(
            school=school,
            actor=acc,
            year=YEAR,
            kind=FundKind.PUBLIC,
            name="公用经费",
            amount=Decimal("650000.00"),
        ),
        "safety": services.fund_create(
            school=school,
            actor=acc,
            year=YEAR,
            kind=FundKind.EARMARKED,
            name="校园安全专项资金",
            purpose="校园监控、消防及宿舍安全设施",
            allowed_categories=[Category.SAFETY],
            amount=Decimal("70000.00"),
        ),
        "meal": services.fund_create(
            school=school,
            actor=acc,
            year=YEAR,
            kind=FundKind.MEAL,
            name="学生伙食费",
            amount=Decimal("420000.00"),
        ),
        "collected": services.fund_create(
            school=school,
            actor=acc,
            year=YEAR,
            kind=FundKind.COLLECTED,
            name="代收代办费",
            amount=Decimal("52000.00"),
        ),
    }
    for key, lines in BUDGET.items():
        for category, amount in lines.items():
            services.budget_line_set(
                school=school,
                actor=acc,
                fund=funds[key],
                category=category,
                amount=Decimal(amount),
            )
    # Filed a fortnight apart from the start of the school year.
    filed = [datetime.date(2022, 9, 5) + datetime.timedelta(days=14 * n) for n in range(12)]
    for n, (purpose, amount, category, fund_key, who) in enumerate(FULLY_SIGNED, start=1):
        expense = _request(school, users, funds, purpose, amount, category, fund_key, who)
        _sign_all(school, users, expense.approval_id, ["finance", "principal", "central"])
        expense.refresh_from_db()
        _book_and_pay(school, users, expense, f"记-2022-{n:03d}")
        _backdate(expense.pk, filed[n - 1])
    for n, (purpose, amount, category, who) in enumerate(SMALL, start=len(FULLY_SIGNED) + 1):
        expense = _request(school, users, funds, purpose, amount, category, "public", who)
        _sign_all(school, users, expense.approval_id, ["principal"])
        expense.refresh_from_db()
        _book_and_pay(school, users, expense, f"记-2022-{n:03d}")
        _backdate(expense.pk, filed[n - 1])
    # A large expense waiting for the central-school principal.
    waiting = _request(
        school, users, funds, "教室照明灯具更换", "12600.00", Category.REPAIR, "public", "director"
    )
    _sign_all(school, users, waiting.approval_id, ["finance", "principal"])
    _backdate(waiting.pk, datetime.date(2023, 6, 5))
    # One returned for revision.
    returned = _request(
        school,
        users,
        funds,
        "课桌椅维修",
        "7800.00",
        Category.REPAIR,
        "public",
        "teacher",
        quotes=[],
        quote_reason="只问到一家维修店",
    )
    approvals.approval_return(
        school=school,
        actor=users["finance"],
        approval_id=returned.approval_id,
        to_step=None,
        comment="请补充三家维修报价",
    )
    _backdate(returned.pk, datetime.date(2023, 6, 7))
    # A small one waiting for the principal (the to-do on the demo dashboard).
    chalk = _request(
        school, users, funds, "粉笔及黑板擦", "320.00", Category.OFFICE, "public", "teacher"
    )
    _backdate(chalk.pk, datetime.date(2023, 6, 12))
    # A refused attempt to pay a non-food item from meal fees (kept in the audit log).
    with contextlib.suppress(ValidationError):
        _request(
            school, users, funds, "食堂办公桌椅", "2600.00", Category.EQUIPMENT, "meal", "director"
        )
    _fees_and_aid(school, users)


def _fees_and_aid(school: School, users: dict) -> None:
    acc = users["accountant"]
    names = ["张小明", "李华", "王芳", "陈刚", "刘洋", "赵敏"]
    students = [
        services.student_create(
            school=school,
            actor=acc,
            class_name=f"初一({1 + i // 3})班",
            name=name,
            number=f"2022{i + 1:03d}",
        )
        for i, name in enumerate(names)
    ]
    end = datetime.date(2023, 1, 15)
    for name, direction, amount in [
        ("教辅资料费", "collect", "85.00"),
        ("作业本费", "collect", "20.00"),
    ]:
        services.fee_item_create(
            school=school,
            actor=acc,
            name=name,
            direction=direction,
            term="2022年秋季学期",
            term_end=end,
            amount=Decimal(amount),
        )
    item = services.fee_item_create(
        school=school,
        actor=acc,
        name="两免一补（生活补助）",
        direction="disburse",
        term="2022年秋季学期",
        term_end=end,
        amount=Decimal("0.00"),
    )
    for entry in item.entries.filter(student__in=students[:2]):
        services.fee_entry_set(
            school=school, actor=acc, entry_id=entry.pk, amount=Decimal("625.00")
        )
    approved = services.aid_apply(
        school=school,
        actor=acc,
        student=students[0],
        year=YEAR,
        category="registered",
        amount=Decimal("1000.00"),
        id_number="440000201001010011",
        family_situation="建档立卡户，父亲因病丧失劳动能力",
    )
    # The class teacher reviews, the principal approves for the aid leading group.
    _sign_all(school, users, approved.approval_id, ["teacher", "principal"])
    _backdate_aid(approved.pk, datetime.date(2022, 10, 10), datetime.date(2022, 10, 14))
    waiting = services.aid_apply(
        school=school,
        actor=acc,
        student=students[3],
        year=YEAR,
        category="subsistence",
        amount=Decimal("800.00"),
        family_situation="低保家庭",
    )
    _backdate_aid(waiting.pk, datetime.date(2023, 3, 6), None)
    assert Student.objects.filter(school=school).count() == len(names)  # nosec B101  # checks the demo data as it loads; guards nothing


def _backdate_aid(pk: int, filed: datetime.date, approved: datetime.date | None) -> None:
    application = AidApplication.objects.get(pk=pk)
    AidApplication.objects.filter(pk=pk).update(
        created_at=_at(filed), approved_at=_at(approved) if approved else None
    )
    Approval.objects.filter(pk=application.approval_id).update(
        created_at=_at(filed), updated_at=_at(approved or filed)
    )
    signatures = Signature.objects.filter(approval_id=application.approval_id).order_by("step")
    for n, sig in enumerate(signatures.values_list("pk", flat=True)):
        Signature.objects.filter(pk=sig).update(
            signed_at=_at(filed + datetime.timedelta(days=n + 1))
        )
