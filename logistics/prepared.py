"""ORM queries compiled once per process and run with each request's values.

The dashboard asks every app for its to-dos on every view, and an app's to-do query (several
counts with filters and subqueries in one statement) costs more Python to build and compile
through the ORM than PostgreSQL spends running it (docs/performance.md). A `Prepared` query is
written with the ORM as usual, but every value that changes between requests (the school, the
user, today, the user's capabilities) is a named `Param`; the SQL is compiled the first time
and afterwards only the parameters are bound:

    HAZARDS = Prepared(lambda: Hazard.objects.filter(school=Param("school")).values(...))
    row = HAZARDS.row(school=school.pk, ...)

Anything not written as a `Param` is frozen into the SQL at the first run, so only constants
(statuses, document types) may be written as plain values. A `Param` left without a value is
an error, never a silent NULL.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Expression,
    F,
    Field,
    Func,
    IntegerField,
    QuerySet,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Coalesce
from django_scopes import scopes_disabled

from logistics.models import School

PAGE_SIZE = 50  # rows on a list page (logistics.selectors.paginate)


class _Slot:
    """Where a named value goes in the compiled parameter list."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


class Param(Expression):
    """A value bound when the prepared query runs (an integer key unless told otherwise)."""

    def __init__(self, name: str, output_field: Field | None = None) -> None:
        super().__init__(output_field=output_field or IntegerField())
        self.name = name

    def as_sql(self, compiler, connection) -> tuple[str, list[Any]]:
        return "%s", [_Slot(self.name)]


class ParamList(Param):
    """A list of values bound as one array, for `AnyOf("field", ParamList("capabilities"))`
    (text unless told)."""

    def __init__(self, name: str, output_field: Field | None = None) -> None:
        super().__init__(name, output_field or TextField())


class AnyOf(Func):
    """`field = ANY(values)`, a filter: `values` a ParamList or a list of Python values.

    PostgreSQL reads each value's rows through the field's index; `field__in=` a subquery
    over the unnested array had it expect a handful of rows and hash every row of the school
    (the receiving ledger's lines: 0.6 ms against 2.5 ms)."""

    output_field = BooleanField()

    def __init__(self, field: str, values: ParamList | Iterable) -> None:
        if not isinstance(values, ParamList):
            values = Value(list(values))
        super().__init__(F(field), values)

    def as_sql(self, compiler, connection, **extra) -> tuple[str, list[Any]]:
        field, values = self.source_expressions
        field_sql, field_params = compiler.compile(field)
        values_sql, values_params = compiler.compile(values)
        # The array of the field's own type: the cast tells PostgreSQL what the list holds.
        array_type = field.output_field.cast_db_type(connection) + "[]"
        return (
            f"{field_sql} = ANY({values_sql}::{array_type})",
            [*field_params, *values_params],
        )


class Prepared:
    """A query built by `build()` (inside no school scope: its school is a Param), compiled
    on first use in each process. Rows come back as dicts of the query's columns, through the
    same field converters a normal ORM query applies (dates, JSON, arrays)."""

    def __init__(self, build: Callable[[], QuerySet], *, count: bool = False) -> None:
        """`count`: one row {"n": the number of rows the query returns}, as QuerySet.count()
        asks PostgreSQL (SELECT COUNT(*) FROM (…)), which counts from an index alone where
        it can."""
        self._build = build
        self._count = count
        self._compiled: tuple[str, list[Any], dict] | None = None
        self._lock = threading.Lock()

    def _sql(self) -> tuple[str, list[Any], dict]:
        if self._compiled is None:
            with self._lock, scopes_disabled():
                if self._compiled is None:
                    queryset = self._build()
                    compiler = queryset.query.get_compiler(using=queryset.db)
                    sql, params = compiler.as_sql()
                    if self._count:
                        # Django's compiled SQL, its values still separate parameters.
                        counted = f"SELECT COUNT(*) AS n FROM ({sql}) counted"  # noqa: S608 # nosec B608
                        self._compiled = (counted, params, {})
                        return self._compiled
                    columns = [expression for expression, _sql, _alias in compiler.select]
                    self._compiled = (sql, params, compiler.get_converters(columns))
        return self._compiled

    def rows(self, **values: Any) -> list[dict[str, Any]]:
        sql, params, converters = self._sql()
        bound = [values[p.name] if isinstance(p, _Slot) else p for p in params]
        with connection.cursor() as cursor:
            cursor.execute(sql, bound)
            names = [c.name for c in cursor.description]
            found = [list(row) for row in cursor.fetchall()]
        for row in found:
            for position, (functions, expression) in converters.items():
                for convert in functions:
                    row[position] = convert(row[position], expression, connection)
        return [dict(zip(names, row, strict=True)) for row in found]

    def row(self, **values: Any) -> dict[str, Any]:
        """The first row, or {} when there is none (an aggregate over no rows)."""
        found = self.rows(**values)
        return found[0] if found else {}


def count(queryset: QuerySet) -> Coalesce:
    """A scalar subquery counting `queryset` (already limited to one school)."""
    counted = queryset.order_by().values("school").annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def counts(**querysets: QuerySet) -> QuerySet:
    """One row of named counts over several tables, for a `Prepared` to-do query."""
    return (
        School.objects.filter(pk=Param("school"))
        .annotate(**{name: count(qs) for name, qs in querysets.items()})
        .values(*querysets)
    )


class PreparedList:
    """A list page's COUNT and page of rows as prepared queries (logistics.prepared),
    compiled once per process for each shape of its filters and each page, then only bound to
    the request's values: building and compiling a list's two ORM queries cost more Python
    than drawing its fifty rows. `paginate()` reads it like a queryset (count() and a slice);
    the rows are plain objects with an attribute per column.

    `filtered(*shape)` is the list's queryset filtered with `Param`s for every value that
    changes between requests (its school first of all); `shown(queryset)` orders it and names
    the columns. `shape` is what changes the SQL (which filters are set), `values` the
    parameters."""

    def __init__(
        self,
        filtered: Callable[..., QuerySet],
        shown: Callable[[QuerySet], QuerySet],
        shape: tuple,
        per_page: int = PAGE_SIZE,
        **values,
    ) -> None:
        self._query = (filtered, shown, shape)
        self._per_page = per_page
        self._values = values

    @classmethod
    def of_school(
        cls, model, shown: Callable[[QuerySet], QuerySet], school: School, per_page: int = PAGE_SIZE
    ) -> PreparedList:
        """A list of every `model` row of one school (no filter but the school)."""
        return cls(_of_school, shown, (model,), per_page, school=school.pk)

    def count(self) -> int:
        return _prepared(*self._query, None).row(**self._values)["n"]

    def __getitem__(self, window: slice) -> list[SimpleNamespace]:
        # A page ends per_page rows after its start even when Paginator asks for fewer (the
        # last page), so each page is compiled once, whatever the count.
        start = window.start or 0
        if window.stop == start:  # an empty list's page: nothing to read, as a queryset
            return []
        # An uncounted page reads one row more than it shows (paginate(counted=False)).
        length = max(self._per_page, (window.stop or start) - start)
        rows = _prepared(*self._query, (start, start + length)).rows(**self._values)
        return [SimpleNamespace(**row) for row in rows]


@lru_cache(maxsize=512)
def _prepared(filtered, shown, shape: tuple, window: tuple[int, int] | None) -> Prepared:
    """The list's COUNT (no window) or one page of it, compiled on first use."""
    if window is None:
        return Prepared(lambda: filtered(*shape).order_by().values("pk"), count=True)
    return Prepared(lambda: shown(filtered(*shape))[window[0] : window[1]])


def _of_school(model) -> QuerySet:
    return model.objects.filter(school=Param("school"))
