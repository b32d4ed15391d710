"""Every write of the safety app: <entity>_<verb>(*, school, actor, ...) in a transaction.

Transitions lock the row, check its current state, save, and log the business event in the
same transaction; repeating a finished transition is a no-op.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from logistics.approvals import Step, approval_start
from logistics.attachments import CleanUpload, attachment_create
from logistics.audit import record_event
from logistics.models import Approval, Membership, School
from logistics.roles import capabilities_for
from safety import capabilities as caps
from safety.defaults import DEFAULTS
from safety.models import (
    Checklist,
    ChecklistItem,
    Drill,
    DrillSchedule,
    DutyRoster,
    DutyShift,
    EmergencyKind,
    EmergencyPlan,
    Equipment,
    EquipmentCheck,
    GateEntry,
    Hazard,
    HazardPhoto,
    HazardSource,
    HazardStatus,
    Inspection,
    InspectionItem,
    InspectionStatus,
    ItemKind,
    PlanKind,
    PlannedInspection,
    Result,
    Severity,
    SwapRequest,
    SwapStatus,
    Visitor,
)

ITEM_FIELDS = ("position", "text", "kind", "min_value", "max_value", "unit", "basis")


def _is_member(school: School, user) -> bool:
    return Membership.objects.filter(school=school, user=user).exists()


# ---------------------------------------------------------------- checklists


def checklists_install_defaults(*, school: School, actor) -> int:
    """Copy the shipped checklists into the school; ones it already has (by name) are kept."""
    with transaction.atomic():
        have = set(Checklist.objects.filter(school=school).values_list("name", flat=True))
        created = 0
        for area, (name, items) in DEFAULTS.items():
            if name in have:
                continue
            checklist = Checklist.objects.create(school=school, area=area, name=name)
            ChecklistItem.objects.bulk_create(
                ChecklistItem(school=school, checklist=checklist, position=i, **item._asdict())
                for i, item in enumerate(items, start=1)
            )
            created += 1
        if created:
            record_event(
                school=school,
                actor=actor,
                action="safety.checklists.installed",
                summary=_("%(n)s default checklists installed") % {"n": created},
            )
        return created


def checklist_create(*, school: School, actor, area: str, name: str) -> Checklist:
    with transaction.atomic():
        checklist = Checklist(school=school, area=area, name=name.strip())
        checklist.full_clean()
        checklist.save()
        record_event(
            school=school,
            actor=actor,
            action="safety.checklist.created",
            obj=checklist,
            summary=checklist.name,
        )
        return checklist


def _check_limits(kind: str, min_value: Decimal | None, max_value: Decimal | None) -> None:
    if kind == ItemKind.NUMBER and min_value is None and max_value is None:
        raise ValidationError({"min_value": _("A number item needs a lowest or highest value.")})
    if min_value is not None and max_value is not None and min_value > max_value:
        raise ValidationError({"max_value": _("The highest value is below the lowest.")})


def checklist_item_save(
    *, school: School, actor, checklist: Checklist, item: ChecklistItem | None = None, **fields
) -> ChecklistItem:
    """Add an item or change one; inspections already started keep their own copies."""
    _check_limits(fields.get("kind", ""), fields.get("min_value"), fields.get("max_value"))
    with transaction.atomic():
        if item is None:
            item = ChecklistItem(school=school, checklist=checklist)
            if not fields.get("position"):
                fields["position"] = checklist.items.count() + 1
        for name in ITEM_FIELDS:
            if name in fields:
                setattr(item, name, fields[name])
        item.full_clean()
        item.save()
        record_event(
            school=school,
            actor=actor,
            action="safety.checklist.item_saved",
            obj=checklist,
            summary=item.text,
        )
        return item


def checklist_item_delete(*, school: School, actor, item: ChecklistItem) -> None:
    with transaction.atomic():
        record_event(
            school=school,
            actor=actor,
            action="safety.checklist.item_deleted",
            obj=item.checklist,
            summary=item.text,
        )
        item.delete()


# ---------------------------------------------------------------- planned inspections


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = (datetime.date(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)).day
    return day.replace(year=year, month=month, day=min(day.day, last))


def plan_create(
    *,
    school: School,
    actor,
    checklist: Checklist,
    kind: str,
    due_on: datetime.date,
    note: str = "",
    repeat: int = 1,
) -> list[PlannedInspection]:
    """Plan an inspection; monthly ones may be planned for several months at once."""
    if not 1 <= repeat <= 12:
        raise ValidationError({"repeat": _("Plan between 1 and 12 months at a time.")})
    if repeat > 1 and kind != PlanKind.MONTHLY:
        raise ValidationError({"repeat": _("Only monthly inspections repeat.")})
    with transaction.atomic():
        plans = []
        for i in range(repeat):
            plan = PlannedInspection(
                school=school,
                checklist=checklist,
                kind=kind,
                due_on=_add_months(due_on, i),
                note=note,
                created_by=actor,
            )
            plan.full_clean()
            plan.save()
            plans.append(plan)
        record_event(
            school=school,
            actor=actor,
            action="safety.inspection.planned",
            obj=plans[0],
            summary=f"{checklist.name} {due_on:%Y-%m-%d} ×{repeat}",
        )
        return plans


# ---------------------------------------------------------------- inspections


def inspection_start(
    *,
    school: School,
    actor,
    checklist: Checklist,
    kind: str = PlanKind.AD_HOC,
    plan: PlannedInspection | None = None,
) -> Inspection:
    """Start an inspection: the checklist's items are copied, so later edits leave it alone.

    Starting a planned inspection twice (a double tap) returns the one already started.
    """
    with transaction.atomic():
        if plan is not None:
            plan = PlannedInspection.objects.select_for_update().get(pk=plan.pk, school=school)
            existing = Inspection.objects.filter(school=school, plan=plan).first()
            if existing is not None:
                return existing
            checklist, kind = plan.checklist, plan.kind
        items = list(checklist.items.all())
        if not items:
            raise ValidationError(_("This checklist has no items yet."))
        now = timezone.now()
        inspection = Inspection(
            school=school,
            checklist=checklist,
            plan=plan,
            area=checklist.area,
            kind=kind,
            title=f"{timezone.localdate(now):%Y-%m-%d} {checklist.name}",
            inspector=actor,
            started_at=now,
        )
        inspection.full_clean()
        inspection.save()
        InspectionItem.objects.bulk_create(
            InspectionItem(
                school=school,
                inspection=inspection,
                **{name: getattr(item, name) for name in ITEM_FIELDS},
            )
            for item in items
        )
        record_event(
            school=school,
            actor=actor,
            action="safety.inspection.started",
            obj=inspection,
            summary=inspection.title,
        )
        return inspection


def _locked_in_progress(school: School, inspection_id: int) -> Inspection:
    inspection = Inspection.objects.select_for_update().get(pk=inspection_id, school=school)
    if inspection.status != InspectionStatus.IN_PROGRESS or inspection.is_voided:
        raise ValidationError(_("This inspection is finished; its answers can no longer change."))
    return inspection


def inspection_item_answer(
    *,
    school: School,
    actor,
    item: InspectionItem,
    result: str = "",
    number: Decimal | None = None,
    answer: str = "",
    note: str = "",
    photo: CleanUpload | None = None,
    severity: str = Severity.GENERAL,
    owner=None,
    deadline: datetime.date | None = None,
) -> InspectionItem:
    """Save the answer to one item (each item on its own, so a lost connection loses one).

    A number outside the item's limits fails by itself. A failed item names who fixes it and
    by when: it becomes a hazard when the inspection is signed.
    """
    with transaction.atomic():
        inspection = _locked_in_progress(school, item.inspection_id)
        item = InspectionItem.objects.select_for_update().get(pk=item.pk, inspection=inspection)
        errors: dict[str, str] = {}
        if item.kind == ItemKind.NUMBER:
            if number is None:
                errors["number"] = _("Enter the reading.")
            else:
                low_ok = item.min_value is None or number >= item.min_value
                high_ok = item.max_value is None or number <= item.max_value
                result = Result.PASS if low_ok and high_ok else Result.FAIL
        if item.kind == ItemKind.TEXT and not answer.strip():
            errors["answer"] = _("Write down what you found.")
        if item.kind == ItemKind.PHOTO and photo is None and item.photo_id is None:
            errors["photo"] = _("This item needs a photo.")
        if result not in Result.values and "number" not in errors:
            errors["result"] = _("Choose pass or fail.")
        if result == Result.FAIL:
            if owner is None:
                errors["owner"] = _("Name who fixes it.")
            elif not _is_member(school, owner):
                errors["owner"] = _("Choose someone of this school.")
            if deadline is None:
                errors["deadline"] = _("Give the deadline for the fix.")
            elif deadline < timezone.localdate(inspection.started_at):
                errors["deadline"] = _("The deadline cannot be before the inspection.")
            if not note.strip():
                errors["note"] = _("Describe the problem.")
        if errors:
            raise ValidationError(errors)
        if photo is not None:
            item.photo = attachment_create(school=school, actor=actor, upload=photo)
        item.result = result
        item.number = number if item.kind == ItemKind.NUMBER else None
        item.answer = answer.strip()
        item.note = note.strip()
        failed = result == Result.FAIL
        item.severity = severity if failed else Severity.GENERAL
        item.owner = owner if failed else None
        item.deadline = deadline if failed else None
        item.answered_at = timezone.now()
        item.full_clean()
        item.save()
        return item


def inspection_finish(
    *, school: School, actor, inspection: Inspection, signed_name: str
) -> Inspection:
    """Sign the inspection: every item answered; each failed item becomes a hazard."""
    signed_name = signed_name.strip()
    with transaction.atomic():
        locked = Inspection.objects.select_for_update().get(pk=inspection.pk, school=school)
        if locked.status == InspectionStatus.DONE:
            return locked
        if locked.is_voided:
            raise ValidationError(_("This inspection was voided."))
        if not signed_name:
            raise ValidationError({"signed_name": _("Sign with your name.")})
        items = list(locked.items.all())
        missing = [i for i in items if not i.result]
        if missing:
            raise ValidationError(
                _("%(n)s items are not answered yet, e.g. “%(item)s”.")
                % {"n": len(missing), "item": missing[0].text}
            )
        now = timezone.now()
        failed = [i for i in items if i.result == Result.FAIL]
        for item in failed:
            description = item.text if not item.note else f"{item.text}：{item.note}"
            _hazard_create(
                school=school,
                actor=actor,
                area=locked.area,
                location=locked.checklist.name,
                description=description[:300],
                severity=item.severity,
                owner=item.owner,
                deadline=item.deadline,
                source=HazardSource.INSPECTION,
                item=item,
                reported_at=now,
                photos=[item.photo] if item.photo_id else [],
            )
        locked.status = InspectionStatus.DONE
        locked.finished_at = now
        locked.signed_name = signed_name
        locked.failed_count = len(failed)
        locked.full_clean()
        locked.save(update_fields=["status", "finished_at", "signed_name", "failed_count"])
        record_event(
            school=school,
            actor=actor,
            action="safety.inspection.finished",
            obj=locked,
            summary=locked.title,
            data={"failed": len(failed), "items": len(items)},
        )
        return locked


# ---------------------------------------------------------------- hazards


def _hazard_create(*, school, actor, photos, reported_at, **fields) -> Hazard:
    hazard = Hazard(school=school, reported_by=actor, reported_at=reported_at, **fields)
    hazard.full_clean()
    hazard.save()
    HazardPhoto.objects.bulk_create(
        HazardPhoto(school=school, hazard=hazard, attachment=a, stage=HazardPhoto.FOUND)
        for a in photos
    )
    record_event(
        school=school,
        actor=actor,
        action="safety.hazard.reported",
        obj=hazard,
        summary=str(hazard)[:300],
        data={"owner": hazard.owner_id, "deadline": hazard.deadline, "severity": hazard.severity},
    )
    return hazard


def hazard_report(
    *,
    school: School,
    actor,
    area: str,
    location: str,
    description: str,
    owner,
    deadline: datetime.date,
    severity: str = Severity.GENERAL,
    photos: Iterable[CleanUpload] = (),
    source: str = HazardSource.REPORT,
) -> Hazard:
    """Anyone with an account reports a hazard, naming who fixes it and by when."""
    now = timezone.now()
    if deadline < timezone.localdate(now):
        raise ValidationError({"deadline": _("The fix deadline cannot be in the past.")})
    if not _is_member(school, owner):
        raise ValidationError({"owner": _("Choose someone of this school.")})
    with transaction.atomic():
        attachments = [attachment_create(school=school, actor=actor, upload=p) for p in photos]
        return _hazard_create(
            school=school,
            actor=actor,
            area=area,
            location=location.strip(),
            description=description.strip(),
            severity=severity,
            owner=owner,
            deadline=deadline,
            source=source,
            reported_at=now,
            photos=attachments,
        )


def _locked_hazard(school: School, hazard: Hazard) -> Hazard:
    locked = Hazard.objects.select_for_update().get(pk=hazard.pk, school=school)
    if locked.is_voided:
        raise ValidationError(_("This hazard record was voided."))
    return locked


def hazard_rectify(
    *, school: School, actor, hazard: Hazard, rectification: str, evidence: Iterable[CleanUpload]
) -> Hazard:
    """The person responsible records the fix, with at least one photo as evidence."""
    evidence = list(evidence)
    with transaction.atomic():
        locked = _locked_hazard(school, hazard)
        if locked.status == HazardStatus.FIXED and locked.fixed_by_id == actor.pk:
            return locked  # a repeated POST
        if locked.status != HazardStatus.OPEN:
            raise ValidationError(_("This hazard is not waiting for a fix."))
        if locked.owner_id != actor.pk:
            raise ValidationError(_("Only the person responsible records the fix."))
        errors = {}
        if not rectification.strip():
            errors["rectification"] = _("Describe what was done.")
        if not evidence:
            errors["evidence"] = _("Add a photo of the fix as evidence.")
        if errors:
            raise ValidationError(errors)
        for upload in evidence:
            HazardPhoto.objects.create(
                school=school,
                hazard=locked,
                stage=HazardPhoto.EVIDENCE,
                attachment=attachment_create(school=school, actor=actor, upload=upload),
            )
        locked.status = HazardStatus.FIXED
        locked.rectification = rectification.strip()[:300]
        locked.fixed_by = actor
        locked.fixed_at = timezone.now()
        locked.full_clean()
        locked.save(update_fields=["status", "rectification", "fixed_by", "fixed_at"])
        record_event(
            school=school,
            actor=actor,
            action="safety.hazard.fixed",
            obj=locked,
            summary=locked.rectification,
        )
        return locked


def hazard_verify(
    *, school: School, actor, hazard: Hazard, accept: bool, comment: str = ""
) -> Hazard:
    """Someone other than the fixer checks the fix: closes the hazard or sends it back."""
    with transaction.atomic():
        locked = _locked_hazard(school, hazard)
        if locked.status == HazardStatus.CLOSED and accept:
            return locked  # a repeated POST
        if locked.status != HazardStatus.FIXED:
            raise ValidationError(_("This hazard is not waiting for verification."))
        if caps.VERIFY not in (capabilities_for(actor, school) or ()):
            raise ValidationError(_("You may not verify fixes."))
        if locked.fixed_by_id == actor.pk:
            raise ValidationError(_("The person who fixed a hazard cannot verify their own fix."))
        now = timezone.now()
        if accept:
            locked.status = HazardStatus.CLOSED
            locked.verified_by = actor
            locked.closed_at = now
            fields = ["status", "verified_by", "closed_at"]
            action = "safety.hazard.closed"
        else:
            if not comment.strip():
                raise ValidationError({"comment": _("Say what is still wrong.")})
            locked.status = HazardStatus.OPEN
            locked.returned_count += 1
            locked.return_reason = comment.strip()[:300]
            locked.fixed_by = None
            locked.fixed_at = None
            fields = ["status", "returned_count", "return_reason", "fixed_by", "fixed_at"]
            action = "safety.hazard.returned"
        locked.full_clean()
        locked.save(update_fields=fields)
        record_event(
            school=school,
            actor=actor,
            action=action,
            obj=locked,
            summary=comment[:300] or str(locked),
        )
        return locked


# ---------------------------------------------------------------- equipment


EQUIPMENT_FIELDS = ("kind", "code", "location", "model", "next_check_on", "expires_on", "is_active")


def equipment_save(
    *, school: School, actor, equipment: Equipment | None = None, **fields
) -> Equipment:
    with transaction.atomic():
        equipment = equipment or Equipment(school=school)
        for name in EQUIPMENT_FIELDS:
            if name in fields:
                setattr(equipment, name, fields[name])
        equipment.full_clean()
        equipment.save()
        record_event(
            school=school,
            actor=actor,
            action="safety.equipment.saved",
            obj=equipment,
            summary=str(equipment),
        )
        return equipment


@dataclass(frozen=True)
class CheckInput:
    equipment_id: int
    ok: bool
    note: str = ""


def equipment_checks_record(
    *, school: School, actor, month: datetime.date, checks: Iterable[CheckInput]
) -> int:
    """Record a month's checks from the ticked list; items already checked that month are
    left as they are (a re-sent form adds nothing). Returns how many rows were added."""
    month = month.replace(day=1)
    if month > timezone.localdate():
        raise ValidationError(_("A month that has not begun cannot be checked."))
    checks = list(checks)
    errors = [c for c in checks if not c.ok and not c.note.strip()]
    if errors:
        raise ValidationError(_("Say what is wrong with each item that is not in order."))
    with transaction.atomic():
        wanted = {c.equipment_id for c in checks}
        valid = set(
            Equipment.objects.filter(school=school, pk__in=wanted, is_active=True).values_list(
                "pk", flat=True
            )
        )
        done = set(
            EquipmentCheck.objects.filter(
                school=school, month=month, voided_at__isnull=True, equipment_id__in=wanted
            ).values_list("equipment_id", flat=True)
        )
        now = timezone.now()
        rows = [
            EquipmentCheck(
                school=school,
                equipment_id=c.equipment_id,
                month=month,
                ok=c.ok,
                note=c.note.strip()[:200],
                checked_by=actor,
                checked_at=now,
            )
            for c in checks
            if c.equipment_id in valid and c.equipment_id not in done
        ]
        EquipmentCheck.objects.bulk_create(rows)
        if rows:
            record_event(
                school=school,
                actor=actor,
                action="safety.equipment.checked",
                summary=f"{month:%Y-%m}: {len(rows)}",
                data={"month": month, "faults": sum(1 for r in rows if not r.ok)},
            )
        return len(rows)


# ---------------------------------------------------------------- gate register

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_PHONE = re.compile(r"^[0-9+\-]{7,20}$")


def id_number_is_valid(value: str) -> bool:
    """An 18-character resident ID number with its ISO 7064 check character."""
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == value[17]


def gate_log_in(
    *,
    school: School,
    actor,
    phone: str,
    name: str,
    reason: str,
    host: str,
    id_number: str = "",
    unit: str = "",
) -> GateEntry:
    """A visitor comes in. A returning visitor (same phone) keeps their ID number on file
    unless a new one is typed."""
    phone = re.sub(r"\s", "", phone)
    id_number = id_number.strip().upper()
    errors = {}
    if not _PHONE.match(phone):
        errors["phone"] = _("Enter a phone number.")
    if id_number and not id_number_is_valid(id_number):
        errors["id_number"] = _("This is not a valid ID number.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        visitor, _created = Visitor.objects.select_for_update().get_or_create(
            school=school, phone=phone, defaults={"name": name.strip()}
        )
        visitor.name = name.strip() or visitor.name
        visitor.unit = unit.strip() or visitor.unit
        visitor.id_number = id_number or visitor.id_number
        visitor.full_clean()
        visitor.save()
        if not visitor.id_number:
            raise ValidationError({"id_number": _("A first visit needs the ID number.")})
        entry = GateEntry(
            school=school,
            visitor=visitor,
            name=visitor.name,
            phone=phone,
            id_number=visitor.id_number,
            unit=visitor.unit,
            reason=reason.strip(),
            host=host.strip(),
            time_in=timezone.now(),
            logged_by=actor,
        )
        entry.full_clean()
        entry.save()
        record_event(
            school=school,
            actor=actor,
            action="safety.gate.in",
            obj=entry,
            summary=f"{entry.name} → {entry.host}",
        )
        return entry


def gate_log_out(*, school: School, actor, entry: GateEntry) -> GateEntry:
    with transaction.atomic():
        locked = GateEntry.objects.select_for_update().get(pk=entry.pk, school=school)
        if locked.time_out is not None or locked.is_voided:
            return locked
        locked.time_out = timezone.now()
        locked.save(update_fields=["time_out"])
        record_event(
            school=school, actor=actor, action="safety.gate.out", obj=locked, summary=locked.name
        )
        return locked


# ---------------------------------------------------------------- duty rosters

SWAP_DOC = "safety.duty_swap"


def roster_create(
    *, school: School, actor, title: str, starts_on: datetime.date, ends_on: datetime.date
) -> DutyRoster:
    with transaction.atomic():
        roster = DutyRoster(
            school=school,
            title=title.strip(),
            starts_on=starts_on,
            ends_on=ends_on,
            created_by=actor,
        )
        roster.full_clean()
        if ends_on < starts_on:
            raise ValidationError({"ends_on": _("The last day is before the first.")})
        roster.save()
        record_event(
            school=school,
            actor=actor,
            action="safety.roster.created",
            obj=roster,
            summary=roster.title,
        )
        return roster


def _check_leader(school: School, leader) -> None:
    if caps.LEAD_DUTY not in (capabilities_for(leader, school) or ()):
        raise ValidationError({"leader": _("The leader on duty must be a school leader.")})


def shift_set(
    *,
    school: School,
    actor,
    roster: DutyRoster,
    date: datetime.date,
    kind: str,
    leader,
    leader_phone: str,
    staff,
    staff_phone: str,
) -> DutyShift:
    """Put a school leader and a staff member on one shift of the roster (or change them)."""
    errors = {}
    if not roster.starts_on <= date <= roster.ends_on:
        errors["date"] = _("The day is outside the roster's dates.")
    if leader == staff:
        errors["staff"] = _("Two different people are on duty.")
    for field, person in (("staff", staff), ("leader", leader)):
        if not _is_member(school, person):
            errors[field] = _("Choose someone of this school.")
    if errors:
        raise ValidationError(errors)
    _check_leader(school, leader)
    with transaction.atomic():
        shift, _created = DutyShift.objects.select_for_update().get_or_create(
            school=school,
            roster=roster,
            date=date,
            kind=kind,
            defaults={"leader": leader, "staff": staff},
        )
        shift.leader, shift.leader_phone = leader, leader_phone.strip()
        shift.staff, shift.staff_phone = staff, staff_phone.strip()
        shift.full_clean()
        shift.save()
        record_event(
            school=school,
            actor=actor,
            action="safety.roster.shift_set",
            obj=roster,
            summary=f"{shift}: {leader} / {staff}",
        )
        return shift


def duty_log_record(
    *, school: School, actor, shift: DutyShift, handover: str, happenings: str
) -> DutyShift:
    """The people on the shift write its log: the handover and what happened."""
    with transaction.atomic():
        locked = DutyShift.objects.select_for_update().get(pk=shift.pk, school=school)
        if actor.pk not in (locked.leader_id, locked.staff_id):
            raise ValidationError(_("Only those on this shift write its log."))
        if not handover.strip():
            raise ValidationError({"handover": _("Write the handover.")})
        locked.handover, locked.happenings = handover.strip()[:300], happenings.strip()[:500]
        locked.logged_by, locked.logged_at = actor, timezone.now()
        locked.save(update_fields=["handover", "happenings", "logged_by", "logged_at"])
        record_event(
            school=school,
            actor=actor,
            action="safety.roster.logged",
            obj=locked,
            summary=locked.handover,
        )
        return locked


def swap_policy(school: School, swap: SwapRequest) -> list[Step]:
    """The director approves; a director asking for themselves goes to the principal, so the
    chain stays signable (nobody signs their own request)."""
    held = capabilities_for(swap.requested_by, school) or frozenset()
    if caps.APPROVE_SWAP in held:
        return [Step(caps.OVERSEE, _("Principal"))]
    return [Step(caps.APPROVE_SWAP, _("Logistics director"))]


def swap_request(
    *, school: School, actor, shift: DutyShift, replacement, replacement_phone: str, reason: str
) -> SwapRequest:
    errors = {}
    if actor.pk not in (shift.leader_id, shift.staff_id):
        raise ValidationError(_("Only those on this shift may ask to swap it."))
    if replacement.pk in (shift.leader_id, shift.staff_id):
        errors["replacement"] = _("Choose someone who is not on this shift.")
    elif not _is_member(school, replacement):
        errors["replacement"] = _("Choose someone of this school.")
    if not reason.strip():
        errors["reason"] = _("Say why.")
    if errors:
        raise ValidationError(errors)
    if actor.pk == shift.leader_id:
        try:
            _check_leader(school, replacement)
        except ValidationError as exc:
            raise ValidationError(
                {"replacement": _("The replacement of a leader must be a school leader.")}
            ) from exc
    with transaction.atomic():
        if SwapRequest.objects.filter(
            school=school, shift=shift, status=SwapStatus.PENDING
        ).exists():
            raise ValidationError(_("A swap of this shift is already waiting for approval."))
        swap = SwapRequest(
            school=school,
            shift=shift,
            requested_by=actor,
            replacement=replacement,
            replacement_phone=replacement_phone.strip(),
            reason=reason.strip(),
        )
        swap.full_clean()
        swap.save()
        swap.approval = approval_start(
            school=school,
            actor=actor,
            doc_type=SWAP_DOC,
            obj=swap,
            title=_("Duty swap %(shift)s: %(a)s → %(b)s")
            % {
                "shift": shift,
                "a": actor.get_full_name() or actor.username,
                "b": replacement.get_full_name() or replacement.username,
            },
        )
        swap.save(update_fields=["approval"])
        return swap


def on_swap_finished(approval: Approval) -> None:
    """Approved: the replacement takes the requester's place on the shift (same transaction)."""
    swap = SwapRequest.objects.select_for_update().get(
        pk=int(approval.object_id), school=approval.school_id
    )
    if approval.status != Approval.APPROVED:
        swap.status = SwapStatus.REFUSED
        swap.save(update_fields=["status"])
        return
    shift = DutyShift.objects.select_for_update().get(pk=swap.shift_id)
    if shift.leader_id == swap.requested_by_id:
        shift.leader, shift.leader_phone = swap.replacement, swap.replacement_phone
    elif shift.staff_id == swap.requested_by_id:
        shift.staff, shift.staff_phone = swap.replacement, swap.replacement_phone
    shift.full_clean()
    shift.save(update_fields=["leader", "leader_phone", "staff", "staff_phone"])
    swap.status = SwapStatus.APPROVED
    swap.save(update_fields=["status"])


# ---------------------------------------------------------------- emergency plans and drills


def emergency_plan_add_version(
    *,
    school: School,
    actor,
    kind: str,
    title: str,
    effective_on: datetime.date,
    review_on: datetime.date,
    document: CleanUpload | None = None,
) -> EmergencyPlan:
    """A new version of the school's plan of this kind; the previous one stops being current."""
    if review_on <= effective_on:
        raise ValidationError({"review_on": _("The review date is after the date in force.")})
    with transaction.atomic():
        previous = (
            EmergencyPlan.objects.select_for_update()
            .filter(school=school, kind=kind)
            .order_by("-version")
            .first()
        )
        if previous is not None:
            EmergencyPlan.objects.filter(school=school, kind=kind, is_current=True).update(
                is_current=False
            )
        plan = EmergencyPlan(
            school=school,
            kind=kind,
            title=title.strip(),
            version=(previous.version + 1) if previous else 1,
            effective_on=effective_on,
            review_on=review_on,
            created_by=actor,
        )
        if document is not None:
            plan.document = attachment_create(school=school, actor=actor, upload=document)
        plan.full_clean()
        plan.save()
        record_event(
            school=school, actor=actor, action="safety.plan.versioned", obj=plan, summary=str(plan)
        )
        return plan


def drill_schedule_set(
    *, school: School, actor, year: int, month: int, kind: str, note: str = ""
) -> DrillSchedule:
    with transaction.atomic():
        entry, _created = DrillSchedule.objects.update_or_create(
            school=school, year=year, month=month, kind=kind, defaults={"note": note.strip()}
        )
        entry.full_clean()
        record_event(
            school=school,
            actor=actor,
            action="safety.drill.planned",
            obj=entry,
            summary=f"{year}-{month:02d} {entry.get_kind_display()}",
        )
        return entry


def drill_record(
    *,
    school: School,
    actor,
    plan: EmergencyPlan,
    held_on: datetime.date,
    participants: int,
    evacuation_seconds: int | None = None,
    findings: str = "",
) -> Drill:
    errors = {}
    if held_on > timezone.localdate():
        errors["held_on"] = _("A drill is recorded after it was held.")
    if participants < 1:
        errors["participants"] = _("Give the number of participants.")
    if plan.kind == EmergencyKind.EVACUATION and not evacuation_seconds:
        errors["evacuation_seconds"] = _("An evacuation drill records the evacuation time.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        drill = Drill(
            school=school,
            plan=plan,
            held_on=held_on,
            participants=participants,
            evacuation_seconds=evacuation_seconds,
            findings=findings.strip(),
            recorded_by=actor,
        )
        drill.full_clean()
        drill.save()
        record_event(
            school=school,
            actor=actor,
            action="safety.drill.recorded",
            obj=drill,
            summary=str(drill),
            data={"seconds": evacuation_seconds, "participants": participants},
        )
        return drill


def drill_follow_up(
    *,
    school: School,
    actor,
    drill: Drill,
    area: str,
    location: str,
    description: str,
    owner,
    deadline: datetime.date,
    severity: str = Severity.GENERAL,
) -> Hazard:
    """A problem the drill showed becomes a hazard with an owner and a deadline."""
    if drill.is_voided:
        raise ValidationError(_("This drill record was voided."))
    with transaction.atomic():
        hazard = hazard_report(
            school=school,
            actor=actor,
            area=area,
            location=location,
            description=description,
            owner=owner,
            deadline=deadline,
            severity=severity,
            source=HazardSource.DRILL,
        )
        hazard.drill = drill
        hazard.save(update_fields=["drill"])
        return hazard
