"""Reads for the notice pages: staff lists and the public board, scoped by school."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from logistics.models import School
from logistics.notices.kinds import all_kinds, get_kind
from logistics.notices.models import Notice

LIST_FIELDS = (
    "id",
    "kind",
    "title",
    "status",
    "version",
    "created_at",
    "published_at",
    "approval__status",
    "created_by__username",
    "created_by__first_name",
    "created_by__last_name",
)


def staff_notices(school: School, status: str = "") -> QuerySet[dict]:
    groups = {
        "draft": [Notice.DRAFT],
        "waiting": [Notice.SUBMITTED],
        "published": [Notice.PUBLISHED],
        "archived": [Notice.SUPERSEDED, Notice.WITHDRAWN, Notice.REJECTED],
    }
    qs = Notice.objects.filter(school=school)
    if status in groups:
        qs = qs.filter(status__in=groups[status])
    # Plain rows, not model instances: the list is the school's busiest notice page.
    return qs.values(*LIST_FIELDS).order_by("-created_at")


def on_board(school: School, month: datetime.date | None = None) -> QuerySet[Notice]:
    """The public board: notices in their publication period, or those published in `month`."""
    public = Notice.objects.filter(school=school, published_at__isnull=False)
    if month is None:
        public = public.filter(status=Notice.PUBLISHED, public_until__gte=timezone.localdate())
    else:
        start = timezone.make_aware(datetime.datetime(month.year, month.month, 1))
        end_month = datetime.date(month.year + month.month // 12, month.month % 12 + 1, 1)
        end = timezone.make_aware(datetime.datetime(end_month.year, end_month.month, 1))
        public = public.filter(published_at__gte=start, published_at__lt=end).filter(
            _publicly_readable()
        )
    return public.only(
        "id",
        "kind",
        "title",
        "status",
        "version",
        "verify_code",
        "published_at",
        "public_until",
        "school_id",
        "period_start",
        "period_end",
    ).order_by("-published_at")


def _archived_kinds() -> list[str]:
    return [k.code for k in all_kinds() if k.public_archive and not k.personal_data]


def _publicly_readable() -> Q:
    """Published or superseded (never withdrawn), and either a kind kept in the public archive
    or still in its publication period (personal data leaves when the period ends)."""
    return Q(status__in=[Notice.PUBLISHED, Notice.SUPERSEDED]) & (
        Q(kind__in=_archived_kinds()) | Q(public_until__gte=timezone.localdate())
    )


def is_publicly_readable(notice: Notice) -> bool:
    """The same rule as _publicly_readable(), for one notice already loaded."""
    if notice.status not in (Notice.PUBLISHED, Notice.SUPERSEDED):
        return False
    kind = get_kind(notice.kind)
    in_period = notice.public_until is not None and notice.public_until >= timezone.localdate()
    return (kind.public_archive and not kind.personal_data) or in_period


def board_months(school: School) -> list[datetime.date]:
    return [
        m.date() if hasattr(m, "date") else m
        for m in Notice.objects.filter(school=school, published_at__isnull=False)
        .filter(_publicly_readable())
        .annotate(month=TruncMonth("published_at"))
        .values_list("month", flat=True)
        .distinct()
        .order_by("-month")[:36]
    ]


def published_by_code(verify_code: str) -> Notice | None:
    """A published (or later superseded / withdrawn) notice and what superseded it."""
    return (
        Notice.objects.filter(verify_code=verify_code, published_at__isnull=False)
        .select_related("school")
        .first()
    )


def current_version(notice: Notice) -> Notice | None:
    """The published version of the notice's series, if any (for a superseded copy)."""
    return (
        Notice.objects.filter(series=notice.series, status=Notice.PUBLISHED)
        .only("id", "verify_code", "version", "title", "school_id")
        .first()
    )
