"""The kernel's own dashboard to-dos and benchmarked pages."""

from __future__ import annotations

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models.functions import JSONObject
from django.urls import reverse
from django.utils.translation import gettext as _

from logistics import approvals, selectors
from logistics.models import Notification, School
from logistics.prepared import AnyOf, Param, ParamList, Prepared, count
from logistics.registry import BenchPage, Todo, registry


def _todos():
    waiting = (
        selectors.approvals_waiting(Param("user"), ParamList("capabilities"))
        .filter(school=Param("school"))
        .exclude(AnyOf("doc_type", ParamList("own_todo")))  # the app lists those itself
    )
    reminders = Notification.objects.filter(
        school=Param("school"), user=Param("user"), read_at__isnull=True
    ).order_by("-created_at")
    return (
        School.objects.filter(pk=Param("school"))
        .annotate(
            waiting=count(waiting),
            reminders=ArraySubquery(reminders.values(note=JSONObject(text="text", url="url"))[:20]),
        )
        .values("waiting", "reminders")
    )


# Compiled once per process (logistics.prepared): the dashboard runs it on every view.
_TODOS = Prepared(_todos)


@registry.todo
def kernel_todos(school, user, capabilities):
    """Documents waiting for this user's signature, and the 催办 reminders sent to them (until
    the document moves on): one query."""
    found = _TODOS.row(
        school=school.pk,
        user=user.pk,
        capabilities=list(capabilities),
        own_todo=approvals.types_with_own_todo(),
    )
    if found["waiting"]:
        yield Todo(
            text=_("%(n)s documents wait for your signature") % {"n": found["waiting"]},
            url=reverse("approvals_waiting", args=[school.code]),
            count=found["waiting"],
            level="danger",
        )
    for note in found["reminders"]:
        yield Todo(text=note["text"], url=note["url"], level="info")


registry.bench_page(BenchPage("dashboard", lambda s: f"/s/{s.code}/", "dashboard.view", False))
registry.bench_page(BenchPage("audit log", lambda s: f"/s/{s.code}/audit/", "audit.view"))
registry.bench_page(
    BenchPage("approvals waiting", lambda s: f"/s/{s.code}/approvals/", "dashboard.view")
)
