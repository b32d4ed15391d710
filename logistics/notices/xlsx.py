"""Notices as Excel workbooks (openpyxl, write-only so 100,000 rows stay fast and small)."""

from __future__ import annotations

import re
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from logistics.notices import tables

NUMBER_FORMATS = {
    "money": '"¥"#,##0.00',
    "integer": "#,##0",
    "percent": "0.0%",
    "date": "yyyy-mm-dd",
}
HEADER_ROW = 4  # title, period, verification line, then the header
FORMULA_PREFIXES = ("=", "+", "-", "@")
_thin = Side(style="thin")
_border = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)


def _width(header: str, column_type: str, sample: list[Any]) -> float:
    def cells(text: str) -> int:  # a CJK character is about two Latin ones wide
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)

    longest = max([cells(header)] + [cells(str(v)) for v in sample if v is not None])
    if column_type == "money":
        longest = max(longest, 14)
    return min(max(longest + 2, 8), 60)


def _text(value: str) -> str:
    """The control characters XML cannot carry (all below 0x20 but tab, newline and carriage
    return) dropped: openpyxl refuses them, and in pasted text they mean nothing."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)


def _sheet_title(title: str) -> str:
    return re.sub(r"[\[\]:*?/\\]", " ", _text(title))[:31] or "Sheet1"


def write_xlsx(
    snapshot: dict[str, Any],
    stream: IO[bytes],
    *,
    school_name: str,
    verify_code: str = "",
    verify_url: str = "",
) -> None:
    """A snapshot as a workbook: values typed, user text never a formula. With a verification
    code it is a public notice (personal data masked); without, a staff report."""
    wb = Workbook(write_only=True)
    _write_sheet(
        wb, snapshot, school_name=school_name, verify_code=verify_code, verify_url=verify_url
    )
    wb.save(stream)


def write_workbook(snapshots: list[dict[str, Any]], stream: IO[bytes], *, school_name: str) -> None:
    """Several staff reports in one workbook, a sheet each (titles made unique)."""
    wb = Workbook(write_only=True)
    used: set[str] = set()
    for snapshot in snapshots:
        title = _sheet_title(snapshot["title"])
        n = 2
        while title in used:
            suffix = f" ({n})"
            title, n = _sheet_title(snapshot["title"])[: 31 - len(suffix)] + suffix, n + 1
        used.add(title)
        _write_sheet(wb, snapshot, school_name=school_name, sheet_title=title)
    wb.save(stream)


def _write_sheet(
    wb: Workbook,
    snapshot: dict[str, Any],
    *,
    school_name: str,
    verify_code: str = "",
    verify_url: str = "",
    sheet_title: str = "",
) -> None:
    columns = snapshot["columns"]
    types = [c["type"] for c in columns]
    rows = tables.values(snapshot, public=bool(verify_code))
    voided = tables.void_reasons(snapshot)

    ws = wb.create_sheet(sheet_title or _sheet_title(snapshot["title"]))
    for i, (col, t) in enumerate(zip(columns, types, strict=True), start=1):
        sample = [r[i - 1] for r in rows[:200]]
        ws.column_dimensions[get_column_letter(i)].width = _width(col["label"], t, sample)
    ws.freeze_panes = f"A{HEADER_ROW + 1}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if len(columns) >= 7 else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0

    def text_cell(value: str, **style: Any) -> WriteOnlyCell:
        cell = WriteOnlyCell(ws, value=_text(value))
        cell.data_type = "s"  # explicit: never a formula, whatever the text starts with
        for name, v in style.items():
            setattr(cell, name, v)
        return cell

    ws.append([text_cell(f"{school_name} {snapshot['title']}", font=Font(bold=True, size=14))])
    ws.append([text_cell(snapshot["period"])])
    third = f"验证码 {verify_code}  {verify_url}" if verify_code else ""
    ws.append([text_cell(third, font=Font(color="666666"))])
    header_fill = PatternFill("solid", start_color="DDEBF7")
    ws.append(
        [
            text_cell(
                c["label"],
                font=Font(bold=True),
                fill=header_fill,
                border=_border,
                alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
            )
            for c in columns
        ]
    )

    # Only cells that need a style or protection get a cell object; plain values go as they
    # are, which keeps 100,000 rows close to the speed of a bare write-only loop.
    # (openpyxl gives dates a date format by itself; whole numbers read fine as General.)
    styled = [i for i, t in enumerate(types) if t in ("money", "percent")]
    text_cols = [i for i, t in enumerate(types) if t == "text"]
    for index, row in enumerate(rows):
        out: list[Any] = list(row)
        for i in styled:
            if out[i] is not None:
                cell = WriteOnlyCell(ws, value=out[i])
                cell.number_format = NUMBER_FORMATS[types[i]]
                out[i] = cell
        for i in text_cols:
            v = out[i] and _text(out[i])  # first, so no control character hides a formula
            out[i] = text_cell(v) if v and v.startswith(FORMULA_PREFIXES) else v
        if index in voided:
            out = [_struck(ws, v) for v in out] + [text_cell(f"作废：{voided[index]}")]
        ws.append(out)

    totals = tables.totals_values(snapshot)
    if totals is not None:
        out = []
        for v, t in zip(totals, types, strict=True):
            cell = WriteOnlyCell(ws, value=v) if v is not None else WriteOnlyCell(ws)
            cell.font = Font(bold=True)
            if t in NUMBER_FORMATS:
                cell.number_format = NUMBER_FORMATS[t]
            out.append(cell)
        if out and out[0].value is None:
            out[0] = text_cell("合计", font=Font(bold=True))
        ws.append(out)
    if snapshot.get("notes"):
        ws.append([])
        ws.append([text_cell(snapshot["notes"])])


def _struck(ws: Worksheet, value: Any) -> WriteOnlyCell:
    """A voided row's cell, struck through (already a cell when it needed a format)."""
    cell = value if isinstance(value, Cell) else WriteOnlyCell(ws, value=value)
    cell.font = Font(strike=True, color="666666")
    return cell
