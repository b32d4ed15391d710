"""Reads of the staff page, scoped to one school."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from logistics.models import Membership, Role, School


def grantable_roles() -> QuerySet[Role]:
    """Roles a school's staff manager may hand out (the service also checks their own rights);
    roles reaching member schools are the system administrator's to grant."""
    return Role.objects.filter(reaches_members=False).order_by("name")


def staff_list(school: School) -> list[Membership]:
    """The school's members, active first, with their roles: two queries for any number."""
    members = (
        Membership.objects.filter(school=school)
        .select_related("user")
        .prefetch_related(Prefetch("roles", queryset=Role.objects.order_by("name")))
        .order_by("user__first_name", "user__username")
    )
    return sorted(members, key=lambda m: not (m.user.is_active and m.roles.all()))


def membership_for(school: School, pk: int) -> Membership:
    """One member of `school`, or 404 (another school's member is not even confirmed)."""
    return get_object_or_404(
        Membership.objects.select_related("user").prefetch_related("roles"), school=school, pk=pk
    )
