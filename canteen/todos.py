"""Dashboard to-dos and benchmarked pages of the canteen (one query for all to-dos)."""

from __future__ import annotations

import datetime

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canteen import capabilities as caps
from canteen.models import CanteenDay, Complaint, FollowUp, MenuDish, Sample, StaffMember, Supplier
from canteen.services import WARNING_DAYS
from logistics.models import School
from logistics.registry import BenchPage, NavItem, Todo, registry


def _count(qs: QuerySet) -> Coalesce:
    """A scalar subquery counting `qs` (already limited to the school)."""
    counted = qs.order_by().values("school").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


# Warned at 30, 14 and 7 days before expiry: each certificate or licence is counted once, in
# the tightest window it falls in (the first also holds what has already expired).
WINDOWS = sorted(WARNING_DAYS)
LEVELS = ("danger", "warning", "info")


def _expiry_keys() -> list[str]:
    return [f"{what}_{days}" for what in ("certificates", "licences") for days in WINDOWS]


def _expiry_counts(school: School, today: datetime.date) -> dict[str, Coalesce]:
    counts = {}
    for i, days in enumerate(WINDOWS):
        until = today + datetime.timedelta(days=days)
        after = today + datetime.timedelta(days=WINDOWS[i - 1]) if i else None
        staff = StaffMember.objects.filter(
            school=school, is_active=True, certificate_expires__lte=until
        )
        suppliers = Supplier.objects.filter(school=school, licence_expires__lte=until)
        if after is not None:
            staff = staff.filter(certificate_expires__gt=after)
            suppliers = suppliers.filter(licence_expires__gt=after)
        counts[f"certificates_{days}"] = _count(staff)
        counts[f"licences_{days}"] = _count(suppliers)
    return counts


def _expiry_lines(code: str) -> list[tuple]:
    lines = []
    for i, days in enumerate(WINDOWS):
        if i == 0:
            texts = (
                _("%(n)s health certificates expire within %(days)s days or have expired"),
                _("%(n)s supplier licences expire within %(days)s days or have expired"),
            )
        else:
            texts = (
                _("%(n)s health certificates expire within %(days)s days"),
                _("%(n)s supplier licences expire within %(days)s days"),
            )
        # The days are filled in now; the count when the line is shown.
        certificates, licences = (t % {"n": "%(n)s", "days": days} for t in texts)
        level = LEVELS[min(i, len(LEVELS) - 1)]
        lines += [
            (
                caps.MANAGE,
                f"certificates_{days}",
                level,
                certificates,
                reverse("canteen:staff_list", args=[code]),
            ),
            (
                caps.MANAGE,
                f"licences_{days}",
                level,
                licences,
                reverse("canteen:supplier_list", args=[code]),
            ),
        ]
    return lines


@registry.todo
def canteen_todos(school, user, capabilities):
    if caps.VIEW not in capabilities:
        return
    today = timezone.localdate()
    sampled = Sample.objects.filter(dish=OuterRef("pk"), voided_at__isnull=True)
    # The national 48 h: a school that keeps samples longer is refused at disposal, with the
    # time they become disposable.
    ready = timezone.now() - datetime.timedelta(hours=48)
    row = (
        School.objects.filter(pk=school.pk)
        .annotate(
            unsampled=_count(
                MenuDish.objects.filter(school=school, date=today)
                .annotate(has=Subquery(sampled.values("pk")[:1]))
                .filter(has__isnull=True)
            ),
            **_expiry_counts(school, today),
            disposable=_count(
                Sample.objects.filter(
                    school=school,
                    disposed_at__isnull=True,
                    voided_at__isnull=True,
                    taken_at__lte=ready,
                )
            ),
            review=_count(CanteenDay.objects.filter(school=school, status=CanteenDay.CLOSED)),
            unanswered=_count(FollowUp.objects.filter(school=school, replied_at__isnull=True)),
            complaints=_count(
                Complaint.objects.filter(
                    school=school, closed_on__isnull=True, voided_at__isnull=True
                )
            ),
            overdue=_count(
                FollowUp.objects.filter(school=school, replied_at__isnull=True, deadline__lt=today)
            ),
        )
        .values(
            "unsampled",
            *_expiry_keys(),
            "disposable",
            "review",
            "unanswered",
            "complaints",
            "overdue",
        )
        .get()
    )
    code = school.code
    lines = [
        (
            caps.RECORD,
            "unsampled",
            "danger",
            _("%(n)s dishes of today's menu have no sample"),
            reverse("canteen:today", args=[code]),
        ),
        *_expiry_lines(code),
        (
            caps.RECORD,
            "disposable",
            "info",
            _("%(n)s samples are ready for disposal"),
            reverse("canteen:ledger", args=[code, "samples"]),
        ),
        (
            caps.REVIEW,
            "review",
            "danger",
            _("%(n)s canteen days wait for your review"),
            reverse("canteen:day_list", args=[code]),
        ),
        (
            caps.REPLY,
            "unanswered",
            "danger",
            _("%(n)s committee concerns wait for a reply"),
            reverse("canteen:followup_list", args=[code]),
        ),
        (
            caps.REPLY,
            "complaints",
            "danger",
            _("%(n)s complaints wait for a reply"),
            reverse("canteen:complaint_list", args=[code]),
        ),
        (
            caps.VIEW,
            "overdue",
            "danger",
            _("%(n)s follow-up items are overdue"),
            reverse("canteen:followup_list", args=[code]),
        ),
    ]
    for capability, key, level, text, url in lines:
        if row[key] and capability in capabilities:
            yield Todo(text % {"n": row[key]}, url, row[key], level)


registry.nav_item(NavItem(gettext_lazy("Canteen"), "canteen:today", caps.VIEW, order=10))

for name, path, is_list in (
    ("canteen: today", lambda s: f"/s/{s.code}/canteen/", False),
    ("canteen: day review", lambda s: f"/s/{s.code}/canteen/day/{timezone.localdate()}/", False),
    ("canteen: days", lambda s: f"/s/{s.code}/canteen/days/", True),
    ("canteen: sample ledger", lambda s: f"/s/{s.code}/canteen/ledgers/samples/", True),
    ("canteen: receiving ledger", lambda s: f"/s/{s.code}/canteen/ledgers/receiving/", True),
    ("canteen: morning ledger", lambda s: f"/s/{s.code}/canteen/ledgers/morning/", True),
):
    registry.bench_page(BenchPage(name, path, caps.VIEW, is_list))
