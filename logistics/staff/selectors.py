"""Reads of the staff page, scoped to one school."""

from __future__ import annotations

from functools import cache

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import translation

from logistics.models import Membership, Role, School
from logistics.roles import DEFAULT_ROLES


def role_label(role: Role) -> str:
    """The role's name in the reader's language. Default roles are stored with the English
    name (migrations run untranslated): those show their translated label, unless an
    administrator renamed them."""
    default = DEFAULT_ROLES.get(role.code)
    if default is not None and role.name == _english_name(role.code):
        return str(default[0])
    return role.name


@cache
def _english_name(code: str) -> str:
    # Switching the language costs more than the rest of a staff row: once per role.
    with translation.override("en"):
        return str(DEFAULT_ROLES[code][0])


def role_names(role: Role) -> set[str]:
    """Every name a staff list may use for `role`: its code, its name, its Chinese label."""
    names = {role.code, role.name, role_label(role)}
    with translation.override("zh-hans"):
        names.add(role_label(role))
    return names


def grantable_roles() -> QuerySet[Role]:
    """Roles a school's staff manager may hand out (the service also checks their own rights);
    roles reaching member schools are the system administrator's to grant."""
    return Role.objects.filter(reaches_members=False).order_by("name")


def staff_list(school: School) -> QuerySet[Membership]:
    """The school's members, working ones (active, with a role) first, by name; a page of
    them costs the same queries whatever the school's size."""
    roles = Membership.roles.through.objects.filter(membership_id=OuterRef("pk"))
    has_role = Exists(roles)
    roles = roles.order_by("role__name")
    working = ExpressionWrapper(Q(user__is_active=True) & has_role, output_field=BooleanField())
    return (
        Membership.objects.filter(school=school)
        .select_related("user")
        .annotate(is_working=working, role_ids=ArraySubquery(roles.values("role_id")))
        .order_by("-is_working", "user__first_name", "user__username", "pk")
    )


def with_role_labels(members) -> None:
    """Each member's role names in the reader's language (`role_labels`), from one read of
    the few roles there are: a prefetch made a Role object per member and role."""
    labels = {r.pk: role_label(r) for r in Role.objects.all()}
    for m in members:
        m.role_labels = [labels[pk] for pk in m.role_ids]


def membership_for(school: School, pk: int) -> Membership:
    """One member of `school`, or 404 (another school's member is not even confirmed)."""
    return get_object_or_404(
        Membership.objects.select_related("user").prefetch_related("roles"), school=school, pk=pk
    )
