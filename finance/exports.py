"""The finance reports as Excel and PDF, through the kernel's report renderers.

Each report is turned into a Snapshot from the same selector rows as its page, so filters
and scoping cannot differ; the kernel writes typed cells (user text never becomes a formula)
and the A4 print with one embedded CJK font.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from decimal import Decimal

from django.http import HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _

from finance.selectors import expense_labels, with_labels
from logistics.models import School
from logistics.notices.kinds import Column, Snapshot
from logistics.notices.reports import report_download

MAX_ROWS = 5000  # a school year of cash payments is far below this
FORMATS = ("xlsx", "pdf")


def _chinese(export: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Printed and downloaded reports are Chinese whatever the viewer's language."""

    @functools.wraps(export)
    def wrapped(*args, **kwargs) -> HttpResponse:
        with translation.override("zh-hans"):
            return export(*args, **kwargs)

    return wrapped


def _total(rows: list[dict], key: str) -> Decimal:
    return sum((r[key] or Decimal("0.00") for r in rows), Decimal("0.00"))


@_chinese
def monthly(fmt: str, school: School, month: datetime.date, lines: list) -> HttpResponse:
    """One row per fund with its balances, then a row per category it paid for."""
    data: list[dict] = []
    for line in lines:
        data.append(
            {
                "fund": str(line.fund),
                "category": _("All categories"),
                "opening": line.opening,
                "income": line.income,
                "spent": line.spent,
                "closing": line.closing,
            }
        )
        data.extend(
            {"fund": "", "category": label, "spent": amount} for label, amount in line.categories
        )
    snapshot = Snapshot(
        title=_("Monthly statement of funds"),
        period=f"{month.year}年{month.month}月",
        columns=[
            Column("fund", _("Fund")),
            Column("category", _("Spending category")),
            Column("opening", _("Opening balance"), "money"),
            Column("income", _("Income"), "money"),
            Column("spent", _("Spent in the month"), "money"),
            Column("closing", _("Closing balance"), "money"),
        ],
        rows=data,
        totals={
            "opening": sum((x.opening for x in lines), Decimal("0.00")),
            "income": sum((x.income for x in lines), Decimal("0.00")),
            "spent": sum((x.spent for x in lines), Decimal("0.00")),
            "closing": sum((x.closing for x in lines), Decimal("0.00")),
        },
        notes=_(
            "A fund's income for the school year counts as received on 1 September. "
            "Spending is what was paid in the month."
        ),
        signatures=(_("Prepared by"), _("Accountant"), _("Principal")),
    )
    return report_download(snapshot, school=school, fmt=fmt, filename=f"statement-{month:%Y-%m}")


@_chinese
def expenses(fmt: str, school: School, rows: list) -> HttpResponse:
    """The expense list as filtered on its page: the same selector and rows
    (selectors.expense_rows)."""
    labels = expense_labels()
    data = [
        {
            "number": e.id,
            "date": e.requested_on,
            "purpose": e.purpose,
            "fund": f"{e.fund_year} {e.fund_name}",  # as Fund.__str__
            "category": labels["category"].get(e.category, e.category),
            "payee": e.payee,
            "amount": e.amount,
            "handler": e.handler_name,
            "status": labels["status"].get(e.status, e.status),
            "voucher": e.voucher_no,
        }
        for e in rows
    ]
    snapshot = Snapshot(
        title=_("Expenses"),
        period="",
        columns=[
            Column("number", _("No.")),
            Column("date", _("Requested"), "date"),
            Column("purpose", _("Purpose")),
            Column("fund", _("Fund")),
            Column("category", _("Category")),
            Column("payee", _("Payee")),
            Column("amount", _("Amount"), "money"),
            Column("handler", _("Handler")),
            Column("status", _("Status")),
            Column("voucher", _("Voucher")),
        ],
        rows=data,
        totals={"amount": _total(data, "amount")},
    )
    return report_download(snapshot, school=school, fmt=fmt, filename="expenses")


@_chinese
def large(fmt: str, school: School, expenses: list) -> HttpResponse:
    with_labels(expenses)
    data = [
        {
            "date": e.requested_on,
            "purpose": e.purpose,
            "fund": f"{e.fund_year} {e.fund_name}",
            "amount": e.amount,
            "status": e.status_label,
            "signatures": "；".join(
                f"{s.step_label} {s.signer_name} {s.signed_on:%Y-%m-%d}" for s in e.signatures
            ),
            "voucher": e.voucher_no,
        }
        for e in expenses
    ]
    snapshot = Snapshot(
        title=_("Large-expense register"),
        period="",
        columns=[
            Column("date", _("Requested"), "date"),
            Column("purpose", _("Purpose")),
            Column("fund", _("Fund")),
            Column("amount", _("Amount"), "money"),
            Column("status", _("Status")),
            Column("signatures", _("Signatures")),
            Column("voucher", _("Voucher")),
        ],
        rows=data,
        totals={"amount": _total(data, "amount")},
        signatures=(_("Prepared by"), _("Principal")),
    )
    return report_download(snapshot, school=school, fmt=fmt, filename="large-expenses")


@_chinese
def cash(fmt: str, school: School, expenses: list) -> HttpResponse:
    status = expense_labels()["status"]
    data = [
        {
            "date": e.requested_on,
            "purpose": e.purpose,
            "payee": e.payee,
            "amount": e.amount,
            "flagged": _("yes") if e.cash_flagged else "",
            "reason": e.cash_reason,
            "status": status[e.status],
        }
        for e in expenses
    ]
    snapshot = Snapshot(
        title=_("Cash payments"),
        period="",
        columns=[
            Column("date", _("Requested"), "date"),
            Column("purpose", _("Purpose")),
            Column("payee", _("Payee")),
            Column("amount", _("Amount"), "money"),
            Column("flagged", _("Above the limit")),
            Column("reason", _("Reason")),
            Column("status", _("Status")),
        ],
        rows=data,
        totals={"amount": _total(data, "amount")},
        signatures=(_("Prepared by"), _("Principal")),
    )
    return report_download(snapshot, school=school, fmt=fmt, filename="cash-payments")
