"""What a user may open, resolved in one query per request.

A school page needs three things before its view runs: the URL's school, the user's
capabilities there, and the schools of the switcher in the base layout. They come from one
SQL statement (`access_for`), so a school page costs one query more than a stock Django page
with a login (docs/performance.md). Nothing is cached between requests: a membership or role
changed in one request is seen by the next, in every process.

The statement is raw SQL on purpose: it runs on every school page, and compiling the
equivalent ORM query (two correlated subqueries over the membership/role join) costs more
Python time than the query itself costs PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection

from logistics.models import Membership, Role, School


@dataclass(frozen=True)
class Access:
    """The user's view of the district: `schools` in switcher order (central school first),
    `school` the one asked for (None when absent, inactive or not the user's) and
    `capabilities` held there."""

    schools: list[School] = field(default_factory=list)
    school: School | None = None
    capabilities: frozenset[str] = frozenset()


NOBODY = Access()


def _statement() -> tuple[str, list[str]]:
    # Only table and column names from the models' meta go into the text (S608 below): the
    # user and the school code are parameters.
    school_cols = [f.column for f in School._meta.concrete_fields]
    through = Membership.roles.through._meta
    held = (
        f"SELECT m.school_id, r.reaches_members, r.capabilities "  # noqa: S608
        f"FROM {Membership._meta.db_table} m "
        f'JOIN {through.db_table} mr ON mr."membership_id" = m."id" '
        f'JOIN {Role._meta.db_table} r ON r."id" = mr."role_id" '
        f'WHERE m."user_id" = %(user)s'
    )
    # A role held at the school itself, or held at its central school and reaching members.
    reaches = '(h.school_id = s."id" OR (h.school_id = s."parent_id" AND h.reaches_members))'
    cols = ", ".join(f's."{c}"' for c in school_cols)
    sql = (
        f"WITH held AS ({held}), "  # noqa: S608
        # One row a school for the switcher: a user holds several roles in most schools.
        f"by_school AS (SELECT school_id, bool_or(reaches_members) AS reaches_members "
        f"FROM held GROUP BY school_id) "
        f'SELECT {cols}, CASE WHEN s."code" = %(code)s THEN COALESCE(('
        f"SELECT array_agg(DISTINCT c) FROM held h, unnest(h.capabilities) c WHERE {reaches}"
        f"), '{{}}') END "
        f"FROM {School._meta.db_table} s "
        f'WHERE s."is_active" AND EXISTS (SELECT 1 FROM by_school h WHERE {reaches}) '
        f'ORDER BY s."parent_id" NULLS FIRST, s."code"'
    )
    return sql, [f.attname for f in School._meta.concrete_fields]


_SQL, _FIELDS = _statement()


def access_for(user, code: str | None) -> Access:
    """Every school `user` can open, and their capabilities in the school `code`. One query.

    A school the user holds no role in (directly, or through a central role that reaches
    members) is not theirs; a membership whose roles grant no capability still opens the
    school, with no capability.
    """
    if not user.is_authenticated or not user.is_active:
        return NOBODY
    with connection.cursor() as cursor:
        cursor.execute(_SQL, {"user": user.pk, "code": code or ""})
        rows = cursor.fetchall()
    schools: list[School] = []
    current = None
    caps: frozenset[str] = frozenset()
    width = len(_FIELDS)
    for row in rows:
        school = School.from_db(connection.alias, _FIELDS, row[:width])
        schools.append(school)
        if row[width] is not None:
            current, caps = school, frozenset(row[width])
    return Access(schools=schools, school=current, capabilities=caps)
