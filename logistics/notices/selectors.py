"""Reads for the notice pages: staff lists and the public board, scoped by school."""

from __future__ import annotations

import datetime

from django.core.paginator import Page
from django.db.models import F, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext

from logistics.models import School
from logistics.notices.kinds import all_kinds, get_kind
from logistics.notices.models import Notice
from logistics.prepared import Param, PreparedList
from logistics.selectors import paginate, person_name

_STATUS_GROUPS = {
    "draft": [Notice.DRAFT],
    "waiting": [Notice.SUBMITTED],
    "published": [Notice.PUBLISHED],
    "archived": [Notice.SUPERSEDED, Notice.WITHDRAWN, Notice.REJECTED],
}


def staff_notice_page(school: School, status: str, page_number: str | None) -> Page:
    """A page of the school's notices, newest first, filtered by a `status` group: plain
    rows (a prepared list) with their labels and dates worked out once per page (template
    filters in every row made the list twice as slow as the reference page)."""
    group = status if status in _STATUS_GROUPS else ""
    page = paginate(
        PreparedList(_school_notices, _notices_shown, (group,), school=school.pk), page_number
    )
    labels = {k.code: str(k.label) for k in all_kinds()}
    statuses = {code: str(label) for code, label in Notice.STATUS_CHOICES}
    version = gettext("version %(v)s")
    for n in page.object_list:
        n.kind_label = labels.get(n.kind, n.kind)
        n.status_label = statuses[n.status]
        n.version_label = version % {"v": n.version}
        n.created_on = timezone.localtime(n.created_at).strftime("%Y-%m-%d")
        n.published_on = (
            timezone.localtime(n.published_at).strftime("%Y-%m-%d") if n.published_at else ""
        )
    return page


def _school_notices(group: str) -> QuerySet[Notice]:
    notices = Notice.objects.filter(school=Param("school"))
    return notices.filter(status__in=_STATUS_GROUPS[group]) if group else notices


def _notices_shown(notices: QuerySet[Notice]) -> QuerySet[Notice]:
    return notices.order_by("-created_at").values(
        "id",
        "kind",
        "title",
        "status",
        "version",
        "created_at",
        "published_at",
        approval_status=F("approval__status"),
        author=person_name("created_by"),
    )


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
