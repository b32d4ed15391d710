"""Printed reports (PDF and Excel through the kernel's report_download), built from the same
selectors as the pages. Printed text is Chinese whatever the viewer's language."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from logistics.notices.kinds import Column, Snapshot
from safety.models import Inspection, InspectionItem
from safety.selectors import RegisterRow


def _date(d: datetime.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _time(dt: datetime.datetime | None) -> str:
    return f"{timezone.localtime(dt):%H:%M}" if dt else ""


def inspection_snapshot(inspection: Inspection, items: list[InspectionItem]) -> Snapshot:
    with translation.override("zh-hans"):
        rows = []
        for n, item in enumerate(items, start=1):
            reading = ""
            if item.number is not None:
                reading = f"{item.number.normalize():f} {item.unit}".strip()
            rows.append(
                {
                    "n": n,
                    "item": item.text,
                    "basis": item.basis,
                    "result": item.get_result_display() if item.result else _("Not answered"),
                    "reading": reading or item.answer,
                    "note": item.note,
                }
            )
        started = timezone.localdate(inspection.started_at)
        notes = _("Inspector: %(who)s; signed: %(name)s; %(n)s failed items.") % {
            "who": inspection.inspector.get_full_name() or inspection.inspector.username,
            "name": inspection.signed_name or _("not signed yet"),
            "n": inspection.failed_count,
        }
        if inspection.is_voided:
            notes += " " + _("VOIDED: %(reason)s") % {"reason": inspection.void_reason}
        return Snapshot(
            title=_("Safety inspection record: %(name)s") % {"name": inspection.checklist.name},
            period=f"{_date(started)}（{inspection.get_kind_display()}）",
            columns=[
                Column("n", _("No."), "integer"),
                Column("item", _("Checked item")),
                Column("basis", _("Basis")),
                Column("result", _("Result")),
                Column("reading", _("Reading")),
                Column("note", _("Note")),
            ],
            rows=rows,
            notes=notes,
            signatures=(_("Inspector"), _("Person in charge")),
        )


def register_snapshot(register: dict[str, list[RegisterRow]], year: int) -> Snapshot:
    with translation.override("zh-hans"):
        rows = [
            {
                "group": f"{_('By area') if key == 'area' else _('By month')}：{r.label}",
                "total": r.total,
                "open": r.open,
                "overdue": r.overdue,
                "closed": r.closed,
                "days": "" if r.avg_days is None else f"{r.avg_days:.1f}",
            }
            for key in ("area", "month")
            for r in register[key]
        ]
        return Snapshot(
            title=_("Hazard register"),
            period=f"{year}年",
            columns=[
                Column("group", _("Group")),
                Column("total", _("Hazards found"), "integer"),
                Column("open", _("Not closed"), "integer"),
                Column("overdue", _("Overdue"), "integer"),
                Column("closed", _("Closed (verified)"), "integer"),
                Column("days", _("Average days to close")),
            ],
            rows=rows,
            signatures=(_("Safety officer"), _("Principal")),
        )


def gate_snapshot(entries: list[SimpleNamespace], day: datetime.date) -> Snapshot:
    """The day's register (selectors.gate_entries); ID numbers as the viewer may see them."""
    with translation.override("zh-hans"):
        rows = [
            {
                "in": _time(e.time_in),
                "out": _time(e.time_out) or _("still inside"),
                "name": e.name,
                "id": e.id_shown,
                "unit": e.unit,
                "reason": e.reason,
                "host": e.host,
                "void": _("VOIDED: %(reason)s") % {"reason": e.void_reason} if e.is_voided else "",
            }
            for e in entries
        ]
        return Snapshot(
            title=_("Gate register"),
            period=_date(day),
            columns=[
                Column("in", _("In")),
                Column("out", _("Out")),
                Column("name", _("Name")),
                Column("id", _("ID number")),
                Column("unit", _("Work unit")),
                Column("reason", _("Reason for the visit")),
                Column("host", _("Person visited")),
                Column("void", _("Voided")),
            ],
            rows=rows,
            signatures=(_("Guard"), _("Safety officer")),
        )
