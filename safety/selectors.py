"""Every read of the safety pages and reports, scoped by school."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Avg, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import TruncMonth
from django.utils import timezone

from logistics.models import School
from logistics.selectors import person_name
from safety.models import (
    Area,
    Checklist,
    ChecklistItem,
    Drill,
    DrillSchedule,
    DutyRoster,
    DutyShift,
    EmergencyPlan,
    Equipment,
    EquipmentCheck,
    GateEntry,
    Hazard,
    HazardPhoto,
    HazardStatus,
    Inspection,
    InspectionItem,
    InspectionStatus,
    PlannedInspection,
    Severity,
    SwapRequest,
    Visitor,
)

EXPIRY_WARNING_DAYS = 30


def school_people(school: School) -> QuerySet:
    """Everyone with a membership in the school: who may be named to fix a hazard."""
    return (
        get_user_model()
        .objects.filter(memberships__school=school, is_active=True)
        .order_by("first_name", "username")
        .distinct()
    )


def choice_labels(**choices) -> dict[str, dict[str, str]]:
    """Each named field's labels, translated once per page, for lists whose rows are plain
    tuples (`with_labels` in the kernel sets them on objects): `labels.area[row.area]`."""
    return {field: {k: str(v) for k, v in options.choices} for field, options in choices.items()}


# ---------------------------------------------------------------- checklists and plans


def checklists(school: School) -> QuerySet[Checklist]:
    return Checklist.objects.filter(school=school).annotate(item_count=Count("items"))


def checklist_items(checklist: Checklist) -> QuerySet[ChecklistItem]:
    return ChecklistItem.objects.filter(school=checklist.school_id, checklist=checklist)


def open_plans(school: School) -> QuerySet:
    """Planned inspections not yet finished, soonest first, as plain rows: the checklist's
    name and the started inspection's key (None before it is started)."""
    return (
        PlannedInspection.objects.filter(school=school)
        .exclude(inspection__status=InspectionStatus.DONE)
        .order_by("due_on", "id")
        .values_list("pk", "kind", "due_on", "checklist__name", "inspection", named=True)
    )


def active_checklists(school: School) -> QuerySet:
    """(key, name) of the checklists an inspection can be started from."""
    return Checklist.objects.filter(school=school, is_active=True).values_list("pk", "name")


# ---------------------------------------------------------------- inspections


def inspections(school: School, filters: dict[str, str] | None = None) -> QuerySet:
    """Inspections, newest first, as plain rows with the inspector's name (the list only shows
    them)."""
    filters = filters or {}
    qs = Inspection.objects.filter(school=school)
    if filters.get("area"):
        qs = qs.filter(area=filters["area"])
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    return (
        qs.annotate(inspector_name=person_name("inspector"))
        .order_by("-started_at", "-id")
        .values_list(
            "pk",
            "title",
            "area",
            "kind",
            "status",
            "failed_count",
            "voided_at",
            "inspector_name",
            named=True,
        )
    )


def inspection_items(inspection: Inspection) -> list[InspectionItem]:
    return list(
        InspectionItem.objects.filter(school=inspection.school_id, inspection=inspection)
        .select_related("owner", "photo", "hazard")
        .order_by("position", "id")
    )


# ---------------------------------------------------------------- hazards


def hazards(
    school: School,
    user,
    filters: dict[str, str] | None = None,
    *,
    see_all: bool,
) -> QuerySet:
    """The hazard register; without `see_all`, the hazards one reported or must fix.

    Rows are plain named tuples with the owner's name from PostgreSQL: the list only shows
    them, and a model object and a User per row cost more than the page's queries."""
    filters = filters or {}
    today = timezone.localdate()
    qs = Hazard.objects.filter(school=school)
    if not see_all:
        qs = qs.filter(Q(owner=user) | Q(reported_by=user))
    state = filters.get("state", "")
    if state == "open":
        qs = qs.exclude(status=HazardStatus.CLOSED)
    elif state == "overdue":
        qs = qs.exclude(status=HazardStatus.CLOSED).filter(deadline__lt=today)
    elif state == "fixed":
        qs = qs.filter(status=HazardStatus.FIXED)
    elif state == "closed":
        qs = qs.filter(status=HazardStatus.CLOSED)
    if filters.get("area"):
        qs = qs.filter(area=filters["area"])
    if filters.get("mine"):
        qs = qs.filter(owner=user)
    return (
        qs.annotate(owner_name=person_name("owner"))
        .order_by("-reported_at", "-id")
        .values_list(
            "pk",
            "area",
            "location",
            "description",
            "severity",
            "status",
            "deadline",
            "voided_at",
            "owner_name",
            named=True,
        )
    )


def hazard_detail(school: School, pk: int) -> Hazard:
    return (
        Hazard.objects.filter(school=school)
        .select_related("owner", "reported_by", "fixed_by", "verified_by", "item__inspection")
        .prefetch_related(
            Prefetch(
                "photos", queryset=HazardPhoto.objects.select_related("attachment").order_by("id")
            )
        )
        .get(pk=pk)
    )


@dataclass
class RegisterRow:
    label: str
    total: int
    open: int
    overdue: int
    closed: int
    avg_days: float | None  # average days from report to verified close


def hazard_register(school: School, year: int) -> dict[str, list[RegisterRow]]:
    """Open, overdue and closed hazards with the average time to close, by area and by month
    of report (two grouped queries)."""
    today = timezone.localdate()
    open_q = ~Q(status=HazardStatus.CLOSED)
    base = Hazard.objects.filter(school=school, voided_at__isnull=True, reported_at__year=year)
    aggregates = {
        "total": Count("pk"),
        "open_n": Count("pk", filter=open_q),
        "overdue": Count("pk", filter=open_q & Q(deadline__lt=today)),
        "closed": Count("pk", filter=Q(status=HazardStatus.CLOSED)),
        "took": Avg(F("closed_at") - F("reported_at"), filter=Q(status=HazardStatus.CLOSED)),
    }
    areas = dict(Area.choices)

    def rows(qs, key: str, label) -> list[RegisterRow]:
        out = []
        for r in qs.values(key).annotate(**aggregates).order_by(key):
            days = r["took"].total_seconds() / 86400 if r["took"] is not None else None
            out.append(
                RegisterRow(
                    label(r[key]),
                    r["total"],
                    r["open_n"],
                    r["overdue"],
                    r["closed"],
                    round(days, 1) if days is not None else None,
                )
            )
        return out

    return {
        "area": rows(base, "area", lambda a: str(areas.get(a, a))),
        "month": rows(
            base.annotate(month=TruncMonth("reported_at")), "month", lambda m: f"{m:%Y-%m}"
        ),
    }


def overdue_hazards(school: School) -> QuerySet[Hazard]:
    return Hazard.objects.filter(
        school=school, voided_at__isnull=True, deadline__lt=timezone.localdate()
    ).exclude(status=HazardStatus.CLOSED)


def severe_overdue_by_member(central: School) -> list[dict]:
    """Member schools' overdue major hazards, one row per school (for the central school)."""
    return list(
        Hazard.objects.filter(
            school__parent=central,
            school__is_active=True,
            severity=Severity.MAJOR,
            voided_at__isnull=True,
            deadline__lt=timezone.localdate(),
        )
        .exclude(status=HazardStatus.CLOSED)
        .values("school__code", "school__name")
        .annotate(n=Count("pk"))
        .order_by("school__code")
    )


# ---------------------------------------------------------------- equipment


def _equipment(school: School, filters: dict[str, str] | None) -> QuerySet[Equipment]:
    filters = filters or {}
    qs = Equipment.objects.filter(school=school)
    if filters.get("kind"):
        qs = qs.filter(kind=filters["kind"])
    if not filters.get("all"):
        qs = qs.filter(is_active=True)
    return qs.order_by("kind", "location", "code")


def equipment_list(school: School, month: datetime.date, filters: dict[str, str] | None = None):
    """Equipment with this month's check (if any), for the monthly check (its void button
    needs the check itself)."""
    return _equipment(school, filters).prefetch_related(
        Prefetch(
            "checks",
            queryset=EquipmentCheck.objects.filter(
                school=school, month=month, voided_at__isnull=True
            ).select_related("checked_by"),
            to_attr="month_checks",
        )
    )


def equipment_rows(school: School, month: datetime.date, filters: dict[str, str] | None = None):
    """The equipment list as plain rows, with whether this month's check found it in order
    (None: not checked) from the one check a month may have (equipmentcheck_one_per_month):
    one query, no check or model object per row."""
    month_check = EquipmentCheck.objects.filter(
        school=school, equipment=OuterRef("pk"), month=month, voided_at__isnull=True
    ).values("ok")[:1]
    return (
        _equipment(school, filters)
        .annotate(month_ok=Subquery(month_check))
        .values_list(
            "pk",
            "kind",
            "code",
            "location",
            "model",
            "next_check_on",
            "expires_on",
            "month_ok",
            named=True,
        )
    )


def equipment_flags(school: School) -> dict[str, int]:
    """Overdue and soon-expiring equipment, and items not yet checked this month (one query)."""
    today = timezone.localdate()
    warn = today + datetime.timedelta(days=EXPIRY_WARNING_DAYS)
    month = today.replace(day=1)
    return Equipment.objects.filter(school=school, is_active=True).aggregate(
        overdue=Count("pk", filter=Q(next_check_on__lt=today) | Q(expires_on__lt=today)),
        expiring=Count(
            "pk",
            filter=Q(expires_on__gte=today, expires_on__lte=warn)
            | Q(next_check_on__gte=today, next_check_on__lte=warn),
        ),
        unchecked=Count(
            "pk",
            filter=~Q(
                pk__in=EquipmentCheck.objects.filter(
                    school=school, month=month, voided_at__isnull=True
                ).values("equipment_id")
            ),
        ),
    )


# ---------------------------------------------------------------- gate


def mask_id(value: str) -> str:
    return f"{'*' * 14}{value[-4:]}" if value else ""


def gate_entries(school: School, day: datetime.date, reveal: bool) -> list[GateEntry]:
    """One day's gate register, with the ID number masked unless `reveal`."""
    entries = list(
        GateEntry.objects.filter(school=school, time_in__date=day)
        .select_related("logged_by")
        .order_by("time_in", "id")
    )
    for e in entries:
        e.id_shown = e.id_number if reveal else mask_id(e.id_number)
    return entries


def still_inside(school: School, day: datetime.date) -> QuerySet[GateEntry]:
    """Visitors who came in on or before `day` and were not logged out."""
    return GateEntry.objects.filter(
        school=school, time_out__isnull=True, voided_at__isnull=True, time_in__date__lte=day
    ).order_by("time_in")


def visitor_by_phone(school: School, phone: str) -> Visitor | None:
    return Visitor.objects.filter(school=school, phone=phone.strip()).first()


# ---------------------------------------------------------------- duty


def rosters(school: School) -> QuerySet[DutyRoster]:
    return DutyRoster.objects.filter(school=school).annotate(shift_count=Count("shifts"))


def roster_shifts(roster: DutyRoster) -> list[DutyShift]:
    return list(
        DutyShift.objects.filter(school=roster.school_id, roster=roster)
        .select_related("leader", "staff")
        .order_by("date", "kind")
    )


def shift_swaps(shift: DutyShift) -> list[SwapRequest]:
    return list(
        SwapRequest.objects.filter(school=shift.school_id, shift=shift)
        .select_related("requested_by", "replacement", "approval")
        .order_by("-created_at")
    )


# ---------------------------------------------------------------- emergency plans and drills


def emergency_plans(school: School) -> QuerySet[EmergencyPlan]:
    return (
        EmergencyPlan.objects.filter(school=school)
        .select_related("document")
        .order_by("kind", "-version")
    )


def drill_plan(school: School, year: int) -> list[DrillSchedule]:
    """The year's planned drills, each marked done when a drill of that plan was held in its
    month (one query)."""
    held = Drill.objects.filter(
        school=school,
        voided_at__isnull=True,
        plan__kind=OuterRef("kind"),
        held_on__year=OuterRef("year"),
        held_on__month=OuterRef("month"),
    )
    rows = list(
        DrillSchedule.objects.filter(school=school, year=year)
        .annotate(done=Exists(held))
        .order_by("month", "kind")
    )
    today = timezone.localdate()
    for r in rows:
        r.overdue = not r.done and (r.year, r.month) < (today.year, today.month)
    return rows


def drills(school: School, year: int) -> QuerySet:
    """The year's drills, newest first, as plain rows with their plan's title."""
    return (
        Drill.objects.filter(school=school, held_on__year=year)
        .order_by("-held_on", "-id")
        .values_list(
            "pk",
            "held_on",
            "plan__title",
            "participants",
            "evacuation_seconds",
            "voided_at",
            named=True,
        )
    )
