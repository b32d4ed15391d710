"""Every finance read used by pages, exports and notices, scoped by school."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import (
    DecimalField,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from finance import capabilities as caps
from finance.models import (
    COMMITTED_STATUSES,
    AidApplication,
    BudgetLine,
    Expense,
    ExpenseStatus,
    FeeEntry,
    FeeItem,
    Fund,
    PaymentMethod,
    Quote,
)
from logistics.models import Approval, School, Signature

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


def expense_list(
    school: School, user, capabilities: frozenset[str], filters: dict | None = None
) -> QuerySet[Expense]:
    """The expense list: everything for finance viewers, one's own requests for others."""
    filters = filters or {}
    qs = (
        Expense.objects.filter(school=school)
        .select_related("fund", "requested_by")
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
            "fund__name",
            "fund__year",
            "requested_by__username",
            "requested_by__first_name",
            "requested_by__last_name",
        )
        .order_by("-requested_at", "-id")
    )
    if caps.VIEW not in capabilities:
        qs = qs.filter(requested_by=user)
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("fund"):
        qs = qs.filter(fund_id=filters["fund"])
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


def expenses_to_sign(school: School, user, capabilities: frozenset[str]) -> list[Expense]:
    """The principal's (or any signer's) to-do: expenses whose current step is theirs, with
    the fund's balance and the quotes. Three queries whatever the number of rows."""
    signed_by_me = Signature.objects.filter(
        approval=OuterRef("pk"), round=OuterRef("round"), signer=user, voided_at__isnull=True
    )
    waiting = (
        Approval.objects.filter(
            school=school,
            status=Approval.PENDING,
            current_capability__in=capabilities,
            doc_type__in=["finance.expense", "finance.booking"],
        )
        .exclude(Exists(signed_by_me))
        .values("pk")
    )
    mine = Expense.objects.filter(school=school, fund=OuterRef("fund"))
    expenses = list(
        Expense.objects.filter(school=school)
        .filter(Q(approval__in=waiting) | Q(booking_approval__in=waiting))
        .select_related("fund", "requested_by", "approval", "booking_approval")
        .annotate(
            fund_spent=_sum_of(mine.filter(status=ExpenseStatus.PAID)),
            fund_committed=_sum_of(mine.filter(status__in=COMMITTED_STATUSES)),
        )
        .prefetch_related("quotes")
        .order_by("requested_at", "id")[:100]
    )
    for e in expenses:
        e.fund_balance = e.fund.amount - e.fund_spent - e.fund_committed
        e.waiting = (
            e.booking_approval
            if e.status == ExpenseStatus.SIGNOFF and e.booking_approval
            else e.approval
        )
        e.which = "booking" if e.waiting is e.booking_approval else "expense"
    return expenses


def held_for_override(school: School) -> QuerySet[Expense]:
    return Expense.objects.filter(school=school, status=ExpenseStatus.HELD)


# ---------------------------------------------------------------- reports


def month_bounds(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    start = datetime.date(year, month, 1)
    end = datetime.date(year + (month == 12), month % 12 + 1, 1)
    return start, end


def monthly_statement(school: School, year: int, month: int) -> list[dict]:
    """Per fund: income, budget, spent this month, spent to date, committed, remaining."""
    start, end = month_bounds(year, month)
    funds = list(funds_with_balances(school))
    month_paid = dict(
        Expense.objects.filter(
            school=school,
            status=ExpenseStatus.PAID,
            paid_at__date__gte=start,
            paid_at__date__lt=end,
        )
        .order_by()
        .values_list("fund")
        .annotate(total=Sum("amount"))
    )
    return [
        {
            "fund": f,
            "income": f.amount,
            "budget": f.budget,
            "month_spent": month_paid.get(f.pk, Decimal("0.00")),
            "spent": f.spent,
            "committed": f.committed,
            "remaining": f.amount - f.spent - f.committed,
        }
        for f in funds
    ]


def large_expense_register(school: School, year: int | None = None) -> list[Expense]:
    """Every large expense with all its signatures and dates (two queries)."""
    qs = (
        Expense.objects.filter(school=school, is_large=True)
        .select_related("fund", "requested_by", "approval")
        .order_by("requested_at", "id")
    )
    if year:
        qs = qs.filter(fund__year=year)
    expenses = list(qs)
    sigs: dict[int, list[Signature]] = defaultdict(list)
    approval_ids = [e.approval_id for e in expenses if e.approval_id]
    rounds = {e.approval_id: e.approval.round for e in expenses if e.approval_id}
    for s in (
        Signature.objects.filter(
            school=school, approval_id__in=approval_ids, voided_at__isnull=True
        )
        .select_related("signer")
        .order_by("step")
    ):
        if s.round == rounds.get(s.approval_id):
            sigs[s.approval_id].append(s)
    for e in expenses:
        e.signatures = sigs.get(e.approval_id, [])
    return expenses


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
