"""Excel and PDF exports of the finance reports, from the same selectors as the pages.

Text that starts with =, +, - or @ is written as text, never as a formula.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from logistics.models import School

MONEY_FORMAT = "#,##0.00"
MAX_ROWS = 5000  # a school year of cash payments is far below this
_FORMULA_START = ("=", "+", "-", "@")


def _cell_value(value):
    if isinstance(value, datetime.datetime):
        return value.astimezone().replace(tzinfo=None)
    return value


def workbook(title: str, school: School, headers: list[str], rows: list[list]) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append([f"{school.name} {title}"])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(headers)
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for row in rows:
        ws.append([None] * len(row))
        r = ws.max_row
        for c, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=c)
            value = _cell_value(value)
            if isinstance(value, str):
                cell.value = value
                if value.startswith(_FORMULA_START):
                    cell.data_type = "s"  # stays text: never evaluated as a formula
            else:
                cell.value = value
            if isinstance(value, Decimal):
                cell.number_format = MONEY_FORMAT
            elif isinstance(value, datetime.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
    for c in range(1, len(headers) + 1):
        ws.column_dimensions[get_column_letter(c)].width = 16
    ws.print_title_rows = "2:2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _response(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _text(value) -> tuple[str, str]:
    """A value as printed, with its CSS class (money right-aligned)."""
    if isinstance(value, Decimal):
        return f"{value:,.2f}", "money"
    if isinstance(value, datetime.datetime):
        return f"{value.astimezone():%Y-%m-%d}", "date"
    return ("" if value is None else str(value)), "text"


def pdf(school: School, title: str, period: str, headers: list[str], rows: list[list]) -> bytes:
    """An A4 print of a report through the kernel's PDF renderer (one embedded CJK font)."""
    from logistics.notices.pdf import FONT_FAMILY, html_to_pdf

    html = render_to_string(
        "finance/print/report.html",
        {
            "school_name": school.name,
            "title": title,
            "period": period,
            "headers": headers,
            "rows": [[_text(v) for v in row] for row in rows],
            "landscape": len(headers) >= 6,
            "font_family": FONT_FAMILY,
            "printed_on": timezone.localdate(),
        },
    )
    data, _pages = html_to_pdf(html)
    return data


def export(
    fmt: str,
    school: School,
    title: str,
    period: str,
    headers: list[str],
    rows: list[list],
    filename: str,
) -> HttpResponse:
    if fmt == "pdf":
        return _response(
            pdf(school, title, period, headers, rows), f"{filename}.pdf", "application/pdf"
        )
    return _response(workbook(title, school, headers, rows), f"{filename}.xlsx", XLSX)


def monthly(fmt: str, school: School, month: datetime.date, rows: list[dict]) -> HttpResponse:
    headers = [
        _("Fund"),
        _("Income"),
        _("Budget"),
        _("Spent this month"),
        _("Spent"),
        _("Committed"),
        _("Budget remaining"),
        _("Balance"),
    ]
    data = [
        [
            str(r["fund"]),
            r["income"],
            r["budget"],
            r["month_spent"],
            r["spent"],
            r["committed"],
            r["remaining"],
            r["balance"],
        ]
        for r in rows
    ]
    title = _("Monthly expense statement")
    return export(fmt, school, title, f"{month:%Y-%m}", headers, data, f"statement-{month:%Y-%m}")


def large(fmt: str, school: School, expenses: list) -> HttpResponse:
    headers = [
        _("Requested"),
        _("Purpose"),
        _("Fund"),
        _("Amount"),
        _("Status"),
        _("Signatures"),
        _("Voucher"),
    ]
    data = [
        [
            e.requested_at,
            e.purpose,
            str(e.fund),
            e.amount,
            e.status_label,
            "；".join(
                f"{s.step_label} {s.signer.get_full_name() or s.signer.username} "
                f"{s.signed_at.astimezone():%Y-%m-%d}"
                for s in e.signatures
            ),
            e.voucher_no,
        ]
        for e in expenses
    ]
    return export(fmt, school, _("Large-expense register"), "", headers, data, "large-expenses")


def cash(fmt: str, school: School, expenses: list) -> HttpResponse:
    headers = [
        _("Requested"),
        _("Purpose"),
        _("Payee"),
        _("Amount"),
        _("Above the limit"),
        _("Reason"),
        _("Status"),
    ]
    data = [
        [
            e.requested_at,
            e.purpose,
            e.payee,
            e.amount,
            _("yes") if e.cash_flagged else "",
            e.cash_reason,
            e.status_label,
        ]
        for e in expenses
    ]
    return export(fmt, school, _("Cash payments"), "", headers, data, "cash-payments")
