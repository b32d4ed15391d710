"""Kernel reads used by pages."""

from __future__ import annotations

from functools import lru_cache

from django.contrib.auth.models import AbstractBaseUser
from django.core.paginator import Page, Paginator
from django.db.models import (
    CharField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Concat, NullIf, Trim
from django.utils.translation import get_language

from logistics.models import Approval, AuditEvent, School, Signature
from logistics.prepared import PAGE_SIZE, AnyOf, Param, ParamList, PreparedList
from logistics.registry import Todo, registry


def paginate(
    queryset: QuerySet, page_number: str | None, per_page: int = PAGE_SIZE, *, counted=True
) -> Page:
    """One page of a list; the only COUNT on a list page is the paginator's.

    `counted=False` for a text search: counting every match of a substring in tens of
    thousands of rows costs PostgreSQL more than the whole page, so the page reads one row
    more than it shows to know whether a next page exists, and shows no total."""
    if counted:
        return Paginator(queryset, per_page).get_page(page_number)
    return UncountedPaginator(queryset, per_page).get_page(page_number)


class UncountedPaginator(Paginator):
    uncounted = True  # _pagination.html shows the page number without a total

    def get_page(self, number) -> Page:
        try:
            number = max(1, int(number))
        except (TypeError, ValueError):
            number = 1
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        # What Page.has_next()/has_previous() read: as many rows as are known to exist.
        self.count = bottom + len(rows)
        return self._get_page(rows[: self.per_page], number, self)

    def page(self, number) -> Page:
        return self.get_page(number)


def todos_for(school: School, user: AbstractBaseUser, capabilities: frozenset[str]) -> list[Todo]:
    todos: list[Todo] = []
    for provider in registry.todo_providers:
        todos.extend(provider(school, user, capabilities))
    return todos


def with_labels(rows, **choices):
    """Set `<field>_label` on each row from one translated map per call, e.g.
    `with_labels(page, status=AssetStatus)` (a choices enum or list): get_FOO_display()
    rebuilds and translates the whole choice list for every row, most of a 50-row page's
    rendering time."""
    maps = choice_labels(**choices)
    for row in rows:
        for field, labels in maps.items():
            value = getattr(row, field)
            setattr(row, f"{field}_label", labels.get(value, value))
    return rows


def choice_labels(**choices) -> dict[str, dict[str, str]]:
    """Each named field's labels (a choices enum or list), translated once per page, for rows
    of plain values: `labels.area[row.area]` in a Jinja2 rows template."""
    return {field: label_map(options) for field, options in choices.items()}


def label_map(choices) -> dict[str, str]:
    """{value: translated label} of a choices enum or list."""
    return {k: str(v) for k, v in getattr(choices, "choices", choices)}


def display(record, field: str) -> str:
    """`record.get_<field>_display()` from one translated map per field and language:
    Django's builds and translates the field's whole choice list on every call, which a
    ledger of 50 rows with three choice fields each paid 150 times."""
    value = getattr(record, field)
    return _choice_labels(type(record), field, get_language()).get(value, value)


@lru_cache(maxsize=512)
def _choice_labels(model, field: str, language: str | None) -> dict:
    return {k: str(v) for k, v in model._meta.get_field(field).flatchoices}


def name_of(model, key: str, name=None) -> Subquery:
    """The name of the `model` row that `key` points at (`name`: an expression, the row's
    `name` column by default; person_name() for a user), as a scalar subquery rather than a
    join: a list's COUNT then drops it, where Django keeps a join in the COUNT for PostgreSQL
    to plan and run (the register's COUNT of 50,000 lines ran twice as fast without it)."""
    named = model.objects.filter(pk=OuterRef(key)).order_by().values(n=name or F("name"))
    return Subquery(named[:1])


def person_name(relation: str = "") -> Coalesce:
    """A user's full name, or their username (what get_full_name|default shows), computed by
    PostgreSQL so a list of rows needs no User objects. `relation`: the path to the user
    ("actor"), empty on the user model itself."""
    prefix = f"{relation}__" if relation else ""
    # Typed throughout: resolving the output types of untyped parts cost 0.3 ms a query.
    text = CharField()
    full = Trim(
        Concat(f"{prefix}first_name", Value(" ", text), f"{prefix}last_name", output_field=text),
        output_field=text,
    )
    return Coalesce(NullIf(full, Value("", text)), f"{prefix}username", output_field=text)


def audit_page(school: School, page_number: str | None) -> Page:
    """A page of the school's audit chain, newest first: plain rows of a prepared list."""
    return paginate(PreparedList.of_school(AuditEvent, _audit_shown, school), page_number)


def _audit_shown(events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
    return events.order_by("-seq").values(
        "seq", "occurred_at", "action", "summary", actor_name=person_name("actor")
    )


def approvals_waiting(user: AbstractBaseUser, capabilities: frozenset[str]) -> QuerySet[Approval]:
    """Pending approvals, in any school, whose current step this user may sign: they hold its
    capability, it names them or names nobody and is not their own document, and they have not
    signed another step of it.

    Callers narrow it to a school (or the member schools a central role reaches)."""
    signed_by_me = Signature.objects.filter(
        school=OuterRef("school"),
        approval=OuterRef("pk"),
        round=OuterRef("round"),
        signer=user,
        voided_at__isnull=True,
    )
    return (
        Approval.objects.filter(AnyOf("current_capability", capabilities), status=Approval.PENDING)
        .filter(Q(current_signer=user) | (Q(current_signer__isnull=True) & ~Q(requested_by=user)))
        .exclude(Exists(signed_by_me))
    )


def approvals_waiting_page(
    school: School, user: AbstractBaseUser, capabilities: frozenset[str], page_number: str | None
) -> Page:
    """A page of the school's approvals waiting for this user, oldest first: plain rows of a
    prepared list (building this query cost more than the rows, and most days it has none)."""
    return paginate(
        PreparedList(
            _waiting_here,
            _waiting_shown,
            (),
            school=school.pk,
            user=user.pk,
            capabilities=sorted(capabilities),
        ),
        page_number,
    )


def _waiting_here() -> QuerySet[Approval]:
    waiting = approvals_waiting(Param("user"), ParamList("capabilities"))
    return waiting.filter(school=Param("school"))


def _waiting_shown(approvals: QuerySet[Approval]) -> QuerySet[Approval]:
    steps = Func("steps", function="jsonb_array_length", output_field=IntegerField())
    return approvals.order_by("created_at", "pk").values(
        "pk",
        "doc_type",
        "object_id",
        "title",
        "amount",
        "current_step",
        "created_at",
        step_count=steps,
        requester=person_name("requested_by"),
    )


def approval_signatures(approval: Approval) -> list[Signature]:
    return list(
        Signature.objects.filter(
            school=approval.school_id,
            approval=approval,
            round=approval.round,
            voided_at__isnull=True,
        ).select_related("signer")
    )
