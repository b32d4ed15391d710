"""Every finance read used by pages, exports and notices, scoped by school."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from finance import capabilities as caps
from finance.models import (
    COMMITTED_STATUSES,
    AidApplication,
    BudgetLine,
    Category,
    Expense,
    ExpenseStatus,
    FeeEntry,
    FeeItem,
    Fund,
    PaymentMethod,
    Quote,
    Student,
)
from logistics.models import Approval, AuditEvent, School, Signature
from logistics.selectors import approvals_waiting, person_name
from logistics.selectors import with_labels as kernel_labels

ZERO_D = Decimal("0.00")
ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=14, decimal_places=2))


def _sum_of(expenses: QuerySet) -> Subquery:
    return Coalesce(
        Subquery(
            expenses.order_by().values("school").annotate(total=Sum("amount")).values("total")[:1],
            output_field=DecimalField(max_digits=14, decimal_places=2),
        ),
        ZERO,
    )


def funds_with_balances(school: School, year: int | None = None) -> QuerySet[Fund]:
    """Funds with budget, spent, committed; `balance` = income − spent − committed."""
    mine = Expense.objects.filter(school=school, fund=OuterRef("pk"))
    qs = Fund.objects.filter(school=school).annotate(
        spent=_sum_of(mine.filter(status=ExpenseStatus.PAID)),
        committed=_sum_of(mine.filter(status__in=COMMITTED_STATUSES)),
        budget=Coalesce(
            Subquery(
                BudgetLine.objects.filter(fund=OuterRef("pk"))
                .order_by()
                .values("fund")
                .annotate(total=Sum("amount"))
                .values("total")[:1]
            ),
            ZERO,
        ),
    )
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("-year", "kind", "name")


def budget_lines_with_usage(
    school: School, fund_ids: list[int] | None = None, until: datetime.datetime | None = None
) -> QuerySet[BudgetLine]:
    same = Expense.objects.filter(
        school=school, fund=OuterRef("fund"), category=OuterRef("category")
    )
    if until is not None:
        same = same.filter(requested_at__lt=until)
    qs = (
        BudgetLine.objects.filter(school=school)
        .select_related("fund")
        .annotate(
            spent=_sum_of(same.filter(status=ExpenseStatus.PAID)),
            committed=_sum_of(same.filter(status__in=COMMITTED_STATUSES)),
        )
        .order_by("fund__year", "fund__name", "category")
    )
    if fund_ids is not None:
        qs = qs.filter(fund_id__in=fund_ids)
    return qs


def with_labels(expenses):
    """category_label and status_label on each row (logistics.selectors.with_labels)."""
    return kernel_labels(expenses, category=Category, status=ExpenseStatus)


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def expense_list(
    school: School, user, capabilities: frozenset[str], filters: dict | None = None
) -> QuerySet[Expense]:
    """The expense list and its Excel export: everything for finance viewers, one's own
    requests for others. `filters` holds validated values (ExpenseFilterForm.filters())."""
    filters = filters or {}
    qs = (
        Expense.objects.filter(school=school)
        .select_related("fund")
        .annotate(handler_name=person_name("requested_by"))
        .only(
            "id",
            "purpose",
            "amount",
            "category",
            "status",
            "is_large",
            "cash_flagged",
            "requested_at",
            "voucher_no",
            "payee",
            "fund__name",
            "fund__year",
        )
        .order_by("-requested_at", "-id")
    )
    if caps.VIEW not in capabilities:
        qs = qs.filter(requested_by=user)
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("fund"):
        qs = qs.filter(fund=filters["fund"])
    if filters.get("category"):
        qs = qs.filter(category=filters["category"])
    if filters.get("handler"):
        qs = qs.filter(requested_by=filters["handler"])
    # Whole days in the school's time zone, as a range the (school, requested_at) index serves.
    if filters.get("start"):
        qs = qs.filter(requested_at__gte=_day_start(filters["start"]))
    if filters.get("end"):
        qs = qs.filter(requested_at__lt=_day_start(filters["end"] + datetime.timedelta(days=1)))
    if filters.get("q"):
        qs = qs.filter(Q(purpose__icontains=filters["q"]) | Q(payee__icontains=filters["q"]))
    return qs


def expense_detail(school: School, pk: int) -> Expense:
    return (
        Expense.objects.filter(school=school)
        .select_related(
            "fund", "requested_by", "approval", "booking_approval", "override_by", "booked_by"
        )
        .prefetch_related(
            Prefetch("quotes", Quote.objects.select_related("photo")),
            "documents__attachment",
        )
        .get(pk=pk)
    )


TODO_LIMIT = 10  # a phone screenful; the oldest first, the count of the rest below


def expenses_to_sign(
    school: School, user, capabilities: frozenset[str], limit: int = TODO_LIMIT
) -> tuple[list[Expense], int]:
    """The principal's (or any signer's) to-do: expenses whose current step is theirs, with
    the fund's balance and the quotes; the oldest `limit` of them, and how many wait in all.

    Four small queries whatever the number of rows (the waiting approvals with the total
    count, their expenses, the quotes, the balances of the funds involved); simple queries
    because on this page Django's query building cost more than PostgreSQL's work.
    """
    waiting = list(
        approvals_waiting(user, capabilities)
        .filter(school=school, doc_type__in=["finance.expense", "finance.booking"])
        .order_by("created_at", "id")
        .values("id", "doc_type", "object_id", "steps", "current_step", total=Window(Count("pk")))[
            :limit
        ]
    )
    if not waiting:
        return [], 0
    by_id = {
        e.pk: e
        for e in Expense.objects.filter(
            school=school, pk__in=[int(a["object_id"]) for a in waiting]
        )
        .select_related("fund", "requested_by")
        .prefetch_related(
            Prefetch("quotes", Quote.objects.only("expense_id", "supplier", "amount"))
        )
    }
    sums = {
        row["fund"]: row
        for row in Expense.objects.filter(
            school=school, fund_id__in={e.fund_id for e in by_id.values()}
        )
        .order_by()
        .values("fund")
        .annotate(
            spent=Sum("amount", filter=Q(status=ExpenseStatus.PAID)),
            committed=Sum("amount", filter=Q(status__in=COMMITTED_STATUSES)),
        )
    }
    expenses = []
    for a in waiting:
        e = by_id.get(int(a["object_id"]))
        if e is None:
            continue
        row = sums.get(e.fund_id, {})
        e.fund_balance = (
            e.fund.amount - (row.get("spent") or ZERO_D) - (row.get("committed") or ZERO_D)
        )
        e.which = "booking" if a["doc_type"] == "finance.booking" else "expense"
        e.waiting_step = a["current_step"]
        e.waiting_steps = len(a["steps"])
        e.waiting_label = a["steps"][a["current_step"]]["label"]
        expenses.append(e)
    return with_labels(expenses), waiting[0]["total"]


def current_signatures(school: School, approval_ids: list[int | None]) -> list[Signature]:
    """The valid signatures of the approvals' current rounds, in signing order (one query):
    what the printed approval form shows."""
    ids = [i for i in approval_ids if i]
    if not ids:
        return []
    return list(
        Signature.objects.filter(
            school=school,
            approval_id__in=ids,
            voided_at__isnull=True,
            round=Subquery(Approval.objects.filter(pk=OuterRef("approval_id")).values("round")[:1]),
        )
        .select_related("signer")
        .order_by("signed_at", "step")
    )


def last_return_comment(school: School, approval: Approval) -> str:
    """What the signer wrote when returning the document last (kept in the audit log only)."""
    event = (
        AuditEvent.objects.filter(
            school=school,
            object_type=approval._meta.label_lower,
            object_id=str(approval.pk),
            action=f"{approval.doc_type}.returned",
        )
        .order_by("-seq")
        .only("summary")
        .first()
    )
    return event.summary if event else ""


def voided_signatures(school: School, approval_ids: list[int | None]) -> list[Signature]:
    """Signatures voided by a change or a return, so a restart stays visible (one query)."""
    ids = [i for i in approval_ids if i]
    if not ids:
        return []
    return list(
        Signature.objects.filter(school=school, approval_id__in=ids, voided_at__isnull=False)
        .select_related("signer")
        .order_by("voided_at", "step")
    )


# ---------------------------------------------------------------- reports


def month_bounds(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    start = datetime.date(year, month, 1)
    end = datetime.date(year + (month == 12), month % 12 + 1, 1)
    return start, end


def school_year_of(day: datetime.date) -> int:
    """The school year a day falls in: 2022 for September 2022 to August 2023."""
    return day.year if day.month >= 9 else day.year - 1


@dataclass
class StatementLine:
    """One fund in the monthly statement."""

    fund: Fund
    opening: Decimal
    income: Decimal
    spent: Decimal
    closing: Decimal
    # (category label, paid in the month), in the order of the category list
    categories: list[tuple[Any, Decimal]] = field(default_factory=list)


def monthly_statement(school: School, year: int, month: int) -> list[StatementLine]:
    """Per fund, for one month: opening balance, income, spending by category, closing balance.

    Spending is what was paid in the month. A fund's income for its school year counts as
    received on 1 September of that year: funds are allocated per school year and carry no
    dated receipts. Funds of the month's school year are listed, and any other fund that paid
    something in the month. Three queries.
    """
    start, end = month_bounds(year, month)
    start_at, end_at = _day_start(start), _day_start(end)
    paid = Expense.objects.filter(school=school, status=ExpenseStatus.PAID).order_by()
    in_month = list(
        paid.filter(paid_at__gte=start_at, paid_at__lt=end_at)
        .values("fund", "category")
        .annotate(total=Sum("amount"))
    )
    before = dict(
        paid.filter(paid_at__lt=start_at).values_list("fund").annotate(total=Sum("amount"))
    )
    funds = Fund.objects.filter(school=school).filter(
        Q(year=school_year_of(start)) | Q(pk__in={r["fund"] for r in in_month})
    )
    order = {value: n for n, (value, _label) in enumerate(Category.choices)}
    labels = dict(Category.choices)
    by_fund: dict[int, list[dict]] = defaultdict(list)
    for row in sorted(in_month, key=lambda r: order.get(r["category"], len(order))):
        by_fund[row["fund"]].append(row)
    lines = []
    for fund in funds.order_by("-year", "kind", "name"):
        received = datetime.date(fund.year, 9, 1)
        opening = (fund.amount if received < start else ZERO_D) - before.get(fund.pk, ZERO_D)
        income = fund.amount if start <= received < end else ZERO_D
        # Lazy labels: an export renders them in Chinese whatever the page's language.
        categories = [
            (labels.get(r["category"], r["category"]), r["total"]) for r in by_fund[fund.pk]
        ]
        spent = sum((amount for _label, amount in categories), ZERO_D)
        lines.append(
            StatementLine(fund, opening, income, spent, opening + income - spent, categories)
        )
    return lines


def fund_years(school: School) -> list[int]:
    """The school years that have funds, newest first (for the reports' year pickers)."""
    return list(
        Fund.objects.filter(school=school)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


def large_expense_register(school: School, year: int | None = None) -> list[Expense]:
    """Every large expense with all its signatures and dates (two queries)."""
    qs = (
        Expense.objects.filter(school=school, is_large=True)
        .select_related("fund", "requested_by", "approval")
        .order_by("requested_at", "id")
    )
    if year:
        qs = qs.filter(fund__year=year)
    expenses = list(qs.select_related("booking_approval"))
    rounds = {}
    for e in expenses:
        for a in (e.approval, e.booking_approval):
            if a is not None:
                rounds[a.pk] = a.round
    sigs: dict[int, list[Signature]] = defaultdict(list)
    for s in (
        Signature.objects.filter(school=school, approval_id__in=rounds, voided_at__isnull=True)
        .select_related("signer")
        .order_by("signed_at", "step")
    ):
        if s.round == rounds.get(s.approval_id):
            sigs[s.approval_id].append(s)
    for e in expenses:
        # The pre-purchase chain, then the booking sign-off.
        e.signatures = sigs.get(e.approval_id, []) + sigs.get(e.booking_approval_id, [])
    return with_labels(expenses)


def cash_payments(school: School, year: int | None = None) -> QuerySet[Expense]:
    qs = (
        Expense.objects.filter(school=school, payment_method=PaymentMethod.CASH)
        .exclude(status__in=[ExpenseStatus.REJECTED, ExpenseStatus.WITHDRAWN])
        .select_related("fund", "requested_by")
        .order_by("-requested_at", "-id")
    )
    if year:
        qs = qs.filter(fund__year=year)
    return qs


# ---------------------------------------------------------------- fees and aid


def students(school: School) -> QuerySet[Student]:
    return Student.objects.filter(school=school).order_by("class_name", "number", "name", "id")


def fee_items(school: School) -> QuerySet[FeeItem]:
    return (
        FeeItem.objects.filter(school=school)
        .annotate(total=Coalesce(Sum("entries__amount"), ZERO))
        .order_by("-term_end", "direction", "name")
    )


def fee_entries(school: School, item: FeeItem) -> QuerySet[FeeEntry]:
    return (
        FeeEntry.objects.filter(school=school, item=item)
        .select_related("student")
        .order_by("student__class_name", "student__number", "student__name")
    )


def aid_applications(school: School) -> QuerySet[AidApplication]:
    return (
        AidApplication.objects.filter(school=school)
        .select_related("student", "approval")
        .order_by("-created_at", "-id")
    )
