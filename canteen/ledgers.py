"""The paper ledgers (留样记录表, 晨检记录表, …): one definition per ledger, used by the page that
lists it and by its PDF/Excel print, so the two cannot differ.

A voided row stays in the ledger, printed struck through with its reason (the kernel's
VOID_REASON key; the page strikes it through too); the sample ledger adds a row for each dish of
the period without a sample, marked incomplete.

The busiest ledgers (samples, morning checks, receiving) read plain rows (canteen.selectors: one
query definition for both), the page through a prepared list; their row functions take those
plain rows, so the page and the print still share them. The others read model objects.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.template import engines
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from markupsafe import Markup, escape

from canteen import selectors
from canteen.legal import LEGAL_BASIS
from canteen.models import Meal, MenuDish, MorningCheck, Sample
from logistics.html import yuan
from logistics.models import School
from logistics.notices.kinds import VOID_REASON, Column, Snapshot
from logistics.prepared import PreparedList
from logistics.selectors import display, label_map


def _who(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def _time(value: datetime.datetime | None) -> str:
    return timezone.localtime(value).strftime("%m-%d %H:%M") if value else ""


def _label(choices, value) -> str:
    """A plain row's choice label (what display() gives for a model object)."""
    return _labels(choices, get_language()).get(value, value)


@lru_cache(maxsize=64)
def _labels(choices, language: str | None) -> dict[str, str]:
    return label_map(choices)


def _void(record) -> dict[str, str]:
    # A plain receiving row carries its delivery's void columns; a model line has its delivery.
    voidable = getattr(record, "receiving", record)
    if getattr(voidable, "voided_at", None) is None:
        return {}
    return {VOID_REASON: voidable.void_reason or _("voided")}


@dataclass(frozen=True)
class Ledger:
    code: str
    title: Any  # lazy
    basis: str
    columns: Callable[[], list[Column]]
    # The period's records: model objects, or plain rows (dicts) for a ledger with a `page`.
    records: Callable[[School, datetime.date, datetime.date], QuerySet]
    row: Callable[[Any], dict[str, Any]]
    extra_rows: Callable[[School, datetime.date, datetime.date], list[dict]] | None = None
    # A plain-row ledger's page (a PreparedList of the same rows), the model label of the
    # record its rows void and the column holding that record's key.
    page: Callable[[School, datetime.date, datetime.date], PreparedList] | None = None
    voids: str = ""
    void_key: str = "id"

    def rows(self, records: Iterable) -> list[dict[str, Any]]:
        return [self.row(r) | _void(r) for r in records]

    def listed(self, school: School, start: datetime.date, end: datetime.date):
        """What the page lists: a queryset of model objects or a prepared list of plain rows."""
        if self.page is not None:
            return self.page(school, start, end)
        return self.records(school, start, end)

    def table(self, records: list, columns: list[Column]) -> list[tuple[str, Any, list, str]]:
        """A page's rows: the label and key of the record each row voids (a receiving line is
        voided with its delivery), its cells in `columns` order, and its void reason. Money as
        the kernel writes it (12,345.60): localizing a Decimal in the template cost 6 µs a
        cell, a tenth of the receiving ledger's page."""
        keys = [(c.key, c.type == "money") for c in columns]
        # A row's cells as one piece of markup, each printed as {{ value }} prints it in the
        # Jinja2 rows (escaped, dates localized, None as nothing): Jinja2's loop over a page's
        # 550 cells cost more. A value other than text (a date, a sum) is printed once a page.
        finalize = engines["jinja2"].env.finalize
        printed: dict[Any, str] = {}
        found = []
        for record in records:
            if self.voids:
                label, pk = self.voids, getattr(record, self.void_key)
            else:
                voidable = getattr(record, "receiving", record)
                label, pk = voidable._meta.label_lower, voidable.pk
            row = self.row(record)
            values = [yuan(row.get(k)) if money else row.get(k, "") for k, money in keys]
            texts = [
                v if type(v) is str else printed.get(v) or printed.setdefault(v, finalize(v))
                for v in values
            ]
            # Escaped at once, split on NUL, which no cell holds (PostgreSQL's text refuses it).
            cells = "</td><td>".join(str.split(escape("\0".join(texts)), "\0"))  # no Markup a cell
            # Safe: every cell is escaped on the line above.
            cells = Markup(f"<td>{cells}</td>")  # noqa: S704 # nosec B704
            found.append((label, pk, cells, _void(record).get(VOID_REASON, "")))
        return found

    def snapshot(self, school: School, start: datetime.date, end: datetime.date) -> Snapshot:
        records = self.records(school, start, end)
        if self.page is not None:
            records = [SimpleNamespace(**r) for r in records]
        rows = self.rows(records)
        if self.extra_rows:
            rows = sorted(rows + self.extra_rows(school, start, end), key=lambda r: r["date"])
        return Snapshot(
            title=str(self.title),
            period=f"{start:%Y年%m月%d日}至{end:%Y年%m月%d日}",
            columns=self.columns(),
            rows=rows,
            notes=_("Basis: %(basis)s") % {"basis": self.basis},
            signatures=(_("Recorded by"), _("Checked by")),
        )


def _sample_columns() -> list[Column]:
    return [
        Column("date", _("Date"), "date"),
        Column("meal", _("Meal")),
        Column("dish", _("Dish")),
        Column("grams", _("Weight (g)")),
        Column("taken", _("Sampled at")),
        Column("sampler", _("Sampled by")),
        Column("reviewer", _("Checked by")),
        Column("fridge", _("Fridge")),
        Column("disposed", _("Disposed at")),
        Column("disposed_by", _("Disposed by")),
        Column("remark", _("Remarks")),
    ]


def _sample_row(s) -> dict[str, Any]:
    """A plain row of selectors.sample_rows."""
    return {
        "date": s.date,
        "meal": _label(Meal, s.meal),
        "dish": s.dish_name,
        "grams": str(s.grams),
        "taken": _time(s.taken_at),
        "sampler": s.sampler_name,
        "reviewer": s.reviewer_name,
        "fridge": s.fridge,
        "disposed": _time(s.disposed_at),
        "disposed_by": s.disposed_by_name or "",
    }


def _unsampled(school: School, start: datetime.date, end: datetime.date) -> list[dict]:
    sampled = Sample.objects.filter(school=school, dish=OuterRef("pk"), voided_at__isnull=True)
    dishes = (
        MenuDish.objects.filter(school=school, date__gte=start, date__lte=end)
        .exclude(Exists(sampled))
        .order_by("date", "meal", "position")
    )
    return [
        {
            "date": d.date,
            "meal": display(d, "meal"),
            "dish": d.name,
            "remark": _("No sample: incomplete"),
        }
        for d in dishes
    ]


def _morning_columns() -> list[Column]:
    return [
        Column("date", _("Date"), "date"),
        Column("name", _("Name")),
        Column("temperature", _("Temperature (°C)")),
        Column("findings", _("Findings")),
        Column("result", _("Result")),
        Column("checker", _("Checked by")),
        Column("remark", _("Remarks")),
    ]


def _morning_row(c) -> dict[str, Any]:
    """A plain row of selectors.morning_check_rows."""
    findings = [
        str(MorningCheck._meta.get_field(k).verbose_name)
        for k in MorningCheck.ITEMS
        if getattr(c, k)
    ]
    if not c.hygiene_ok:
        findings.append(_("personal hygiene"))
    return {
        "date": c.date,
        "name": c.staff_name,
        "temperature": str(c.temperature),
        "findings": "、".join(findings) or _("none"),
        "result": _("Passed") if c.passed else _("Failed: off duty"),
        "checker": c.checked_by_name or "",
    }


def _receiving_columns() -> list[Column]:
    return [
        Column("date", _("Date"), "date"),
        Column("supplier", _("Supplier")),
        Column("item", _("Item")),
        Column("spec", _("Spec")),
        Column("quantity", _("Quantity")),
        Column("weighed", _("Weighed")),
        Column("price", _("Unit price"), "money"),
        Column("amount", _("Amount"), "money"),
        Column("batch", _("Batch / production date")),
        Column("shelf", _("Shelf life (days)")),
        Column("temperature", _("Temperature")),
        Column("result", _("Result")),
        Column("keep", _("Keep until"), "date"),
        Column("inspectors", _("Inspectors")),
        Column("remark", _("Remarks")),
    ]


def _receiving_row(line) -> dict[str, Any]:
    """A plain row of selectors.receiving_line_rows."""
    people = [line.inspector_name] + (
        [line.second_inspector_name] if line.second_inspector_name else []
    )
    return {
        "date": line.date,
        "supplier": line.supplier_name,
        "item": line.name,
        "spec": line.spec,
        "quantity": f"{line.quantity} {line.unit}",
        "weighed": str(line.weighed) if line.weighed is not None else "",
        "price": line.unit_price,
        "amount": line.amount,
        "batch": line.batch or (line.production_date.isoformat() if line.production_date else ""),
        "shelf": str(line.shelf_life_days or ""),
        "temperature": str(line.temperature) if line.temperature is not None else "",
        "result": _("Accepted") if line.accepted else _("Rejected: %(d)s") % {"d": line.disposal},
        "keep": line.retain_until,
        "inspectors": "、".join(people),
    }


def _disinfection_columns() -> list[Column]:
    return [
        Column("date", _("Date"), "date"),
        Column("meal", _("Meal")),
        Column("method", _("Method")),
        Column("celsius", _("Temperature (°C)")),
        Column("mgl", _("Concentration (mg/L)")),
        Column("duration", _("Duration")),
        Column("items", _("Tableware")),
        Column("operator", _("Operator")),
        Column("checker", _("Checked by")),
        Column("remark", _("Remarks")),
    ]


def _disinfection_row(d) -> dict[str, Any]:
    minutes, seconds = divmod(d.seconds, 60)
    return {
        "date": d.date,
        "meal": display(d, "meal"),
        "method": display(d, "method"),
        "celsius": str(d.celsius) if d.celsius is not None else "",
        "mgl": str(d.mg_per_litre or ""),
        "duration": _("%(m)s min %(s)s s") % {"m": minutes, "s": seconds},
        "items": d.items,
        "operator": d.operator.name,
        "checker": d.checker.name,
    }


def _accompanied_columns() -> list[Column]:
    return [
        Column("date", _("Date"), "date"),
        Column("meal", _("Meal")),
        Column("companion", _("Companion")),
        Column("role", _("Role")),
        Column("ratings", _("Ratings per dish")),
        Column("problems", _("Problems")),
        Column("remark", _("Remarks")),
    ]


def _accompanied_row(a) -> dict[str, Any]:
    return {
        "date": a.date,
        "meal": display(a, "meal"),
        "companion": _who(a.companion),
        "role": a.companion_title,
        "ratings": "；".join(f"{r.dish.name} {r.rating}" for r in a.ratings.all()),
        "problems": a.problems,
    }


def _temperature_columns() -> list[Column]:
    return [
        Column("date", _("Date"), "date"),
        Column("time", _("Time")),
        Column("equipment", _("Equipment")),
        Column("celsius", _("Reading (°C)")),
        Column("result", _("Result")),
        Column("action", _("Corrective action")),
        Column("recorder", _("Recorded by")),
        Column("remark", _("Remarks")),
    ]


def _temperature_row(t) -> dict[str, Any]:
    return {
        "date": t.date,
        "time": _time(t.taken_at),
        "equipment": f"{display(t, 'equipment')} {t.label}".strip(),
        "celsius": str(t.celsius),
        "result": _("In range") if t.in_range else _("Out of range"),
        "action": t.corrective_action,
        "recorder": _who(t.recorded_by),
    }


def _complaint_columns() -> list[Column]:
    return [
        Column("date", _("Date"), "date"),
        Column("channel", _("Channel")),
        Column("content", _("Complaint")),
        Column("recorder", _("Recorded by")),
        Column("reply", _("Reply")),
        Column("handler", _("Handled by")),
        Column("closed", _("Closed on"), "date"),
        Column("days", _("Days to close")),
        Column("remark", _("Remarks")),
    ]


def _complaint_row(c) -> dict[str, Any]:
    return {
        "date": c.received_on,
        "channel": display(c, "channel"),
        "content": c.content,
        "recorder": _who(c.recorded_by),
        "reply": c.reply,
        "handler": _who(c.replied_by),
        "closed": c.closed_on,
        "days": "" if c.days_to_close is None else str(c.days_to_close),
    }


def _waste_columns() -> list[Column]:
    return [
        Column("date", _("Date"), "date"),
        Column("meal", _("Meal")),
        Column("kind", _("Kind")),
        Column("kg", _("Weight (kg)")),
        Column("hauler", _("Licensed hauler")),
        Column("recorder", _("Recorded by")),
        Column("remark", _("Remarks")),
    ]


def _waste_row(w) -> dict[str, Any]:
    return {
        "date": w.date,
        "meal": display(w, "meal"),
        "kind": display(w, "kind"),
        "kg": str(w.kg),
        "hauler": w.hauler,
        "recorder": _who(w.recorded_by),
    }


def _training_columns() -> list[Column]:
    return [
        Column("date", _("Date"), "date"),
        Column("kind", _("Kind")),
        Column("topic", _("Topic")),
        Column("trainer", _("Trainer")),
        Column("hours", _("Hours")),
        Column("attendees", _("Attendees")),
        Column("passed", _("Passed")),
        Column("remark", _("Remarks")),
    ]


def _training_row(t) -> dict[str, Any]:
    people = [a.name for a in t.attendees.all()]
    return {
        "date": t.date,
        "kind": display(t, "kind"),
        "topic": t.topic,
        "trainer": t.trainer,
        "hours": str(t.hours),
        "attendees": "、".join(people),
        "passed": "" if t.passed is None else f"{t.passed}/{len(people)}",
    }


def _inspection_columns() -> list[Column]:
    return [
        Column("date", _("Date"), "date"),
        Column("kind", _("Kind")),
        Column("inspector", _("Inspected by")),
        Column("checked", _("Items checked"), "integer"),
        Column("problems", _("Problems found")),
        Column("summary", _("Summary")),
    ]


def _inspection_row(i) -> dict[str, Any]:
    items = list(i.items.all())
    problems = [f"{x.text}：{x.note}" if x.note else x.text for x in items if not x.passed]
    return {
        "date": i.date,
        "kind": display(i, "kind"),
        "inspector": _who(i.inspector),
        "checked": len(items) if i.kind in ("daily", "weekly") else None,
        "problems": "；".join(problems) or _("none"),
        "summary": i.summary,
    }


def _action_columns() -> list[Column]:
    return [
        Column("date", _("Found on"), "date"),
        Column("source", _("Found by")),
        Column("problem", _("Problem")),
        Column("owner", _("Responsible")),
        Column("deadline", _("Fix by"), "date"),
        Column("fix", _("What was done")),
        Column("fixed", _("Fixed by")),
        Column("verified", _("Verified by")),
        Column("status", _("Status")),
    ]


def _action_row(a) -> dict[str, Any]:
    inspection = a.item.inspection
    return {
        "date": inspection.date,
        "source": display(inspection, "kind"),
        "problem": a.problem,
        "owner": _who(a.owner),
        "deadline": a.deadline,
        "fix": a.fix_note,
        "fixed": f"{_who(a.fixed_by)} {_time(a.fixed_at)}".strip(),
        "verified": f"{_who(a.verified_by)} {_time(a.verified_at)} {a.verify_note}".strip(),
        "status": display(a, "status"),
    }


def _minutes_columns() -> list[Column]:
    return [
        Column("date", _("Held on"), "date"),
        Column("month", _("Month")),
        Column("chair", _("Chaired by")),
        Column("attendees", _("Attendees")),
        Column("summary", _("This month's food safety")),
        Column("problems", _("Problems found")),
        Column("plan", _("Next month's work")),
        Column("status", _("Principal's signature")),
    ]


def _minutes_row(m) -> dict[str, Any]:
    return {
        "date": m.held_on,
        "month": f"{m.month:%Y-%m}",
        "chair": m.chair,
        "attendees": m.attendees,
        "summary": m.summary,
        "problems": m.problems,
        "plan": m.plan,
        "status": display(m, "status"),
    }


def _incident_columns() -> list[Column]:
    return [
        Column("date", _("Date"), "date"),
        Column("discovered", _("Discovered at")),
        Column("what", _("What happened")),
        Column("affected", _("People affected"), "integer"),
        Column("stopped", _("What was stopped")),
        Column("sealed", _("Samples sealed")),
        Column("reported", _("Reported at")),
        Column("reported_to", _("Reported to")),
        Column("measures", _("Measures taken")),
        Column("conclusion", _("Conclusion")),
    ]


def _incident_row(i) -> dict[str, Any]:
    sealed = [f"{s.date:%m-%d} {display(s, 'meal')} {s.dish.name}" for s in i.sealed_samples.all()]
    return {
        "date": timezone.localdate(i.discovered_at),
        "discovered": _time(i.discovered_at),
        "what": i.description,
        "affected": i.people_affected,
        "stopped": i.stopped,
        "sealed": "、".join(sealed),
        "reported": _time(i.reported_at),
        "reported_to": i.reported_to,
        "measures": i.measures,
        "conclusion": i.closing_note,
    }


LEDGERS: dict[str, Ledger] = {
    ledger.code: ledger
    for ledger in (
        Ledger(
            "samples",
            gettext_lazy("Retained sample ledger"),
            LEGAL_BASIS["sample"],
            _sample_columns,
            selectors.samples_between,
            _sample_row,
            _unsampled,
            page=selectors.sample_page,
            voids="canteen.sample",
        ),
        Ledger(
            "morning",
            gettext_lazy("Morning check ledger"),
            LEGAL_BASIS["morning_check"],
            _morning_columns,
            selectors.morning_checks_between,
            _morning_row,
            page=selectors.morning_page,
            voids="canteen.morningcheck",
        ),
        Ledger(
            "receiving",
            gettext_lazy("Receiving inspection ledger"),
            LEGAL_BASIS["receiving"],
            _receiving_columns,
            selectors.receiving_lines_between,
            _receiving_row,
            page=selectors.receiving_page,
            voids="canteen.receiving",
            void_key="receiving_id",
        ),
        Ledger(
            "disinfection",
            gettext_lazy("Tableware disinfection ledger"),
            LEGAL_BASIS["disinfection"],
            _disinfection_columns,
            selectors.disinfections_between,
            _disinfection_row,
        ),
        Ledger(
            "accompanied",
            gettext_lazy("Accompanied meal ledger"),
            LEGAL_BASIS["accompanied"],
            _accompanied_columns,
            selectors.accompanied_between,
            _accompanied_row,
        ),
        Ledger(
            "temperatures",
            gettext_lazy("Temperature ledger"),
            LEGAL_BASIS["temperature"],
            _temperature_columns,
            selectors.temperatures_between,
            _temperature_row,
        ),
        Ledger(
            "complaints",
            gettext_lazy("Complaint ledger"),
            LEGAL_BASIS["complaint"],
            _complaint_columns,
            selectors.complaints_between,
            _complaint_row,
        ),
        Ledger(
            "waste",
            gettext_lazy("Kitchen waste ledger"),
            LEGAL_BASIS["waste"],
            _waste_columns,
            selectors.waste_between,
            _waste_row,
        ),
        Ledger(
            "training",
            gettext_lazy("Training and exam ledger"),
            LEGAL_BASIS["training"],
            _training_columns,
            selectors.trainings_between,
            _training_row,
        ),
        Ledger(
            "inspections",
            gettext_lazy("Self-inspection ledger"),
            LEGAL_BASIS["self_inspection"],
            _inspection_columns,
            selectors.inspections_between,
            _inspection_row,
        ),
        Ledger(
            "actions",
            gettext_lazy("Corrective action ledger"),
            LEGAL_BASIS["self_inspection"],
            _action_columns,
            selectors.actions_between,
            _action_row,
        ),
        Ledger(
            "minutes",
            gettext_lazy("Monthly scheduling meeting minutes"),
            LEGAL_BASIS["self_inspection"],
            _minutes_columns,
            selectors.minutes_between,
            _minutes_row,
        ),
        Ledger(
            "incidents",
            gettext_lazy("Food-safety incident ledger"),
            LEGAL_BASIS["incident"],
            _incident_columns,
            selectors.incidents_between,
            _incident_row,
        ),
    )
}
