"""The public notices finance publishes: 代办费收支公示 and 资助名单公示.

Names are marked `personal="name"` so the engine masks them in public; ID numbers and family
details never enter a snapshot at all.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from finance import capabilities as caps
from finance.models import AidApplication, AidStatus, Expense, ExpenseStatus, FeeEntry, FeeItem
from logistics.models import School
from logistics.notices.kinds import Column, NoRecords, NoticeKind, Snapshot, register_kind

FEES_KIND = "finance.fees"
AID_KIND = "finance.aid"
LARGE_KIND = "finance.large"


def _date(d: datetime.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _period(start: datetime.date, end: datetime.date) -> str:
    return f"{_date(start)}至{_date(end)}"


def build_fee_statement(*, school: School, start: datetime.date, end: datetime.date) -> Snapshot:
    """Per student: every fee collected and every sum passed on, for the terms ending in the
    period; with totals per column."""
    items = list(
        FeeItem.objects.filter(school=school, term_end__gte=start, term_end__lte=end).order_by(
            "-direction", "term_end", "name", "id"
        )  # collected first ("collect" > "disburse" descending)
    )
    if not items:
        raise NoRecords(_("No fees or disbursements for terms ending in this period."))
    columns = [
        Column("class", _("Class")),
        Column("name", _("Student"), personal="name"),
    ]
    for item in items:
        sign = _("collected") if item.direction == FeeItem.COLLECT else _("paid out")
        columns.append(Column(f"item{item.pk}", f"{item.name}（{sign}）", "money"))
    columns += [
        Column("collected", _("Total collected"), "money"),
        Column("paid", _("Total paid out"), "money"),
    ]
    direction = {item.pk: item.direction for item in items}
    rows: dict[int, dict] = {}
    entries = (
        FeeEntry.objects.filter(school=school, item__in=items)
        .select_related("student")
        .order_by("student__class_name", "student__number", "student__name", "student_id")
    )
    for entry in entries:
        row = rows.setdefault(
            entry.student_id,
            {
                "class": entry.student.class_name,
                "name": entry.student.name,
                "collected": Decimal("0.00"),
                "paid": Decimal("0.00"),
            },
        )
        row[f"item{entry.item_id}"] = entry.amount
        key = "collected" if direction[entry.item_id] == FeeItem.COLLECT else "paid"
        row[key] += entry.amount
    if not rows:
        raise NoRecords(_("No fees or disbursements for terms ending in this period."))
    money_keys = [c.key for c in columns if c.type == "money"]
    totals = {
        k: sum((r.get(k) or Decimal("0.00") for r in rows.values()), Decimal("0.00"))
        for k in money_keys
    }
    terms = sorted({item.term for item in items})
    return Snapshot(
        title=_("%(school)s fees collected and disbursed") % {"school": school.name},
        period="、".join(terms) if len(terms) <= 2 else _period(start, end),
        columns=columns,
        rows=list(rows.values()),
        totals=totals,
        notes=_("Amounts in yuan. Questions about a student's amounts: ask the school office."),
    )


def build_aid_list(*, school: School, start: datetime.date, end: datetime.date) -> Snapshot:
    """Approved (or paid) student aid of the period. No ID numbers, no family details."""
    applications = list(
        AidApplication.objects.filter(
            school=school,
            status__in=[AidStatus.APPROVED, AidStatus.PAID],
            approved_at__date__gte=start,
            approved_at__date__lte=end,
        )
        .select_related("student")
        .order_by("student__class_name", "student__number", "student__name", "id")
    )
    if not applications:
        raise NoRecords(_("No student aid was approved in this period."))
    from finance.services import settings_for

    rows = [
        {
            "class": a.student.class_name,
            "name": a.student.name,
            "category": a.get_category_display(),
            "amount": a.amount,
        }
        for a in applications
    ]
    return Snapshot(
        title=_("%(school)s student aid list") % {"school": school.name},
        period=_period(start, end),
        columns=[
            Column("class", _("Class")),
            Column("name", _("Student"), personal="name"),
            Column("category", _("Category")),
            Column("amount", _("Amount"), "money"),
        ],
        rows=rows,
        totals={"amount": sum((a.amount for a in applications), Decimal("0.00"))},
        notes=_(
            "Reviewed by the class teachers and approved by the aid leading group. "
            "Objections during the publication period: call the complaint phone."
        ),
        signatures=(_("Handler"), _("Principal")),
        publication_days=settings_for(school).aid_publication_days,
    )


def build_large_expenses(*, school: School, start: datetime.date, end: datetime.date) -> Snapshot:
    """大额支出公示: large expenses paid in the period, with the date of payment and voucher."""
    expenses = list(
        Expense.objects.filter(
            school=school,
            is_large=True,
            status=ExpenseStatus.PAID,
            paid_at__date__gte=start,
            paid_at__date__lte=end,
        )
        .select_related("fund")
        .order_by("paid_at", "id")
    )
    if not expenses:
        raise NoRecords(_("No large expenses were paid in this period."))
    return Snapshot(
        title=_("%(school)s large expenses") % {"school": school.name},
        period=_period(start, end),
        columns=[
            Column("date", _("Paid on"), "date"),
            Column("purpose", _("Purpose")),
            Column("fund", _("Fund")),
            Column("payee", _("Payee")),
            Column("amount", _("Amount"), "money"),
            Column("voucher", _("Voucher")),
        ],
        rows=[
            {
                "date": timezone.localdate(e.paid_at),
                "purpose": e.purpose,
                "fund": e.fund.name,
                "payee": e.payee,
                "amount": e.amount,
                "voucher": e.voucher_no,
            }
            for e in expenses
        ],
        totals={"amount": sum((e.amount for e in expenses), Decimal("0.00"))},
        notes=_(
            "Each expense above the threshold was signed before the purchase by the handler, "
            "a finance-team member, the principal and the central-school principal."
        ),
    )


LARGE = NoticeKind(
    code=LARGE_KIND,
    label=gettext_lazy("Large expenses (大额支出公示)"),
    capability=caps.VIEW,
    build=build_large_expenses,
    help_text=gettext_lazy("Large expenses paid in the period."),
)
FEES = NoticeKind(
    code=FEES_KIND,
    label=gettext_lazy("Fees collected and disbursed (代办费收支公示)"),
    capability=caps.FEES,
    build=build_fee_statement,
    help_text=gettext_lazy("Per student, for the terms that end in the period."),
    # Pupils' names with their families' payments: off the board and out of the public
    # archive once the period ends.
    personal_data=True,
    public_archive=False,
)
AID = NoticeKind(
    code=AID_KIND,
    label=gettext_lazy("Student aid list (资助名单公示)"),
    capability=caps.AID,
    build=build_aid_list,
    help_text=gettext_lazy("Names partly masked; ID numbers are never published."),
    personal_data=True,
    public_archive=False,
)


def register() -> None:
    register_kind(FEES)
    register_kind(AID)
    register_kind(LARGE)
