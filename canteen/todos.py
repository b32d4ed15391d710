"""Dashboard to-dos and benchmarked pages of the canteen (one query for all to-dos)."""

from __future__ import annotations

import datetime

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import DateField, DateTimeField, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canteen import capabilities as caps
from canteen.models import (
    CanteenDay,
    CanteenSettings,
    Complaint,
    CorrectiveAction,
    FollowUp,
    Incident,
    MenuDish,
    MonthlyMeeting,
    Sample,
    StaffMember,
    Supplier,
)
from canteen.services import MAX_WARNING_DAYS, WARNING_DAYS
from logistics.models import School
from logistics.prepared import Param, Prepared, count
from logistics.registry import BenchPage, NavItem, Todo, registry

# Each certificate or licence is counted once, in the tightest of the school's warning
# windows it falls in (the tightest also holds what has already expired). The query brings the
# school's windows and the expiry dates within the widest window the settings allow; the
# counting by window is done here, so any windows cost the same one query.
LEVELS = ("danger", "warning", "info")


def _dates(qs: QuerySet, field: str) -> ArraySubquery:
    return ArraySubquery(qs.order_by().values(field))


def _expiry_counts() -> dict:
    horizon = Param("horizon", DateField())
    return {
        "warning_days": Subquery(
            CanteenSettings.objects.filter(school=Param("school")).values("warning_days")[:1]
        ),
        "certificates": _dates(
            StaffMember.objects.filter(
                school=Param("school"), is_active=True, certificate_expires__lte=horizon
            ),
            "certificate_expires",
        ),
        "licences": _dates(
            Supplier.objects.filter(school=Param("school"), licence_expires__lte=horizon),
            "licence_expires",
        ),
    }


def _expiry_lines(code: str, row: dict, today: datetime.date) -> list[tuple]:
    windows = sorted(set(row["warning_days"] or WARNING_DAYS))
    lines = []
    for what, capability, url_name in (
        ("certificates", caps.MANAGE, "canteen:staff_list"),
        ("licences", caps.MANAGE, "canteen:supplier_list"),
    ):
        left = [(d - today).days for d in row[what]]
        for i, days in enumerate(windows):
            n = sum(1 for x in left if x <= days and (i == 0 or x > windows[i - 1]))
            if what == "certificates":
                text = (
                    _("%(n)s health certificates expire within %(days)s days or have expired")
                    if i == 0
                    else _("%(n)s health certificates expire within %(days)s days")
                )
            else:
                text = (
                    _("%(n)s supplier licences expire within %(days)s days or have expired")
                    if i == 0
                    else _("%(n)s supplier licences expire within %(days)s days")
                )
            level = LEVELS[min(i, len(LEVELS) - 1)]
            url = reverse(url_name, args=[code])
            # The days are filled in now; the count when the line is shown.
            lines.append((capability, n, level, text % {"n": "%(n)s", "days": days}, url))
    return lines


def _counts() -> QuerySet:
    school, user = Param("school"), Param("user")
    today = Param("today", DateField())
    sampled = Sample.objects.filter(dish=OuterRef("pk"), voided_at__isnull=True)
    # An action of a voided inspection is void with it.
    actions = CorrectiveAction.objects.filter(
        school=school, item__inspection__voided_at__isnull=True
    )
    open_actions = actions.filter(status=CorrectiveAction.OPEN)
    return (
        School.objects.filter(pk=school)
        .annotate(
            unsampled=count(
                MenuDish.objects.filter(school=school, date=today)
                .annotate(has=Subquery(sampled.values("pk")[:1]))
                .filter(has__isnull=True)
            ),
            **_expiry_counts(),
            disposable=count(
                Sample.objects.filter(
                    school=school,
                    disposed_at__isnull=True,
                    voided_at__isnull=True,
                    sealed_at__isnull=True,
                    taken_at__lte=Param("ready", DateTimeField()),
                )
            ),
            review=count(CanteenDay.objects.filter(school=school, status=CanteenDay.CLOSED)),
            unanswered=count(FollowUp.objects.filter(school=school, replied_at__isnull=True)),
            complaints=count(
                Complaint.objects.filter(
                    school=school, closed_on__isnull=True, voided_at__isnull=True
                )
            ),
            overdue=count(
                FollowUp.objects.filter(school=school, replied_at__isnull=True, deadline__lt=today)
            ),
            actions_overdue=count(open_actions.filter(deadline__lt=today)),
            actions_mine=count(open_actions.filter(owner=user)),
            actions_to_verify=count(
                actions.filter(status=CorrectiveAction.FIXED).exclude(fixed_by=user)
            ),
            # Minutes the principal wrote name them on the step; others' wait for any principal.
            minutes=count(
                MonthlyMeeting.objects.filter(
                    school=school, status=MonthlyMeeting.PENDING, voided_at__isnull=True
                ).filter(
                    Q(approval__current_signer=user)
                    | (Q(approval__current_signer__isnull=True) & ~Q(approval__requested_by=user))
                )
            ),
            incidents=count(
                Incident.objects.filter(school=school, status=Incident.OPEN, voided_at__isnull=True)
            ),
        )
        .values(
            "unsampled",
            "warning_days",
            "certificates",
            "licences",
            "disposable",
            "review",
            "unanswered",
            "complaints",
            "overdue",
            "actions_overdue",
            "actions_mine",
            "actions_to_verify",
            "minutes",
            "incidents",
        )
    )


# Compiled once per process (logistics.prepared): the dashboard runs it on every view.
_COUNTS = Prepared(_counts)


@registry.todo
def canteen_todos(school, user, capabilities):
    if caps.VIEW not in capabilities:
        return
    today = timezone.localdate()
    row = _COUNTS.row(
        school=school.pk,
        user=user.pk,
        today=today,
        horizon=today + datetime.timedelta(days=MAX_WARNING_DAYS),
        # The national 48 h: a school that keeps samples longer is refused at disposal, with
        # the time they become disposable.
        ready=timezone.now() - datetime.timedelta(hours=48),
    )
    code = school.code
    inspections = reverse("canteen:inspection_list", args=[code])
    lines = [
        (
            caps.RECORD,
            row["unsampled"],
            "danger",
            _("%(n)s dishes of today's menu have no sample"),
            reverse("canteen:today", args=[code]),
        ),
        *_expiry_lines(code, row, today),
        (
            caps.RECORD,
            row["disposable"],
            "info",
            _("%(n)s samples are ready for disposal"),
            reverse("canteen:ledger", args=[code, "samples"]),
        ),
        (
            caps.REVIEW,
            row["review"],
            "danger",
            _("%(n)s canteen days wait for your review"),
            reverse("canteen:day_list", args=[code]),
        ),
        (
            caps.REPLY,
            row["unanswered"],
            "danger",
            _("%(n)s committee concerns wait for a reply"),
            reverse("canteen:followup_list", args=[code]),
        ),
        (
            caps.REPLY,
            row["complaints"],
            "danger",
            _("%(n)s complaints wait for a reply"),
            reverse("canteen:complaint_list", args=[code]),
        ),
        (
            caps.VIEW,
            row["overdue"],
            "danger",
            _("%(n)s follow-up items are overdue"),
            reverse("canteen:followup_list", args=[code]),
        ),
        (
            caps.INSPECT,
            row["actions_overdue"],
            "danger",
            _("%(n)s corrective actions are overdue"),
            inspections,
        ),
        (
            caps.VIEW,
            row["actions_mine"],
            "warning",
            _("%(n)s corrective actions wait for you to fix them"),
            inspections,
        ),
        (
            caps.INSPECT,
            row["actions_to_verify"],
            "warning",
            _("%(n)s corrective actions wait for your verification"),
            inspections,
        ),
        (
            caps.SIGN_MINUTES,
            row["minutes"],
            "danger",
            _("%(n)s monthly meeting minutes wait for your signature"),
            inspections,
        ),
        (
            caps.INCIDENT,
            row["incidents"],
            "danger",
            _("%(n)s food-safety incidents are open"),
            reverse("canteen:incident_list", args=[code]),
        ),
    ]
    for capability, n, level, text, url in lines:
        if n and capability in capabilities:
            yield Todo(text % {"n": n}, url, n, level)


registry.nav_item(NavItem(gettext_lazy("Canteen"), "canteen:today", caps.VIEW, order=10))

for name, path, is_list in (
    ("canteen: today", lambda s: f"/s/{s.code}/canteen/", False),
    ("canteen: day review", lambda s: f"/s/{s.code}/canteen/day/{timezone.localdate()}/", False),
    ("canteen: days", lambda s: f"/s/{s.code}/canteen/days/", True),
    ("canteen: sample ledger", lambda s: f"/s/{s.code}/canteen/ledgers/samples/", True),
    ("canteen: receiving ledger", lambda s: f"/s/{s.code}/canteen/ledgers/receiving/", True),
    ("canteen: morning ledger", lambda s: f"/s/{s.code}/canteen/ledgers/morning/", True),
    ("canteen: self-inspection", lambda s: f"/s/{s.code}/canteen/inspections/", True),
    ("canteen: incidents", lambda s: f"/s/{s.code}/canteen/incidents/", True),
    ("canteen: menu", lambda s: f"/s/{s.code}/canteen/menu/", True),
    ("canteen: complaints", lambda s: f"/s/{s.code}/canteen/complaints/", True),
    ("canteen: surveys", lambda s: f"/s/{s.code}/canteen/surveys/", True),
    ("canteen: staff", lambda s: f"/s/{s.code}/canteen/staff/", True),
    ("canteen: suppliers", lambda s: f"/s/{s.code}/canteen/suppliers/", True),
):
    registry.bench_page(BenchPage(name, path, caps.VIEW, is_list))
