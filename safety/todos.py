"""Dashboard to-dos, navigation and benchmarked pages of safety (one query for all to-dos)."""

from __future__ import annotations

import datetime

from django.db.models import DateField, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_scopes import scopes_disabled

from logistics.prepared import Param, Prepared, counts
from logistics.registry import BenchPage, NavItem, Todo, registry
from safety import capabilities as caps
from safety import selectors
from safety.models import (
    EmergencyPlan,
    Equipment,
    EquipmentCheck,
    GateEntry,
    Hazard,
    HazardStatus,
    InspectionStatus,
    PlannedInspection,
)

PLAN_NOTICE_DAYS = 7


@registry.todo
def central_severe_hazards(school, user, capabilities):
    """At the central school: member schools' overdue major hazards, a line per school."""
    if not school.is_central or caps.OVERSEE not in capabilities:
        return
    # The central principal's role reaches the member schools; the read is limited to them.
    with scopes_disabled():
        rows = selectors.severe_overdue_by_member(school)
    for row in rows:
        yield Todo(
            _("%(school)s: %(n)s major hazards are overdue")
            % {"school": row["school__name"], "n": row["n"]},
            reverse("safety:hazard_list", args=[row["school__code"]]) + "?state=overdue",
            row["n"],
            "danger",
        )


def _counts():
    today = Param("today", DateField())
    hazards = Hazard.objects.filter(school=Param("school"), voided_at__isnull=True)
    plans = PlannedInspection.objects.filter(
        school=Param("school"), due_on__lte=Param("plans_until", DateField())
    ).exclude(inspection__status=InspectionStatus.DONE)
    equipment = Equipment.objects.filter(school=Param("school"), is_active=True)
    warn = Param("warn_until", DateField())
    return counts(
        hazards_mine=hazards.filter(owner=Param("user"), status=HazardStatus.OPEN),
        hazards_verify=hazards.filter(status=HazardStatus.FIXED).exclude(fixed_by=Param("user")),
        hazards_overdue=hazards.exclude(status=HazardStatus.CLOSED).filter(deadline__lt=today),
        plans_due=plans,
        plans_overdue=plans.filter(due_on__lt=today),
        equipment_overdue=equipment.filter(Q(next_check_on__lt=today) | Q(expires_on__lt=today)),
        equipment_expiring=equipment.filter(
            Q(expires_on__gte=today, expires_on__lte=warn)
            | Q(next_check_on__gte=today, next_check_on__lte=warn)
        ),
        equipment_unchecked=equipment.exclude(
            pk__in=EquipmentCheck.objects.filter(
                school=Param("school"), month=Param("month", DateField()), voided_at__isnull=True
            ).values("equipment_id")
        ),
        visitors_open=GateEntry.objects.filter(
            school=Param("school"),
            time_out__isnull=True,
            voided_at__isnull=True,
            time_in__date__lt=today,
        ),
        plans_to_review=EmergencyPlan.objects.filter(
            school=Param("school"), is_current=True, review_on__lte=warn
        ),
    )


# Compiled once per process (logistics.prepared): the dashboard runs it on every view.
_COUNTS = Prepared(_counts)


@registry.todo
def safety_todos(school, user, capabilities):
    """Hazards to fix, verify or chase; planned inspections and equipment checks due; visitors
    never logged out; emergency plans to review — one query for all."""
    if not capabilities & {caps.REPORT_HAZARD, caps.INSPECT, caps.GATE, caps.MANAGE}:
        return
    today = timezone.localdate()
    n = _COUNTS.row(
        school=school.pk,
        user=user.pk,
        today=today,
        plans_until=today + datetime.timedelta(days=PLAN_NOTICE_DAYS),
        warn_until=today + datetime.timedelta(days=selectors.EXPIRY_WARNING_DAYS),
        month=today.replace(day=1),
    )
    if caps.REPORT_HAZARD in capabilities:
        yield from _hazard_lines(school, capabilities, n)
    if caps.INSPECT in capabilities:
        yield from _inspection_lines(school, n)
    if n["visitors_open"] and caps.GATE in capabilities:
        yield Todo(
            _("%(n)s visitors from earlier days were never logged out") % {"n": n["visitors_open"]},
            reverse("safety:gate", args=[school.code]),
            n["visitors_open"],
        )
    if n["plans_to_review"] and caps.MANAGE in capabilities:
        yield Todo(
            _("%(n)s emergency plans are due for review") % {"n": n["plans_to_review"]},
            reverse("safety:emergency_plan_list", args=[school.code]),
            n["plans_to_review"],
        )


def _hazard_lines(school, capabilities, n):
    url = reverse("safety:hazard_list", args=[school.code])
    if n["hazards_mine"]:
        yield Todo(
            _("%(n)s hazards wait for your fix") % {"n": n["hazards_mine"]},
            url + "?mine=1&state=open",
            n["hazards_mine"],
            "danger",
        )
    if n["hazards_verify"] and caps.VERIFY in capabilities:
        yield Todo(
            _("%(n)s hazard fixes wait for verification") % {"n": n["hazards_verify"]},
            url + "?state=fixed",
            n["hazards_verify"],
        )
    if n["hazards_overdue"] and caps.OVERSEE in capabilities:
        yield Todo(
            _("%(n)s hazards are overdue") % {"n": n["hazards_overdue"]},
            url + "?state=overdue",
            n["hazards_overdue"],
            "danger",
        )


def _inspection_lines(school, n):
    if n["plans_due"]:
        text = _("%(n)s planned inspections are due") % {"n": n["plans_due"]}
        if n["plans_overdue"]:
            text += _(" (%(n)s overdue)") % {"n": n["plans_overdue"]}
        yield Todo(
            text,
            reverse("safety:inspection_list", args=[school.code]),
            n["plans_due"],
            "danger" if n["plans_overdue"] else "warning",
        )
    overdue, expiring = n["equipment_overdue"], n["equipment_expiring"]
    if overdue or expiring:
        yield Todo(
            _("Safety equipment: %(o)s overdue, %(e)s due within 30 days")
            % {"o": overdue, "e": expiring},
            reverse("safety:equipment_list", args=[school.code]),
            overdue + expiring,
            "danger" if overdue else "warning",
        )
    if n["equipment_unchecked"]:
        yield Todo(
            _("%(n)s safety equipment items not checked this month")
            % {"n": n["equipment_unchecked"]},
            reverse("safety:equipment_check", args=[school.code]),
            n["equipment_unchecked"],
            "info",
        )


registry.nav_item(NavItem(gettext_lazy("Safety"), "safety:inspection_list", caps.VIEW, order=40))
registry.nav_item(NavItem(gettext_lazy("Hazards"), "safety:hazard_list", caps.REPORT_HAZARD, 41))
registry.nav_item(NavItem(gettext_lazy("Gate"), "safety:gate", caps.GATE, order=42))
registry.nav_item(NavItem(gettext_lazy("Duty rosters"), "safety:roster_list", caps.DUTY, order=43))

for name, path, capability in [
    ("safety: hazards", "hazards/", caps.VIEW),
    ("safety: inspections", "", caps.VIEW),
    ("safety: equipment", "equipment/", caps.VIEW),
    ("safety: gate register", "gate/register/", caps.GATE),
]:
    registry.bench_page(BenchPage(name, lambda s, p=path: f"/s/{s.code}/safety/{p}", capability))
