"""Reads of the staff page, scoped to one school."""

from __future__ import annotations

from functools import cache

from django.contrib.postgres.expressions import ArraySubquery
from django.core.paginator import Page
from django.db.models import BooleanField, ExpressionWrapper, F, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import translation

from logistics.models import Membership, Role, School
from logistics.prepared import Prepared, PreparedList
from logistics.roles import DEFAULT_ROLES
from logistics.selectors import paginate


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


def staff_page(school: School, page_number: str | None) -> Page:
    """A page of the school's members (plain rows: `pk`, `first_name`, `username`,
    `is_working`, `role_labels`), working ones (active, with a role) first, by name: a
    prepared list, the same queries whatever the school's size."""
    page = paginate(PreparedList.of_school(Membership, _staff_shown, school), page_number)
    # The few roles there are, read once, rather than a Role object per member and role.
    labels = {r["pk"]: role_label(Role(**r)) for r in _ROLES.rows()}
    for m in page.object_list:
        m.role_labels = [labels[pk] for pk in m.role_ids]
    return page


def _staff_shown(members: QuerySet[Membership]) -> QuerySet[Membership]:
    roles = Membership.roles.through.objects.filter(membership_id=OuterRef("pk"))
    # Working: active, with a role. From the member's roles already read (an EXISTS of its
    # own had PostgreSQL hash every school's role grants).
    working = ExpressionWrapper(
        Q(user__is_active=True) & ~Q(role_ids=[]), output_field=BooleanField()
    )
    return (
        members.annotate(role_ids=ArraySubquery(roles.order_by("role__name").values("role_id")))
        .annotate(is_working=working)
        .order_by("-is_working", "user__first_name", "user__username", "pk")
        .values(
            "pk",
            "is_working",
            "role_ids",
            first_name=F("user__first_name"),
            username=F("user__username"),
        )
    )


_ROLES = Prepared(lambda: Role.objects.values("pk", "code", "name"))


def membership_for(school: School, pk: int) -> Membership:
    """One member of `school`, or 404 (another school's member is not even confirmed)."""
    return get_object_or_404(
        Membership.objects.select_related("user").prefetch_related("roles"), school=school, pk=pk
    )
