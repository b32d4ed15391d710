"""Per-supplier monthly statements (对账单) and the canteen's monthly financial statement.

A statement has a number (ST-<supplier>-<YYYYMM>) that finance pays by: the kernel resolves it
through the document registry, so finance links to it without importing canteen.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _

from canteen import selectors
from canteen.models import FoodCategory, Supplier
from logistics.models import School
from logistics.notices.kinds import Column, NoRecords, Snapshot
from logistics.registry import DocumentRef

NUMBER = re.compile(r"^ST-(\d+)-(\d{4})(\d{2})$")


def statement_number(supplier: Supplier, month: datetime.date) -> str:
    return f"ST-{supplier.pk}-{month:%Y%m}"


def _month_label(month: datetime.date) -> str:
    return f"{month.year}年{month.month}月"


def statement_snapshot(school: School, supplier: Supplier, month: datetime.date) -> Snapshot:
    lines = selectors.statement_lines(school, supplier.pk, month)
    rows = [
        {
            "date": line.receiving.date,
            "item": line.name,
            "category": FoodCategory(line.category).label,
            "quantity": f"{line.weighed if line.weighed is not None else line.quantity} "
            f"{line.unit}",
            "price": line.unit_price,
            "amount": line.amount,
        }
        for line in lines
    ]
    return Snapshot(
        title=_("Supplier statement %(number)s: %(supplier)s")
        % {"number": statement_number(supplier, month), "supplier": supplier.name},
        period=_month_label(month),
        columns=[
            Column("date", _("Date"), "date"),
            Column("item", _("Item")),
            Column("category", _("Category")),
            Column("quantity", _("Quantity")),
            Column("price", _("Unit price"), "money"),
            Column("amount", _("Amount"), "money"),
        ],
        rows=rows,
        totals={"amount": sum((r["amount"] for r in rows), Decimal("0.00"))},
        notes=_("Paid from the student meal-fee fund; quote this statement's number."),
        signatures=(_("Canteen manager"), _("Supplier"), _("Accountant")),
    )


def resolve_statements(school: School, numbers: list[str]) -> dict[str, DocumentRef]:
    """Statements by number: a supplier's statement of one month (NUMBER)."""
    matches = {n: m for n in numbers if (m := NUMBER.match(n))}
    suppliers = Supplier.objects.filter(
        school=school, pk__in={int(m[1]) for m in matches.values()}
    ).in_bulk()
    refs = {}
    for number, match in matches.items():
        supplier = suppliers.get(int(match[1]))
        if supplier is None:
            continue
        try:
            month = datetime.date(int(match[2]), int(match[3]), 1)
        except ValueError:  # ST-1-202613: no such month, no such statement
            continue
        refs[number] = DocumentRef(
            title=_("Statement %(number)s: %(supplier)s, %(month)s")
            % {"number": number, "supplier": supplier.name, "month": _month_label(month)},
            url=reverse("canteen:statement", args=[school.code, f"{month:%Y-%m}", supplier.pk]),
        )
    return refs


def build_finance(*, school: School, start: datetime.date, end: datetime.date) -> Snapshot:
    """食堂财务报表 for the month of `start`: income, spending by category, balance, cost."""
    account = selectors.month_account(school, start)
    if account.income is None and not account.by_category:
        raise NoRecords(_("No meal-fee income or food spending this month."))
    rows = [
        {
            "item": _("Meal-fee income"),
            "amount": account.income.amount if account.income else Decimal("0.00"),
        }
    ]
    rows += [
        {"item": _("Food: %(category)s") % {"category": c}, "amount": a}
        for c, a in account.by_category
    ]
    rows.append({"item": _("Total food spending"), "amount": account.spending})
    if account.balance is not None:
        rows.append({"item": _("Balance"), "amount": account.balance})
    if account.cost_per_student_day is not None:
        rows.append(
            {"item": _("Food cost per student-day"), "amount": account.cost_per_student_day}
        )
    return Snapshot(
        title=_("Canteen financial statement"),
        period=_month_label(account.month),
        columns=[Column("item", _("Item")), Column("amount", _("Amount"), "money")],
        rows=rows,
        signatures=(_("Canteen manager"), _("Accountant"), _("Principal")),
        publication_days=30,
    )
