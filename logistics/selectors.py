"""Kernel reads used by pages."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from logistics.models import AuditEvent, School
from logistics.registry import Todo, registry

PAGE_SIZE = 50


def paginate(queryset: QuerySet, page_number: str | None, per_page: int = PAGE_SIZE) -> Page:
    """One page of a list; the only COUNT on a list page is the paginator's."""
    return Paginator(queryset, per_page).get_page(page_number)


def todos_for(school: School, user: AbstractBaseUser, capabilities: frozenset[str]) -> list[Todo]:
    todos: list[Todo] = []
    for provider in registry.todo_providers:
        todos.extend(provider(school, user, capabilities))
    return todos


def audit_events(school: School) -> QuerySet[AuditEvent]:
    return (
        AuditEvent.objects.filter(school=school)
        .select_related("actor")
        .order_by("-seq")
        .only(
            "seq",
            "occurred_at",
            "action",
            "object_type",
            "object_id",
            "summary",
            "actor__username",
            "actor__first_name",
            "actor__last_name",
        )
    )
