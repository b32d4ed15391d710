"""A snapshot as rows of display text, with personal data masked for the public."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils.formats import date_format

from logistics.notices.kinds import decode


def mask_name(name: str) -> str:
    """张三明 -> 张*明, 张三 -> 张*: enough for a parent to recognise, not to copy."""
    name = name.strip()
    if len(name) <= 1:
        return "*" if name else ""
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_number(number: str) -> str:
    """An ID card or phone number: only the last four characters stay."""
    number = number.strip()
    return "*" * max(len(number) - 4, 0) + number[-4:] if len(number) > 4 else "*" * len(number)


def mask(value: Any, personal: str) -> Any:
    if value is None or not personal:
        return value
    return mask_name(str(value)) if personal == "name" else mask_number(str(value))


def format_value(value: Any, column_type: str) -> str:
    if value is None:
        return ""
    if column_type == "money":
        return f"¥{value:,.2f}"
    if column_type == "percent":
        return f"{value * 100:.1f}%".replace(".0%", "%")
    if column_type == "integer":
        return f"{value:,}"
    if isinstance(value, datetime.date):
        return date_format(value, "DATE_FORMAT")
    return str(value)


class Row(list):
    """A row's cells as (text, column type); `void_reason` set when the record was voided."""

    void_reason = ""


@dataclass
class Table:
    title: str
    period: str
    headers: list[str]
    types: list[str]
    rows: list[Row]
    totals: list[tuple[str, str]] | None
    notes: str
    signatures: list[str]
    publication_days: int


def values(snapshot: dict[str, Any], *, public: bool) -> list[list[Any]]:
    """Rows as Python values (Decimal, date, ...), masked when `public`."""
    columns = snapshot["columns"]
    out = []
    for row in snapshot["rows"]:
        cells = []
        for col, raw in zip(columns, row, strict=True):
            value = decode(raw, col["type"])
            cells.append(mask(value, col["personal"]) if public else value)
        out.append(cells)
    return out


def totals_values(snapshot: dict[str, Any]) -> list[Any] | None:
    totals = snapshot.get("totals") or {}
    if not totals:
        return None
    return [decode(totals.get(c["key"]), c["type"]) for c in snapshot["columns"]]


def void_reasons(snapshot: dict[str, Any]) -> dict[int, str]:
    return {int(i): reason for i, reason in snapshot.get("voided", {}).items()}


def _rows(snapshot: dict[str, Any], types: list[str], *, public: bool) -> list[Row]:
    voided = void_reasons(snapshot)
    rows = []
    for i, cells in enumerate(values(snapshot, public=public)):
        row = Row((format_value(v, t), t) for v, t in zip(cells, types, strict=True))
        row.void_reason = voided.get(i, "")
        rows.append(row)
    return rows


def table(snapshot: dict[str, Any], *, public: bool) -> Table:
    types = [c["type"] for c in snapshot["columns"]]
    totals = totals_values(snapshot)
    total_cells = None
    if totals is not None:
        total_cells = [(format_value(v, t), t) for v, t in zip(totals, types, strict=True)]
        if not total_cells[0][0]:
            total_cells[0] = ("合计", "text")
    return Table(
        title=snapshot["title"],
        period=snapshot["period"],
        headers=[c["label"] for c in snapshot["columns"]],
        types=types,
        rows=_rows(snapshot, types, public=public),
        totals=total_cells,
        notes=snapshot.get("notes", ""),
        signatures=list(snapshot.get("signatures", [])),
        publication_days=snapshot.get("publication_days", 7),
    )
