"""The notice kinds apps register, and the snapshot a kind's builder returns.

An app registers a kind in its AppConfig.ready():

    from logistics.notices.kinds import Column, NoticeKind, NoRecords, Snapshot, register_kind

    register_kind(NoticeKind(code="finance.fees", label=_("代办费收支公示"),
                             capability="finance.notices", build=build_fee_statement))

`build(*, school, start, end)` turns the kind's records of one period into a Snapshot (values
as Python objects: str, int, Decimal, datetime.date) or raises NoRecords. The engine stores
the snapshot as JSON when a draft is made; publishing freezes it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

COLUMN_TYPES = ("text", "integer", "money", "date", "percent")
# "name": partly masked in public (张*明); "number": ID or phone, last four digits only.
PERSONAL_KINDS = ("", "name", "number")


class NoRecords(Exception):
    """The builder found nothing to publish for the period; the message is for the user."""


# A row of a printed ledger may carry this key with the reason it was voided: the row is
# printed struck through with the reason under it (voided statutory records stay on paper).
VOID_REASON = "__void_reason__"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    type: str = "text"
    personal: str = ""

    def __post_init__(self) -> None:
        if self.type not in COLUMN_TYPES:
            raise ValueError(f"column type {self.type!r} not in {COLUMN_TYPES}")
        if self.personal not in PERSONAL_KINDS:
            raise ValueError(f"personal {self.personal!r} not in {PERSONAL_KINDS}")


@dataclass
class Snapshot:
    title: str
    period: str  # as printed, e.g. "2022年秋季学期" or "2022年9月1日至2023年1月15日"
    columns: Sequence[Column]
    rows: Sequence[dict[str, Any]]  # values by column key
    totals: dict[str, Any] = field(default_factory=dict)  # by column key; others left blank
    notes: str = ""
    signatures: Sequence[str] = ("经办人", "校长")
    publication_days: int = 7

    def to_json(self) -> dict[str, Any]:
        types = {c.key: c.type for c in self.columns}
        data = {
            "title": str(self.title),
            "period": str(self.period),
            "columns": [
                {"key": c.key, "label": str(c.label), "type": c.type, "personal": c.personal}
                for c in self.columns
            ],
            "rows": [[encode(row.get(c.key), c.type) for c in self.columns] for row in self.rows],
            "totals": {k: encode(v, types[k]) for k, v in self.totals.items()},
            "notes": str(self.notes),
            "signatures": [str(s) for s in self.signatures],
            "publication_days": int(self.publication_days),
        }
        voided = {
            str(i): str(r[VOID_REASON]) for i, r in enumerate(self.rows) if r.get(VOID_REASON)
        }
        if voided:  # by row index; absent from every notice that has none
            data["voided"] = voided
        return data


def encode(value: Any, column_type: str) -> Any:
    """Python value -> JSON: money and percent as exact decimal strings, dates as ISO."""
    if value is None or value == "":
        return None
    if column_type in ("money", "percent"):
        return str(Decimal(value))
    if column_type == "integer":
        return int(value)
    if column_type == "date":
        return value.isoformat() if isinstance(value, datetime.date) else str(value)
    return str(value)


def decode(value: Any, column_type: str) -> Any:
    """JSON -> Python value, the inverse of encode()."""
    if value is None:
        return None
    if column_type in ("money", "percent"):
        return Decimal(value)
    if column_type == "date":
        return datetime.date.fromisoformat(value)
    return value


@dataclass(frozen=True)
class NoticeKind:
    code: str
    label: str
    capability: str  # who may prepare notices of this kind (and see personal data in full)
    build: Callable[..., Snapshot] | None  # build(*, school, start, end); None: typed in
    help_text: str = ""
    # Who publishes (signs) it by default; a school may name another capability per kind
    # (School.settings["notice_publishers"]), e.g. the food-safety officer for daily reports.
    publish_capability: str = "notices.approve"
    # Names, ID numbers, family details: off the public board once the period ends.
    personal_data: bool = False
    # Whether an ended notice stays readable in the public archive.
    public_archive: bool = True


_kinds: dict[str, NoticeKind] = {}


def register_kind(kind: NoticeKind) -> None:
    if kind.code in _kinds:
        raise ValueError(f"notice kind {kind.code} registered twice")
    _kinds[kind.code] = kind


def get_kind(code: str) -> NoticeKind:
    return _kinds[code]


def all_kinds() -> list[NoticeKind]:
    return list(_kinds.values())


# The kernel's own kind: a table typed in or imported from .xlsx, so a school can publish
# anything today. Its drafts carry their snapshot; there is nothing to build.
FREE_TABLE = NoticeKind(
    code="free_table",
    label="自由表格公示",
    capability="notices.prepare",
    build=None,
    help_text="标题、列和行由您填写或从 Excel 导入。",
)
