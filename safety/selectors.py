"""Every read of the safety pages and reports, scoped by school."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import lru_cache
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.db.models import (
    Avg,
    CharField,
    Count,
    DateField,
    DateTimeField,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from logistics.models import School
from logistics.prepared import Param, Prepared, PreparedList
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


# ---------------------------------------------------------------- checklists and plans


def checklists(school: School) -> QuerySet[Checklist]:
    return Checklist.objects.filter(school=school).annotate(item_count=Count("items"))


def checklist_items(checklist: Checklist) -> QuerySet[ChecklistItem]:
    return ChecklistItem.objects.filter(school=checklist.school_id, checklist=checklist)


def open_plans(school: School) -> list[SimpleNamespace]:
    """The 20 soonest planned inspections not yet finished, with the checklist's name and the
    started inspection's key (None before it is started)."""
    return [SimpleNamespace(**row) for row in _OPEN_PLANS.rows(school=school.pk)]


_OPEN_PLANS = Prepared(
    lambda: (
        PlannedInspection.objects.filter(school=Param("school"))
        .exclude(inspection__status=InspectionStatus.DONE)
        .order_by("due_on", "id")
        .values(
            "id",
            "kind",
            "due_on",
            checklist_name=F("checklist__name"),
            inspection_id=F("inspection__id"),
        )[:20]
    )
)


def active_checklists(school: School) -> list[tuple[int, str]]:
    """(key, name) of the checklists an inspection can be started from."""
    return [(row["id"], row["name"]) for row in _ACTIVE_CHECKLISTS.rows(school=school.pk)]


_ACTIVE_CHECKLISTS = Prepared(
    lambda: (
        Checklist.objects.filter(school=Param("school"), is_active=True)
        .order_by("area", "name")
        .values("id", "name")
    )
)


# ---------------------------------------------------------------- inspections


def inspections(school: School, filters: dict[str, str] | None = None) -> PreparedList:
    """Inspections, newest first, with the inspector's name from PostgreSQL."""
    filters = filters or {}
    return PreparedList(
        _inspections_filtered,
        _inspections_shown,
        (bool(filters.get("area")), bool(filters.get("status"))),
        school=school.pk,
        area=filters.get("area", ""),
        status=filters.get("status", ""),
    )


def _inspections_filtered(by_area: bool, by_status: bool) -> QuerySet:
    qs = Inspection.objects.filter(school=Param("school"))
    if by_area:
        qs = qs.filter(area=Param("area", CharField()))
    if by_status:
        qs = qs.filter(status=Param("status", CharField()))
    return qs


def _inspections_shown(qs: QuerySet) -> QuerySet:
    return (
        qs.order_by("-started_at", "-id")
        .annotate(inspector_name=person_name("inspector"))
        .values(
            "id", "title", "area", "kind", "status", "failed_count", "voided_at", "inspector_name"
        )
    )


def inspection_items(inspection: Inspection) -> list[InspectionItem]:
    return list(
        InspectionItem.objects.filter(school=inspection.school_id, inspection=inspection)
        .select_related("owner", "photo", "hazard")
        .order_by("position", "id")
    )


# ---------------------------------------------------------------- hazards


HAZARD_STATES = ("open", "overdue", "fixed", "closed")


def hazards(
    school: School,
    user,
    filters: dict[str, str] | None = None,
    *,
    see_all: bool,
) -> PreparedList:
    """The hazard register, newest first; without `see_all`, the hazards one reported or must
    fix. Rows carry the owner's name from PostgreSQL, no User object."""
    filters = filters or {}
    state = filters.get("state", "")
    shape = (
        see_all,
        state if state in HAZARD_STATES else "",
        bool(filters.get("area")),
        bool(filters.get("mine")),
    )
    return PreparedList(
        _hazards_filtered,
        _hazards_shown,
        shape,
        school=school.pk,
        user=user.pk,
        today=timezone.localdate(),
        area=filters.get("area", ""),
    )


def _hazards_filtered(see_all: bool, state: str, by_area: bool, mine: bool) -> QuerySet:
    qs = Hazard.objects.filter(school=Param("school"))
    user = Param("user")
    if not see_all:
        qs = qs.filter(Q(owner=user) | Q(reported_by=user))
    if state == "open":
        qs = qs.exclude(status=HazardStatus.CLOSED)
    elif state == "overdue":
        qs = qs.exclude(status=HazardStatus.CLOSED).filter(deadline__lt=Param("today", DateField()))
    elif state == "fixed":
        qs = qs.filter(status=HazardStatus.FIXED)
    elif state == "closed":
        qs = qs.filter(status=HazardStatus.CLOSED)
    if by_area:
        qs = qs.filter(area=Param("area", CharField()))
    if mine:
        qs = qs.filter(owner=user)
    return qs


def _hazards_shown(qs: QuerySet) -> QuerySet:
    return (
        qs.order_by("-reported_at", "-id")
        .annotate(owner_name=person_name("owner"))
        .values(
            "id",
            "area",
            "location",
            "description",
            "severity",
            "status",
            "deadline",
            "voided_at",
            "owner_name",
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
    of report (two grouped queries, prepared)."""
    values = {
        "school": school.pk,
        "start": timezone.make_aware(datetime.datetime(year, 1, 1)),
        "end": timezone.make_aware(datetime.datetime(year + 1, 1, 1)),
        "today": timezone.localdate(),
    }
    areas = dict(Area.choices)

    def rows(prepared: Prepared, label) -> list[RegisterRow]:
        out = []
        for r in prepared.rows(**values):
            days = r["took"].total_seconds() / 86400 if r["took"] is not None else None
            out.append(
                RegisterRow(
                    label(r["key"]),
                    r["total"],
                    r["open_n"],
                    r["overdue"],
                    r["closed"],
                    round(days, 1) if days is not None else None,
                )
            )
        return out

    return {
        "area": rows(_REGISTER_BY_AREA, lambda a: str(areas.get(a, a))),
        "month": rows(_REGISTER_BY_MONTH, lambda m: f"{m:%Y-%m}"),
    }


def _register(key) -> QuerySet:
    """The register's counts grouped by `key` (an expression), the year a range of report
    times in local time (as reported_at__year would be) so the (school, time) index serves."""
    open_q = ~Q(status=HazardStatus.CLOSED)
    return (
        Hazard.objects.filter(
            school=Param("school"),
            voided_at__isnull=True,
            reported_at__gte=Param("start", DateTimeField()),
            reported_at__lt=Param("end", DateTimeField()),
        )
        .annotate(key=key)
        .values("key")
        .annotate(
            total=Count("pk"),
            open_n=Count("pk", filter=open_q),
            overdue=Count("pk", filter=open_q & Q(deadline__lt=Param("today", DateField()))),
            closed=Count("pk", filter=Q(status=HazardStatus.CLOSED)),
            took=Avg(F("closed_at") - F("reported_at"), filter=Q(status=HazardStatus.CLOSED)),
        )
        .order_by("key")
    )


_REGISTER_BY_AREA = Prepared(lambda: _register(F("area")))
_REGISTER_BY_MONTH = Prepared(lambda: _register(TruncMonth("reported_at")))


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


def equipment_check_list(
    school: School, month: datetime.date, filters: dict[str, str] | None = None
) -> list[SimpleNamespace]:
    """Equipment in service for the monthly check, each with the month's check if there is
    one (`check_id`, `check_ok`, `check_note`, `checked_by_name`), in
    one prepared query: the month has at most one check an item (equipmentcheck_one_per_month)."""
    filters = filters or {}
    rows = _equipment_check_list(bool(filters.get("kind"))).rows(
        school=school.pk, kind=filters.get("kind", ""), month=month
    )
    return [SimpleNamespace(**row) for row in rows]


@lru_cache(maxsize=2)
def _equipment_check_list(by_kind: bool) -> Prepared:
    def build() -> QuerySet:
        month_check = FilteredRelation(
            "checks",
            condition=Q(checks__month=Param("month", DateField()), checks__voided_at__isnull=True),
        )
        return (
            _equipment_filtered(by_kind, False)
            .annotate(month_check=month_check)
            .order_by("kind", "location", "code")
            .values(
                "id",
                "kind",
                "code",
                "location",
                check_id=F("month_check__id"),
                check_ok=F("month_check__ok"),
                check_note=F("month_check__note"),
                checked_by_name=person_name("month_check__checked_by"),
            )
        )

    return Prepared(build)


def equipment_rows(
    school: School, month: datetime.date, filters: dict[str, str] | None = None
) -> PreparedList:
    """The equipment list, with whether this month's check found each item in order (None: not
    checked) from the one check a month may have (equipmentcheck_one_per_month): no check or
    model object per row."""
    filters = filters or {}
    return PreparedList(
        _equipment_filtered,
        _equipment_shown,
        (bool(filters.get("kind")), bool(filters.get("all"))),
        school=school.pk,
        kind=filters.get("kind", ""),
        month=month,
    )


def _equipment_filtered(by_kind: bool, everything: bool) -> QuerySet:
    qs = Equipment.objects.filter(school=Param("school"))
    if by_kind:
        qs = qs.filter(kind=Param("kind", CharField()))
    if not everything:
        qs = qs.filter(is_active=True)
    return qs


def _equipment_shown(qs: QuerySet) -> QuerySet:
    month_check = EquipmentCheck.objects.filter(
        school=Param("school"),
        equipment=OuterRef("pk"),
        month=Param("month", DateField()),
        voided_at__isnull=True,
    ).values("ok")[:1]
    return (
        qs.order_by("kind", "location", "code")
        .annotate(month_ok=Subquery(month_check))
        .values(
            "id", "kind", "code", "location", "model", "next_check_on", "expires_on", "month_ok"
        )
    )


def equipment_flags(school: School) -> dict[str, int]:
    """Overdue and soon-expiring equipment, and items not yet checked this month (one query)."""
    today = timezone.localdate()
    found = _EQUIPMENT_FLAGS.row(
        school=school.pk,
        today=today,
        warn=today + datetime.timedelta(days=EXPIRY_WARNING_DAYS),
        month=today.replace(day=1),
    )
    return found or {"overdue": 0, "expiring": 0, "unchecked": 0}  # no equipment in service


def _equipment_flags() -> QuerySet:
    today, warn = Param("today", DateField()), Param("warn", DateField())
    checked = EquipmentCheck.objects.filter(
        school=Param("school"), month=Param("month", DateField()), voided_at__isnull=True
    ).values("equipment_id")
    return (
        Equipment.objects.filter(school=Param("school"), is_active=True)
        .values("school")
        .annotate(
            overdue=Count("pk", filter=Q(next_check_on__lt=today) | Q(expires_on__lt=today)),
            expiring=Count(
                "pk",
                filter=Q(expires_on__gte=today, expires_on__lte=warn)
                | Q(next_check_on__gte=today, next_check_on__lte=warn),
            ),
            unchecked=Count("pk", filter=~Q(pk__in=checked)),
        )
        .values("overdue", "expiring", "unchecked")
    )


_EQUIPMENT_FLAGS = Prepared(_equipment_flags)


# ---------------------------------------------------------------- gate


def mask_id(value: str) -> str:
    return f"{'*' * 14}{value[-4:]}" if value else ""


def gate_entries(school: School, day: datetime.date, reveal: bool) -> list[SimpleNamespace]:
    """One day's gate register (one prepared query), with the ID number masked unless
    `reveal`."""
    entries = [SimpleNamespace(**row) for row in _GATE_ENTRIES.rows(school=school.pk, day=day)]
    for e in entries:
        e.id_shown = e.id_number if reveal else mask_id(e.id_number)
        e.is_voided = e.voided_at is not None
    return entries


_GATE_ENTRIES = Prepared(
    lambda: (
        GateEntry.objects.filter(school=Param("school"), time_in__date=Param("day", DateField()))
        .order_by("time_in", "id")
        .values(
            "id",
            "time_in",
            "time_out",
            "name",
            "id_number",
            "unit",
            "reason",
            "host",
            "voided_at",
            "void_reason",
        )
    )
)


def still_inside(school: School | Param, day: datetime.date | Param) -> QuerySet[GateEntry]:
    """Visitors who came in on or before `day` and were not logged out (`school` and `day`
    may be Params)."""
    return GateEntry.objects.filter(
        school=school, time_out__isnull=True, voided_at__isnull=True, time_in__date__lte=day
    ).order_by("time_in")


def inside_rows(school: School, day: datetime.date) -> list[SimpleNamespace]:
    """still_inside() as plain rows for the gate pages (one prepared query)."""
    return [SimpleNamespace(**row) for row in _INSIDE.rows(school=school.pk, day=day)]


_INSIDE = Prepared(
    lambda: still_inside(Param("school"), Param("day", DateField())).values(
        "id", "name", "host", "time_in"
    )
)


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


def roster_rows(roster: DutyRoster) -> list[SimpleNamespace]:
    """The roster's shifts for its page, as plain rows with the two people's names (one
    prepared query; a term's roster has a few hundred shifts)."""
    return [
        SimpleNamespace(**row)
        for row in _ROSTER_ROWS.rows(school=roster.school_id, roster=roster.pk)
    ]


_ROSTER_ROWS = Prepared(
    lambda: (
        DutyShift.objects.filter(school=Param("school"), roster=Param("roster"))
        .order_by("date", "kind")
        .values(
            "id",
            "date",
            "kind",
            "logged_at",
            "leader_phone",
            "staff_phone",
            leader_name=person_name("leader"),
            staff_name=person_name("staff"),
        )
    )
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


def drill_plan(school: School, year: int) -> list[SimpleNamespace]:
    """The year's planned drills, each marked done when a drill of that plan was held in its
    month (one prepared query)."""
    today = timezone.localdate()
    rows = [SimpleNamespace(**r) for r in _DRILL_PLAN.rows(school=school.pk, year=year)]
    for r in rows:
        r.overdue = not r.done and (year, r.month) < (today.year, today.month)
    return rows


def _drill_plan() -> QuerySet:
    held = Drill.objects.filter(
        school=Param("school"),
        voided_at__isnull=True,
        plan__kind=OuterRef("kind"),
        held_on__year=OuterRef("year"),
        held_on__month=OuterRef("month"),
    )
    return (
        DrillSchedule.objects.filter(school=Param("school"), year=Param("year"))
        .annotate(done=Exists(held))
        .order_by("month", "kind")
        .values("month", "kind", "note", "done")
    )


_DRILL_PLAN = Prepared(_drill_plan)


def drills(school: School, year: int) -> list[SimpleNamespace]:
    """The year's drills, newest first, with their plan's title."""
    return [SimpleNamespace(**r) for r in _DRILLS.rows(school=school.pk, year=year)]


_DRILLS = Prepared(
    lambda: (
        Drill.objects.filter(school=Param("school"), held_on__year=Param("year"))
        .order_by("-held_on", "-id")
        .values(
            "id",
            "held_on",
            "participants",
            "evacuation_seconds",
            "voided_at",
            plan_title=F("plan__title"),
        )
    )
)
