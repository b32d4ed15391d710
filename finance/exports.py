"""The finance reports as Excel and PDF, through the kernel's report renderers.

Each report is turned into a Snapshot from the same selector rows as its page, so filters
and scoping cannot differ; the kernel writes typed cells (user text never becomes a formula)
and the A4 print with one embedded CJK font.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from logistics.models import School
from logistics.notices.kinds import Column, Snapshot
from logistics.notices.reports import report_download

MAX_ROWS = 5000  # a school year of cash payments is far below this
FORMATS = ("xlsx", "pdf")


def _day(value: datetime.datetime | None) -> datetime.date | None:
    return timezone.localdate(value) if value else None


def _total(rows: list[dict], key: str) -> Decimal:
    return sum((r[key] or Decimal("0.00") for r in rows), Decimal("0.00"))


def monthly(fmt: str, school: School, month: datetime.date, rows: list[dict]) -> HttpResponse:
    keys = ("income", "budget", "month_spent", "spent", "committed", "remaining", "balance")
    data = [{"fund": str(r["fund"]), **{k: r[k] for k in keys}} for r in rows]
    snapshot = Snapshot(
        title=_("Monthly expense statement"),
        period=f"{month.year}年{month.month}月",
        columns=[
            Column("fund", _("Fund")),
            Column("income", _("Income"), "money"),
            Column("budget", _("Budget"), "money"),
            Column("month_spent", _("Spent this month"), "money"),
            Column("spent", _("Spent"), "money"),
            Column("committed", _("Committed"), "money"),
            Column("remaining", _("Budget remaining"), "money"),
            Column("balance", _("Balance"), "money"),
        ],
        rows=data,
        totals={k: _total(data, k) for k in keys},
        signatures=(_("Prepared by"), _("Accountant"), _("Principal")),
    )
    return report_download(snapshot, school=school, fmt=fmt, filename=f"statement-{month:%Y-%m}")


def large(fmt: str, school: School, expenses: list) -> HttpResponse:
    data = [
        {
            "date": _day(e.requested_at),
            "purpose": e.purpose,
            "fund": str(e.fund),
            "amount": e.amount,
            "status": e.status_label,
            "signatures": "；".join(
                f"{s.step_label} {s.signer.get_full_name() or s.signer.username} "
                f"{_day(s.signed_at):%Y-%m-%d}"
                for s in e.signatures
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


def cash(fmt: str, school: School, expenses: list) -> HttpResponse:
    data = [
        {
            "date": _day(e.requested_at),
            "purpose": e.purpose,
            "payee": e.payee,
            "amount": e.amount,
            "flagged": _("yes") if e.cash_flagged else "",
            "reason": e.cash_reason,
            "status": e.status_label,
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
