"""Every finance read used by pages, exports and notices, scoped by school."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache, partial
from types import SimpleNamespace
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import (
    CharField,
    Count,
    DateTimeField,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Cast, Coalesce, Concat, RowNumber, TruncDate
from django.utils import timezone
from django.utils.translation import get_language

from finance import capabilities as caps
from finance.models import (
    COMMITTED_STATUSES,
    AidApplication,
    AidCategory,
    AidStatus,
    BudgetLine,
    Category,
    Expense,
    ExpenseStatus,
    FeeEntry,
    FeeItem,
    Fund,
    FundKind,
    PaymentMethod,
    Quote,
    Student,
)
from logistics.models import Approval, AuditEvent, School, Signature
from logistics.prepared import AnyOf, Param, ParamList, Prepared, PreparedList
from logistics.selectors import approvals_waiting, choice_labels, name_of, person_name
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


def fund_page(school: School, year: int | None) -> list[SimpleNamespace]:
    """The fund list: the school's funds (of one school year, or all; at most FUND_PAGE),
    newest first, each with its income, spent, committed and balance, and its budget lines
    (`lines`, with their remaining amount) as plain rows. Two queries compiled once per
    process: building the annotated ORM queries cost more Python than drawing the page."""
    funds = [
        SimpleNamespace(**row, lines=[])
        for row in _FUNDS[year is not None].rows(school=school.pk, year=year)
    ]
    by_id = {f.id: f for f in funds}
    if by_id:
        for row in _FUND_LINES.rows(school=school.pk, funds=list(by_id)):
            by_id[row["fund_id"]].lines.append(SimpleNamespace(**row))
    return funds


FUND_PAGE = 60  # a school has a handful of funds a year: every year's fits on one page


def _funds(year_picked: bool) -> QuerySet:
    mine = Expense.objects.filter(school=Param("school"), fund=OuterRef("pk"))
    qs = Fund.objects.filter(school=Param("school"))
    if year_picked:
        qs = qs.filter(year=Param("year"))
    return (
        qs.annotate(
            spent=_sum_of(mine.filter(status=ExpenseStatus.PAID)),
            committed=_sum_of(mine.filter(status__in=COMMITTED_STATUSES)),
        )
        .annotate(balance=F("amount") - F("spent") - F("committed"))
        .order_by("-year", "kind", "name")
        .values("id", "year", "kind", "name", "purpose", "amount", "spent", "committed", "balance")[
            :FUND_PAGE
        ]
    )


_FUNDS = {picked: Prepared(partial(_funds, picked)) for picked in (True, False)}


def _fund_lines() -> QuerySet:
    same = Expense.objects.filter(
        school=Param("school"), fund=OuterRef("fund"), category=OuterRef("category")
    )
    return (
        BudgetLine.objects.filter(AnyOf("fund_id", ParamList("funds", IntegerField())))
        .filter(school=Param("school"))
        .annotate(
            spent=_sum_of(same.filter(status=ExpenseStatus.PAID)),
            committed=_sum_of(same.filter(status__in=COMMITTED_STATUSES)),
        )
        .annotate(remaining=F("amount") - F("spent") - F("committed"))
        .order_by("fund_id", "category")
        .values("fund_id", "category", "amount", "spent", "committed", "remaining")
    )


_FUND_LINES = Prepared(_fund_lines)


def with_labels(expenses):
    """category_label and status_label on each row (logistics.selectors.with_labels)."""
    return kernel_labels(expenses, category=Category, status=ExpenseStatus)


# The choice fields each page of plain rows shows as labels.
_LABELLED = {
    "expense": {"category": Category, "status": ExpenseStatus},
    "fund": {"kind": FundKind, "category": Category},
    "fee": {"direction": FeeItem.DIRECTION_CHOICES},
    "aid": {"category": AidCategory, "status": AidStatus},
}


def labels(of: str) -> dict[str, dict[str, str]]:
    """{field: {value: label}} of the `of` page's rows (_LABELLED) in the active language.
    Read only: the maps are shared by every request."""
    return _labels(of, get_language())


def expense_labels() -> dict[str, dict[str, str]]:
    """{"category": {value: label}, "status": {…}}, for the expense rows and the filters'
    options."""
    return labels("expense")


@lru_cache(maxsize=64)
def _labels(of: str, language: str | None) -> dict[str, dict[str, str]]:
    # Translating some twenty labels cost a list page 0.1 ms; they change with the language only.
    return choice_labels(**_LABELLED[of])


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# Which of the expense list's filters apply, in the order of its prepared queries' shapes.
_EXPENSE_FILTERS = ("own", "status", "fund", "category", "handler", "start", "end", "q")


def expense_page(
    school: School, user, capabilities: frozenset[str], filters: dict | None = None
) -> PreparedList:
    """The expense list page: its COUNT and rows compiled once per filter shape and process
    (building and compiling them through the ORM cost more Python than drawing the page)."""
    shape, values = _expense_filters(school, user, capabilities, filters or {})
    return PreparedList(_prepared_expenses, expense_rows, shape, **values)


def expense_list(
    school: School, user, capabilities: frozenset[str], filters: dict | None = None
) -> QuerySet:
    """The expense list's rows as its Excel and PDF export reads them: the page's filters and
    columns (expense_rows), as a plain queryset."""
    shape, values = _expense_filters(school, user, capabilities, filters or {})
    return expense_rows(_expenses_filtered(*shape, **values))


def _expense_filters(school, user, capabilities, filters: dict) -> tuple[tuple, dict]:
    """(which filters apply, their values) of validated filters (ExpenseFilterForm.filters()):
    everything for finance viewers, one's own requests for others."""
    values = {
        "school": school.pk,
        "own": user.pk if caps.VIEW not in capabilities else None,
        "status": filters.get("status"),
        "fund": filters.get("fund"),
        "category": filters.get("category"),
        "handler": filters.get("handler"),
        # Whole days in the school's time zone, as a range the (school, requested_at) index
        # serves.
        "start": _day_start(filters["start"]) if filters.get("start") else None,
        "end": (
            _day_start(filters["end"] + datetime.timedelta(days=1)) if filters.get("end") else None
        ),
        "q": filters.get("q"),
    }
    return tuple(values[k] not in (None, "") for k in _EXPENSE_FILTERS), values


def _expenses_filtered(*applied: bool, **values) -> QuerySet[Expense]:
    """The list's query for the filters that apply, with their values as given: plain
    values, or Params when the query is prepared."""
    v = {k: values[k] for k, on in zip(_EXPENSE_FILTERS, applied, strict=True) if on}
    qs = Expense.objects.filter(school=values["school"])
    if "own" in v:
        qs = qs.filter(requested_by=v["own"])
    if "status" in v:
        qs = qs.filter(status=v["status"])
    if "fund" in v:
        qs = qs.filter(fund=v["fund"])
    if "category" in v:
        qs = qs.filter(category=v["category"])
    if "handler" in v:
        qs = qs.filter(requested_by=v["handler"])
    if "start" in v:
        qs = qs.filter(requested_at__gte=v["start"])
    if "end" in v:
        qs = qs.filter(requested_at__lt=v["end"])
    if "q" in v:
        qs = qs.filter(Q(purpose__icontains=v["q"]) | Q(payee__icontains=v["q"]))
    return qs


def _prepared_expenses(*applied: bool) -> QuerySet[Expense]:
    text, moment = CharField(), DateTimeField()
    return _expenses_filtered(
        *applied,
        school=Param("school"),
        own=Param("own"),
        status=Param("status", text),
        fund=Param("fund"),
        category=Param("category", text),
        handler=Param("handler"),
        start=Param("start", moment),
        end=Param("end", moment),
        q=Param("q", text),
    )


def expense_rows(expenses: QuerySet[Expense]) -> QuerySet:
    """The list's rows, newest first, as plain values: what the page and its export show
    (the handler's name computed by PostgreSQL, no model objects)."""
    return (
        expenses.order_by("-requested_at", "-id")
        .annotate(
            # The day in the project's time zone (TIME_ZONE: no school activates another),
            # which a page of rows otherwise converted row by row.
            requested_on=TruncDate("requested_at"),
            fund_name=F("fund__name"),
            fund_year=F("fund__year"),
            handler_name=name_of(get_user_model(), "requested_by_id", person_name()),
        )
        .values_list(
            *("id", "purpose", "amount", "category", "status", "is_large", "cash_flagged"),
            *("requested_on", "voucher_no", "payee", "fund_name", "fund_year", "handler_name"),
            named=True,
        )
    )


def expense_filter_choices(school: School, sees_all: bool) -> dict[str, list[tuple[int, str]]]:
    """The expense list's fund and handler options, read in one prepared query: the school's
    funds (newest year first), and, for those who see every request, the people who filed
    one here. Another school's funds and people are never offered."""
    choices: dict[str, list[tuple[int, str]]] = {"fund": [], "handler": []}
    for row in _FILTER_CHOICES[sees_all].rows(school=school.pk):
        choices[row["field"]].append((row["key"], row["label"]))
    return choices


def _filter_choices(sees_all: bool) -> QuerySet:
    text = CharField()
    funds = (
        Fund.objects.filter(school=Param("school"))
        .annotate(
            field=Value("fund", text),
            label=Concat(Cast("year", text), Value(" ", text), "name", output_field=text),
            n=Window(RowNumber(), order_by=[F("year").desc(), F("kind"), F("name")]),
        )
        .values("field", "label", "n", key=F("pk"))
    )
    if not sees_all:
        return funds.order_by("n")
    handlers = (
        get_user_model()
        .objects.filter(
            pk__in=Expense.objects.filter(school=Param("school")).values("requested_by")
        )
        .annotate(
            field=Value("handler", text),
            label=person_name(),
            n=Window(RowNumber(), order_by=[F("first_name"), F("username")]),
        )
        .values("field", "label", "n", key=F("pk"))
    )
    return funds.union(handlers, all=True).order_by("field", "n")


_FILTER_CHOICES = {
    sees_all: Prepared(partial(_filter_choices, sees_all)) for sees_all in (True, False)
}


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
    school: School, user, capabilities: frozenset[str]
) -> tuple[list[Expense], int]:
    """The principal's (or any signer's) to-do: expenses whose current step is theirs, with
    the fund's balance and the quotes; the oldest TODO_LIMIT of them, and how many wait in all.

    Four small queries whatever the number of rows (the waiting approvals with the total
    count, their expenses, the quotes, the balances of the funds involved); simple queries
    because on this page Django's query building cost more than PostgreSQL's work, and the
    first, run on every view even when nothing waits, compiled once per process.
    """
    waiting = _WAITING.rows(school=school.pk, user=user.pk, capabilities=sorted(capabilities))
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


_WAITING = Prepared(
    lambda: (
        approvals_waiting(Param("user"), ParamList("capabilities"))
        .filter(school=Param("school"), doc_type__in=["finance.expense", "finance.booking"])
        .order_by("created_at", "id")
        .values("id", "doc_type", "object_id", "steps", "current_step", total=Window(Count("pk")))[
            :TODO_LIMIT
        ]
    )
)


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
    in_month = _PAID_IN_MONTH.rows(school=school.pk, start=start_at, end=end_at)
    before = {r["fund"]: r["total"] for r in _PAID_BEFORE.rows(school=school.pk, start=start_at)}
    funds = [
        Fund(**row)
        for row in _STATEMENT_FUNDS.rows(
            school=school.pk, year=school_year_of(start), funds=list({r["fund"] for r in in_month})
        )
    ]
    order = {value: n for n, (value, _label) in enumerate(Category.choices)}
    labels = dict(Category.choices)
    by_fund: dict[int, list[dict]] = defaultdict(list)
    for row in sorted(in_month, key=lambda r: order.get(r["category"], len(order))):
        by_fund[row["fund"]].append(row)
    lines = []
    for fund in funds:
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


def _paid() -> QuerySet[Expense]:
    return Expense.objects.filter(school=Param("school"), status=ExpenseStatus.PAID).order_by()


# The monthly statement's three reads, compiled once per process.
_PAID_IN_MONTH = Prepared(
    lambda: (
        _paid()
        .filter(
            paid_at__gte=Param("start", DateTimeField()), paid_at__lt=Param("end", DateTimeField())
        )
        .values("fund", "category")
        .annotate(total=Sum("amount"))
    )
)
_PAID_BEFORE = Prepared(
    lambda: (
        _paid()
        .filter(paid_at__lt=Param("start", DateTimeField()))
        .values("fund")
        .annotate(total=Sum("amount"))
    )
)
_STATEMENT_FUNDS = Prepared(
    lambda: (
        Fund.objects.filter(school=Param("school"))
        .filter(Q(year=Param("year")) | Q(AnyOf("pk", ParamList("funds", IntegerField()))))
        .order_by("-year", "kind", "name")
        .values("id", "school_id", "year", "kind", "name", "amount")
    )
)


def fund_years(school: School) -> list[int]:
    """The school years that have funds, newest first (for the reports' year pickers)."""
    return [row["year"] for row in _FUND_YEARS.rows(school=school.pk)]


_FUND_YEARS = Prepared(
    lambda: Fund.objects.filter(school=Param("school")).order_by("-year").values("year").distinct()
)


def large_expense_register(school: School, year: int | None = None) -> list[SimpleNamespace]:
    """Every large expense (of one school year's funds, or all), oldest first, as plain rows
    with `signatures`: the current round's valid signatures of its pre-purchase chain, then
    of its booking sign-off (step_label, signer_name, signed_on). Two queries compiled once
    per process."""
    expenses = [
        SimpleNamespace(**row, signatures=[])
        for row in _LARGE[year is not None].rows(school=school.pk, year=year)
    ]
    by_approval: dict[int, list[SimpleNamespace]] = defaultdict(list)
    for e in expenses:
        for approval in (e.approval_id, e.booking_approval_id):
            if approval is not None:
                by_approval[approval].append(e)
    if by_approval:
        for row in _LARGE_SIGNATURES.rows(school=school.pk, approvals=list(by_approval)):
            signature = SimpleNamespace(**row)
            for e in by_approval[row["approval_id"]]:
                e.signatures.append(signature)
        for e in expenses:
            # The pre-purchase chain, then the booking sign-off, each in signing order.
            e.signatures.sort(key=lambda s, e=e: s.approval_id != e.approval_id)
    return with_labels(expenses)


def _large(year_picked: bool) -> QuerySet:
    qs = Expense.objects.filter(school=Param("school"), is_large=True)
    if year_picked:
        qs = qs.filter(fund__year=Param("year"))
    return (
        qs.order_by("requested_at", "id")
        .annotate(
            requested_on=TruncDate("requested_at"),
            fund_name=F("fund__name"),
            fund_year=F("fund__year"),
        )
        .values(
            *("id", "purpose", "amount", "category", "status", "voucher_no", "requested_on"),
            *("fund_name", "fund_year", "approval_id", "booking_approval_id"),
        )
    )


_LARGE = {picked: Prepared(partial(_large, picked)) for picked in (True, False)}

_LARGE_SIGNATURES = Prepared(
    lambda: (
        Signature.objects.filter(
            AnyOf("approval_id", ParamList("approvals", IntegerField())),
            school=Param("school"),
            voided_at__isnull=True,
            round=F("approval__round"),
        )
        .annotate(
            signer_name=person_name("signer"),
            signed_on=TruncDate("signed_at"),
        )
        .order_by("signed_at", "step")
        .values("approval_id", "step_label", "signer_name", "signed_on")
    )
)


def cash_page(school: School, year: int | None = None) -> PreparedList:
    """The cash payments page (of one school year's funds, or all): its COUNT and rows
    compiled once per process and shape."""
    return PreparedList(_prepared_cash, cash_rows, (year is not None,), school=school.pk, year=year)


def cash_payments(school: School, year: int | None = None) -> QuerySet:
    """The cash payments as the export reads them: the page's rows, as a plain queryset."""
    return cash_rows(_cash(year is not None, school=school.pk, year=year))


def _cash(year_picked: bool, *, school, year) -> QuerySet[Expense]:
    """Cash payments not refused or withdrawn; `school` and `year` plain values or Params."""
    qs = Expense.objects.filter(school=school, payment_method=PaymentMethod.CASH).exclude(
        status__in=[ExpenseStatus.REJECTED, ExpenseStatus.WITHDRAWN]
    )
    return qs.filter(fund__year=year) if year_picked else qs


def _prepared_cash(year_picked: bool) -> QuerySet[Expense]:
    return _cash(year_picked, school=Param("school"), year=Param("year"))


def cash_rows(expenses: QuerySet[Expense]) -> QuerySet:
    """Newest first, as plain values (the day in the project's time zone, as expense_rows)."""
    return (
        expenses.order_by("-requested_at", "-id")
        .annotate(requested_on=TruncDate("requested_at"))
        .values_list(
            *("id", "purpose", "payee", "amount", "status", "cash_flagged", "cash_reason"),
            "requested_on",
            named=True,
        )
    )


# ---------------------------------------------------------------- fees and aid


def student_page(school: School) -> PreparedList:
    """The school's students by class and number, as plain rows (compiled once per process)."""
    return PreparedList.of_school(Student, _student_rows, school)


def _student_rows(students: QuerySet[Student]) -> QuerySet:
    return students.order_by("class_name", "number", "name", "id").values(
        "class_name", "name", "number"
    )


def fee_item_page(school: School) -> PreparedList:
    """The fee items, latest term first, each with the total of its entries, as plain rows
    (compiled once per process)."""
    return PreparedList.of_school(FeeItem, _fee_item_rows, school)


def _fee_item_rows(items: QuerySet[FeeItem]) -> QuerySet:
    return (
        items.annotate(total=Coalesce(Sum("entries__amount"), ZERO))
        .order_by("-term_end", "direction", "name")
        .values("id", "term", "name", "direction", "total")
    )


def fee_entries(school: School, item: FeeItem) -> QuerySet[FeeEntry]:
    return (
        FeeEntry.objects.filter(school=school, item=item)
        .select_related("student")
        .order_by("student__class_name", "student__number", "student__name")
    )


def aid_page(school: School) -> PreparedList:
    """The aid applications, newest first, with their student's class and name, as plain rows
    (compiled once per process)."""
    return PreparedList.of_school(AidApplication, _aid_rows, school)


def _aid_rows(applications: QuerySet[AidApplication]) -> QuerySet:
    return (
        applications.order_by("-created_at", "-id")
        .annotate(student_class=F("student__class_name"), student_name=F("student__name"))
        .values("id", "student_class", "student_name", "amount", "year", "category", "status")
    )
