"""District-scale finance data for `make bench`: bulk inserts only, so seeding stays fast."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

import pgtrigger
from django.db import connection
from django.utils import timezone

from finance.models import BudgetLine, Category, Expense, ExpenseStatus, Fund, FundKind
from logistics.bench import bench_user
from logistics.models import Approval
from logistics.registry import registry

PER_YEAR = 300  # expenses per member school and year
CATEGORIES = [Category.OFFICE, Category.EQUIPMENT, Category.REPAIR, Category.TEACHING]
PRINCIPAL_STEP = [{"capability": "finance.sign_principal", "label": "校长"}]
SEED_IGNORED_TRIGGERS = (
    "logistics.Approval:insert_insert",
    "finance.Expense:insert_insert",
    "finance.Expense:expense_fund_rules",
    "finance.Expense:expense_booked_needs_chains",
)
# Share of the rows in each state; the rest are paid.
PENDING, APPROVED, REJECTED = 0.04, 0.08, 0.03


@registry.bench_seeder
def seed_finance(schools, years: int, rng: random.Random) -> None:
    user = bench_user()
    this_year = timezone.localdate().year
    funds: list[Fund] = []
    for school in schools:
        for y in range(this_year - years + 1, this_year + 1):
            funds.append(
                Fund(
                    school=school,
                    year=y,
                    kind=FundKind.PUBLIC,
                    name="公用经费",
                    amount=Decimal("2000000.00"),
                )
            )
    funds = Fund.objects.bulk_create(funds, batch_size=2000)
    BudgetLine.objects.bulk_create(
        [
            BudgetLine(school_id=f.school_id, fund=f, category=c, amount=Decimal("500000.00"))
            for f in funds
            for c in CATEGORIES
        ],
        batch_size=5000,
    )
    expenses: list[Expense] = []
    approvals: list[Approval] = []
    bookings: list[Approval] = []
    now = timezone.now()
    # Expense ids are taken from the sequence up front, so each approval names its
    # expense when it is inserted (no UPDATE … FROM join afterwards).
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('finance_expense', 'id')) "
            "FROM generate_series(1, %s)",
            [len(funds) * PER_YEAR],
        )
        ids = iter([row[0] for row in cursor.fetchall()])
    for fund in funds:
        start = datetime.datetime(fund.year, 1, 1, tzinfo=datetime.UTC)
        for i in range(PER_YEAR):
            roll = rng.random()
            if roll < PENDING:
                status = ExpenseStatus.PENDING
            elif roll < PENDING + APPROVED:
                status = ExpenseStatus.APPROVED
            elif roll < PENDING + APPROVED + REJECTED:
                status = ExpenseStatus.REJECTED
            else:
                status = ExpenseStatus.PAID
            amount = Decimal(rng.randrange(5000, 480000)) / 100
            when = min(start + datetime.timedelta(minutes=rng.randrange(0, 525600)), now)
            expense_id = next(ids)
            key = str(expense_id)
            approval_status = {
                ExpenseStatus.PENDING: Approval.PENDING,
                ExpenseStatus.REJECTED: Approval.REJECTED,
            }.get(status, Approval.APPROVED)
            approval = Approval(
                school_id=fund.school_id,
                doc_type="finance.expense",
                object_id=key,
                title=f"基准支出 {i}",
                amount=amount,
                requested_by=user,
                steps=PRINCIPAL_STEP,
                current_step=0 if approval_status == Approval.PENDING else 1,
                current_capability="finance.sign_principal"
                if approval_status == Approval.PENDING
                else "",
                status=approval_status,
            )
            approvals.append(approval)
            booking = None
            if status == ExpenseStatus.PAID:
                booking = Approval(
                    school_id=fund.school_id,
                    doc_type="finance.booking",
                    object_id=key,
                    title=f"下账签字：基准支出 {i}",
                    amount=amount,
                    requested_by=user,
                    steps=PRINCIPAL_STEP,
                    current_step=1,
                    status=Approval.APPROVED,
                )
                bookings.append(booking)
            expenses.append(
                Expense(
                    id=expense_id,
                    school_id=fund.school_id,
                    fund=fund,
                    category=rng.choice(CATEGORIES),
                    purpose=f"基准支出 {i}",
                    amount=amount,
                    payee="基准供应商",
                    status=status,
                    is_large=amount > Decimal("5000.00"),
                    requested_by=user,
                    requested_at=when,
                    approval=approval,
                    booking_approval=booking,
                    voucher_no=f"记-{i}" if status == ExpenseStatus.PAID else "",
                    booked_at=when if status == ExpenseStatus.PAID else None,
                    paid_at=when if status == ExpenseStatus.PAID else None,
                )
            )
    # Generated rows need no row history, and they satisfy the expense rules by construction
    # (paid ones carry two approved chains): the per-row triggers would make seeding the
    # district take minutes instead of seconds.
    with pgtrigger.ignore(*SEED_IGNORED_TRIGGERS):
        Approval.objects.bulk_create(approvals + bookings, batch_size=5000)
        for e in expenses:  # bulk_create assigned the approvals' ids
            e.approval_id = e.approval.pk
            e.booking_approval_id = e.booking_approval.pk if e.booking_approval else None
        # requested_at is auto_now_add; the benchmark wants the dates spread over the years.
        field = Expense._meta.get_field("requested_at")
        field.auto_now_add = False
        try:
            Expense.objects.bulk_create(expenses, batch_size=5000)
        finally:
            field.auto_now_add = True
