"""Dashboard to-dos, navigation and benchmarked pages of safety (one query per provider)."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_scopes import scopes_disabled

from logistics.registry import BenchPage, NavItem, Todo, registry
from safety import capabilities as caps
from safety import selectors
from safety.models import (
    EmergencyPlan,
    GateEntry,
    Hazard,
    HazardStatus,
    InspectionStatus,
    PlannedInspection,
)

PLAN_NOTICE_DAYS = 7


@registry.todo
def hazards_todo(school, user, capabilities):
    """Hazards to fix, fixes to verify, and (for the principal) overdue ones — one query."""
    if caps.REPORT_HAZARD not in capabilities:
        return
    today = timezone.localdate()
    live = Q(voided_at__isnull=True)
    counts = Hazard.objects.filter(school=school).aggregate(
        mine=Count("pk", filter=live & Q(owner=user, status=HazardStatus.OPEN)),
        verify=Count("pk", filter=live & Q(status=HazardStatus.FIXED) & ~Q(fixed_by=user)),
        overdue=Count("pk", filter=live & ~Q(status=HazardStatus.CLOSED) & Q(deadline__lt=today)),
    )
    url = reverse("safety:hazard_list", args=[school.code])
    if counts["mine"]:
        yield Todo(
            _("%(n)s hazards wait for your fix") % {"n": counts["mine"]},
            url + "?mine=1&state=open",
            counts["mine"],
            "danger",
        )
    if counts["verify"] and caps.VERIFY in capabilities:
        yield Todo(
            _("%(n)s hazard fixes wait for verification") % {"n": counts["verify"]},
            url + "?state=fixed",
            counts["verify"],
        )
    if counts["overdue"] and caps.OVERSEE in capabilities:
        yield Todo(
            _("%(n)s hazards are overdue") % {"n": counts["overdue"]},
            url + "?state=overdue",
            counts["overdue"],
            "danger",
        )


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


@registry.todo
def planned_inspections_todo(school, user, capabilities):
    if caps.INSPECT not in capabilities:
        return
    today = timezone.localdate()
    counts = (
        PlannedInspection.objects.filter(
            school=school, due_on__lte=today + datetime.timedelta(days=PLAN_NOTICE_DAYS)
        )
        .exclude(inspection__status=InspectionStatus.DONE)
        .aggregate(due=Count("pk"), overdue=Count("pk", filter=Q(due_on__lt=today)))
    )
    if counts["due"]:
        text = _("%(n)s planned inspections are due") % {"n": counts["due"]}
        if counts["overdue"]:
            text += _(" (%(n)s overdue)") % {"n": counts["overdue"]}
        yield Todo(
            text,
            reverse("safety:inspection_list", args=[school.code]),
            counts["due"],
            "danger" if counts["overdue"] else "warning",
        )


@registry.todo
def equipment_todo(school, user, capabilities):
    if caps.INSPECT not in capabilities:
        return
    flags = selectors.equipment_flags(school)
    url = reverse("safety:equipment_list", args=[school.code])
    if flags["overdue"] or flags["expiring"]:
        yield Todo(
            _("Safety equipment: %(o)s overdue, %(e)s due within 30 days")
            % {"o": flags["overdue"], "e": flags["expiring"]},
            url,
            flags["overdue"] + flags["expiring"],
            "danger" if flags["overdue"] else "warning",
        )
    if flags["unchecked"]:
        yield Todo(
            _("%(n)s safety equipment items not checked this month") % {"n": flags["unchecked"]},
            reverse("safety:equipment_check", args=[school.code]),
            flags["unchecked"],
            "info",
        )


@registry.todo
def gate_todo(school, user, capabilities):
    """Visitors logged in on an earlier day and never logged out."""
    if caps.GATE not in capabilities:
        return
    n = GateEntry.objects.filter(
        school=school,
        time_out__isnull=True,
        voided_at__isnull=True,
        time_in__date__lt=timezone.localdate(),
    ).count()
    if n:
        yield Todo(
            _("%(n)s visitors from earlier days were never logged out") % {"n": n},
            reverse("safety:gate", args=[school.code]),
            n,
        )


@registry.todo
def emergency_plans_todo(school, user, capabilities):
    """Current emergency plans whose review date is past or within 30 days."""
    if caps.MANAGE not in capabilities:
        return
    n = EmergencyPlan.objects.filter(
        school=school,
        is_current=True,
        review_on__lte=timezone.localdate() + datetime.timedelta(days=30),
    ).count()
    if n:
        yield Todo(
            _("%(n)s emergency plans are due for review") % {"n": n},
            reverse("safety:emergency_plan_list", args=[school.code]),
            n,
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
