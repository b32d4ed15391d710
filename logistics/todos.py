"""The kernel's own dashboard to-dos and benchmarked pages."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from logistics import approvals, selectors
from logistics.models import Notification
from logistics.registry import BenchPage, Todo, registry


@registry.todo
def approvals_to_sign(school, user, capabilities):
    count = (
        selectors.approvals_waiting_for(school, user, capabilities)
        .exclude(doc_type__in=approvals.types_with_own_todo())
        .count()
    )
    if count:
        yield Todo(
            text=_("%(n)s documents wait for your signature") % {"n": count},
            url=reverse("approvals_waiting", args=[school.code]),
            count=count,
            level="danger",
        )


@registry.todo
def reminders(school, user, capabilities):
    """催办 reminders sent to this user, until the document moves on."""
    for note in Notification.objects.filter(
        school=school, user=user, read_at__isnull=True
    ).order_by("-created_at")[:20]:
        yield Todo(text=note.text, url=note.url, level="info")


registry.bench_page(BenchPage("dashboard", lambda s: f"/s/{s.code}/", "dashboard.view", False))
registry.bench_page(BenchPage("audit log", lambda s: f"/s/{s.code}/audit/", "audit.view"))
registry.bench_page(
    BenchPage("approvals waiting", lambda s: f"/s/{s.code}/approvals/", "dashboard.view")
)
