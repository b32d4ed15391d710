"""Every read of the assets pages and exports, scoped by school."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import NamedTuple
from urllib.parse import urlsplit

from django.contrib.auth import get_user_model
from django.contrib.postgres.aggregates import JSONBAgg
from django.db.models import (
    Avg,
    CharField,
    Count,
    DateTimeField,
    DecimalField,
    DurationField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Concat, Trim, TruncMonth
from django.urls import Resolver404, resolve
from django.utils import timezone

from assets.models import (
    Asset,
    AssetStatus,
    Category,
    CustodyRecord,
    Location,
    RepairStatus,
    RepairTicket,
    Requisition,
    StockBalance,
    StockCountLine,
    StockItem,
    StockMove,
    Stocktake,
    StocktakeLine,
    WriteOff,
)
from logistics.models import Membership, School
from logistics.prepared import AnyOf, Param, ParamList, Prepared, PreparedList
from logistics.selectors import name_of, person_name

VALUE = ExpressionWrapper(
    F("price") * F("quantity"), output_field=DecimalField(max_digits=14, decimal_places=2)
)


class Place(NamedTuple):
    """A location as the pages and services walk them (the whole table, read at once)."""

    pk: int
    path: str
    parent_id: int | None
    kind: str


_LOCATIONS = Prepared(
    lambda: (
        Location.objects.filter(school=Param("school"))
        .order_by("path")
        .values("pk", "path", "parent_id", "kind")
    )
)


def locations(school: School) -> list[Place]:
    return [Place(**row) for row in _LOCATIONS.rows(school=school.pk)]


def _json_rows(queryset: QuerySet, order_by: tuple, *columns) -> Subquery:
    """The school's rows of `queryset` as one JSON array of [column, …] arrays, in order: a
    query of the search bar's three lists, decoded by one json.loads, where three queries
    of rows cost more Python than the rest of the view's queries."""
    rows = JSONBAgg(Func(*columns, function="JSONB_BUILD_ARRAY"), order_by=order_by)
    return Subquery(queryset.values("school").annotate(rows=rows).values("rows"))


# The register's search bar on every view: compiled once per process (logistics.prepared).
_SEARCH_BAR = Prepared(
    lambda: School.objects.filter(pk=Param("school")).values(
        locations=_json_rows(
            Location.objects.filter(school=Param("school")),
            ("path",),
            *("pk", "path", "parent_id", "kind"),
        ),
        categories=_json_rows(
            Category.objects.filter(school=Param("school")),
            ("code",),
            *("pk", Concat("code", Value(" "), "name")),
        ),
        # The school's people by name (members(), as choices of a filter).
        people=_json_rows(
            Membership.objects.filter(school=Param("school")),
            ("user__first_name", "user__username"),
            *("user_id", person_name("user")),
        ),
    )
)


class SearchBar(NamedTuple):
    locations: list[Place]
    categories: list[list]  # [key, label] pairs
    people: list[list]


def search_bar(school: School) -> SearchBar:
    """The register's locations, and the categories and people to filter by, in one query."""
    row = _SEARCH_BAR.row(school=school.pk)
    return SearchBar(
        [Place(*place) for place in row["locations"] or ()],
        row["categories"] or [],
        row["people"] or [],
    )


def subtree_ids(all_locations: list[Place], root_id: int) -> list[int]:
    """The location and every location inside it (a small table, walked in memory)."""
    children: dict[int | None, list[int]] = {}
    for loc in all_locations:
        children.setdefault(loc.parent_id, []).append(loc.pk)
    found, stack = [], [root_id]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(children.get(current, []))
    return found


def int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except (TypeError, ValueError):
        return None


def members(school: School) -> QuerySet:
    """The school's people: custodians to choose or filter by (a class by its head teacher)."""
    return (
        get_user_model()
        .objects.filter(pk__in=Membership.objects.filter(school=school).values("user_id"))
        .order_by("first_name", "username")
    )


def asset_list(
    school: School,
    filters: Mapping[str, str],
    all_locations: list[Place] | None = None,
    *,
    with_voided: bool = False,
) -> QuerySet[Asset]:
    """The register, filtered. Text search matches code, name and spec through trigram
    indexes, and the location by the ids of matching locations (found first, in memory).

    Voided lines only `with_voided` (the register page shows them struck through); exports,
    labels, totals and stocktakes count live lines only."""
    shape, values = _register_filters(school, filters, all_locations, with_voided)
    return _register_filtered(*shape, **values).select_related("category", "location", "custodian")


def register_page(
    school: School, filters: Mapping[str, str], all_locations: list[Place], *, with_voided: bool
) -> PreparedList:
    """The register page's lines (asset_list's filters, register_rows' columns) through
    queries compiled once per filter shape and process: building and compiling the COUNT and
    the page through the ORM cost more Python than drawing the fifty lines."""
    shape, values = _register_filters(school, filters, all_locations, with_voided)
    return PreparedList(_prepared_register, register_rows, shape, **values)


def _register_filters(school, filters, all_locations, with_voided) -> tuple[tuple, dict]:
    """(which filters apply, their values) of the register's query-string filters."""
    q = (filters.get("q") or "").strip()
    places: list[int] = []
    if q:
        if all_locations is None:
            all_locations = locations(school)
        places = [loc.pk for loc in all_locations if q.upper() in loc.path.upper()]
    in_locations: list[int] = []
    if location := int_or_none(filters.get("location")):
        if all_locations is None:
            all_locations = locations(school)
        in_locations = subtree_ids(all_locations, location)
    status = filters.get("status")
    values = {
        "school": school.pk,
        "q": q,
        "places": places,
        "category": int_or_none(filters.get("category")),
        "locations": in_locations,
        "custodian": int_or_none(filters.get("custodian")),
        "status": status if status in AssetStatus.values else "",
    }
    return (with_voided, *(bool(values[k]) for k in _REGISTER_FILTERS)), values


_REGISTER_FILTERS = ("q", "places", "category", "locations", "custodian", "status")


def _register_filtered(with_voided: bool, *applied: bool, **values) -> QuerySet[Asset]:
    """The register's query for the filters that apply, with their values as given: plain
    values, or Params when the query is prepared."""
    v = {k: values[k] for k, on in zip(_REGISTER_FILTERS, applied, strict=True) if on}
    qs = Asset.objects.filter(school=values["school"])
    if not with_voided:
        qs = qs.filter(voided_at__isnull=True)
    if "q" in v:
        match = Q(code__icontains=v["q"]) | Q(name__icontains=v["q"]) | Q(spec__icontains=v["q"])
        if "places" in v:
            match |= Q(AnyOf("location_id", v["places"]))
        qs = qs.filter(match)
    if "category" in v:
        qs = qs.filter(category_id=v["category"])
    if "locations" in v:
        qs = qs.filter(AnyOf("location_id", v["locations"]))
    if "custodian" in v:
        qs = qs.filter(custodian_id=v["custodian"])
    if "status" in v:
        qs = qs.filter(status=v["status"])
    return qs.order_by("code")


def _prepared_register(*shape: bool) -> QuerySet[Asset]:
    text = CharField()
    return _register_filtered(
        *shape,
        school=Param("school"),
        q=Param("q", text),
        places=ParamList("places", IntegerField()),
        category=Param("category"),
        locations=ParamList("locations", IntegerField()),
        custodian=Param("custodian"),
        status=Param("status", text),
    )


def register_rows(register: QuerySet[Asset]) -> QuerySet:
    """A register page's lines as plain rows: what the page shows, from the asset table
    alone (the location's path comes from the locations the page has read already; the
    custodian's name from a subquery), so the page's COUNT joins nothing."""
    return (
        register.select_related(None)
        .annotate(
            value=VALUE, custodian_name=name_of(get_user_model(), "custodian_id", person_name())
        )
        .values_list(
            *("pk", "code", "name", "spec", "location_id", "custodian_class", "quantity"),
            *("value", "status", "voided_at", "void_reason", "custodian_name"),
            named=True,
        )
    )


def register_print(
    school: School, filters: Mapping[str, str], *, with_voided: bool, limit: int
) -> list:
    """The register's first `limit` lines as filtered on its page, as plain rows for the
    printed register (asset_list's filters, through a query compiled once per filter shape)."""
    shape, values = _register_filters(school, filters, None, with_voided)
    return PreparedList(_prepared_register, _printed_rows, shape, per_page=limit, **values)[0:limit]


def _printed_rows(register: QuerySet[Asset]) -> QuerySet:
    return register.annotate(
        value=VALUE, custodian_name=name_of(get_user_model(), "custodian_id", person_name())
    ).values(
        *("code", "name", "spec", "category__name", "location__path", "custodian_class"),
        *("custodian_name", "status", "quantity", "value", "voided_at", "void_reason"),
    )


def asset_from_label(school: School, scanned: str) -> Asset | None:
    """The live register line a scanned label names: our labels hold the item's page URL of
    this school (any host: a school may reach the site by another name); a label printed
    elsewhere may hold just the asset code. Another school's label, a voided line or any
    other text is None."""
    scanned = scanned.strip()
    live = Asset.objects.filter(school=school, voided_at__isnull=True).select_related("location")
    if "/" not in scanned:
        return live.filter(code=scanned).first() if scanned else None
    try:
        match = resolve(urlsplit(scanned).path)
    except Resolver404:
        return None
    if match.view_name != "assets:asset_detail" or match.kwargs["school_code"] != school.code:
        return None
    return live.filter(pk=match.kwargs["pk"]).first()


def my_custody(school: School, user) -> PreparedList:
    """What a person holds, as plain rows for their page through queries compiled once per
    process (the COUNT reads the register alone)."""
    return PreparedList(_custody_filtered, _custody_rows, (), school=school.pk, user=user.pk)


def _custody_filtered() -> QuerySet[Asset]:
    return Asset.objects.filter(
        school=Param("school"), custodian=Param("user"), voided_at__isnull=True
    ).exclude(status=AssetStatus.SCRAPPED)


def _custody_rows(held: QuerySet[Asset]) -> QuerySet:
    return held.order_by("code").values(
        *("pk", "code", "name", "location__path", "custodian_class", "quantity", "status"),
        "due_date",
    )


def asset_detail(school: School, pk: int) -> Asset:
    return Asset.objects.select_related("category", "location", "custodian").get(
        school=school, pk=pk
    )


def custody_history(school: School, asset: Asset) -> QuerySet[CustodyRecord]:
    return CustodyRecord.objects.filter(school=school, asset=asset).select_related(
        "custodian", "location", "by"
    )


def _register_groups(key: tuple[str, ...]) -> QuerySet:
    return (
        Asset.objects.filter(school=Param("school"), voided_at__isnull=True)
        .exclude(status=AssetStatus.SCRAPPED)
        .values(*key)
        .annotate(lines=Count("pk"), qty=Sum("quantity"), amount=Sum(VALUE))
        .order_by(*key)
    )


# The register's totals page on every view: compiled once per process (logistics.prepared).
_REGISTER_GROUPS = {
    by: Prepared(lambda key=key: _register_groups(key))
    for by, key in (
        ("category", ("category__code", "category__name")),
        ("location", ("location__path",)),
    )
}


def register_totals(school: School, by: str) -> tuple[list[dict], dict]:
    """账账相符: the live register's lines, quantity and value per category or location
    (`by`), and their total, summed from the groups (every line is in exactly one group, a
    line without a location in the group of None), so the totals agree by construction."""
    groups = _REGISTER_GROUPS[by].rows(school=school.pk)
    total = {
        "lines": sum(g["lines"] for g in groups),
        "qty": sum(g["qty"] or 0 for g in groups),
        "amount": sum((g["amount"] or Decimal("0.00") for g in groups), Decimal("0.00")),
    }
    return groups, total


# ---------------------------------------------------------------- stock


# The stock balance report on every view: compiled once per process (logistics.prepared).
_STOCK_REPORT = Prepared(
    lambda: (
        StockBalance.objects.filter(school=Param("school"))
        .order_by("item__name", "item__spec", "location__path")
        .values("item__name", "item__spec", "item__unit", "location__path", "quantity")
    )
)


def stock_report_rows(school: School) -> list[dict]:
    """Every balance of the school's stores, by item and store, as plain rows."""
    return _STOCK_REPORT.rows(school=school.pk)


def stock_balance_rows(school: School) -> PreparedList:
    """The stock page's balances as plain rows through queries compiled once per process; the
    COUNT reads the balances alone, the page joins the items and stores it shows."""
    return PreparedList.of_school(StockBalance, _balance_rows, school)


def _balance_rows(balances: QuerySet[StockBalance]) -> QuerySet:
    return balances.order_by("item__name", "item__spec", "location__path").values(
        *("pk", "item__name", "item__spec", "item__unit", "location__path", "quantity")
    )


_LOW_STOCK = Prepared(
    lambda: (
        StockItem.objects.filter(school=Param("school"), low_level__gt=0)
        .annotate(total=Sum("balances__quantity", default=0))
        .filter(total__lte=F("low_level"))
        .order_by("name")
        .values("total", "unit", label=Trim(Concat("name", Value(" "), "spec")))
    )
)


def low_stock(school: School) -> list[dict]:
    """Items whose total across locations is at or below their low-stock level (the stock
    page's warning on every view: compiled once per process)."""
    return _LOW_STOCK.rows(school=school.pk)


def stock_moves(school: School) -> PreparedList:
    """The moves page, newest first, as plain rows through queries compiled once per process;
    the item as a subquery, so the page's COUNT reads the moves alone."""
    return PreparedList.of_school(StockMove, _stock_move_rows, school)


def _stock_move_rows(moves: QuerySet[StockMove]) -> QuerySet:
    item = StockItem.objects.filter(pk=OuterRef("item_id")).values(
        label=Trim(Concat("name", Value(" "), "spec"))
    )
    return moves.order_by("-at", "-id").values(
        *("pk", "at", "kind", "quantity", "supplier", "recipient", "expense_number"),
        item_label=Subquery(item),
    )


def requisitions(school: School, user, capabilities: frozenset[str]) -> PreparedList:
    """The requisitions page's rows, newest first (the store and approvers see all, others
    their own): plain values, the requester's name from PostgreSQL, through queries compiled
    once per process."""
    from assets import capabilities as caps

    see_all = caps.STOCK in capabilities or caps.APPROVE in capabilities
    return PreparedList(
        _requisitions_filtered, _requisition_rows, (see_all,), school=school.pk, user=user.pk
    )


def _requisitions_filtered(see_all: bool) -> QuerySet[Requisition]:
    qs = Requisition.objects.filter(school=Param("school"))
    return qs if see_all else qs.filter(requested_by=Param("user"))


def _requisition_rows(requisitions: QuerySet[Requisition]) -> QuerySet:
    return requisitions.order_by("-requested_at", "-id").values(
        *("pk", "item__name", "item__spec", "quantity", "status", "requested_at"),
        *("class_name", "purpose"),
        requester=name_of(get_user_model(), "requested_by_id", person_name()),
    )


# ---------------------------------------------------------------- repairs


def repairs(school: School, user, capabilities: frozenset[str], status: str = "") -> PreparedList:
    """The repairs page's tickets, newest first (the office and the workers see all, others
    the tickets they reported or must fix), optionally of one status; an unknown status
    filters nothing. Compiled once per process for each shape of the filters: building the
    COUNT and the page through the ORM cost more Python than drawing the fifty tickets."""
    from assets import capabilities as caps

    see_all = caps.VIEW in capabilities or caps.REPAIR_WORK in capabilities
    status = status if status in RepairStatus.values else ""
    return PreparedList(
        _repairs_filtered,
        _repair_rows,
        (see_all, bool(status)),
        school=school.pk,
        user=user.pk,
        status=status,
    )


def _repairs_filtered(see_all: bool, by_status: bool) -> QuerySet[RepairTicket]:
    qs = RepairTicket.objects.filter(school=Param("school"))
    if not see_all:
        qs = qs.filter(Q(reported_by=Param("user")) | Q(assigned_to=Param("user")))
    if by_status:
        qs = qs.filter(status=Param("status", CharField()))
    return qs


def _repair_rows(tickets: QuerySet[RepairTicket]) -> QuerySet:
    """The tickets as plain rows; the place and people's names by scalar subqueries, so the
    page's COUNT reads the tickets alone."""
    user = get_user_model()
    return tickets.order_by("-reported_at", "-id").values(
        *("pk", "description", "status", "reported_at", "voided_at", "void_reason"),
        place=name_of(Location, "location_id", F("path")),
        reporter=name_of(user, "reported_by_id", person_name()),
        worker=name_of(user, "assigned_to_id", person_name()),
    )


def _repair_months() -> QuerySet:
    return (
        RepairTicket.objects.filter(
            school=Param("school"), voided_at__isnull=True, reported_at__gte=Param("since", _WHEN)
        )
        .annotate(month=TruncMonth("reported_at"))
        .values("month")
        .annotate(
            tickets=Count("pk"),
            open=Count("pk", filter=Q(fixed_at__isnull=True)),
            response=Avg(
                ExpressionWrapper(F("assigned_at") - F("reported_at"), output_field=DurationField())
            ),
            fix=Avg(
                ExpressionWrapper(F("fixed_at") - F("reported_at"), output_field=DurationField())
            ),
        )
        .order_by("-month")
    )


def _repeated_faults() -> QuerySet:
    return (
        RepairTicket.objects.filter(
            school=Param("school"), voided_at__isnull=True, reported_at__gte=Param("since", _WHEN)
        )
        .values("location__path", "asset__code", "asset__name")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .order_by("-n", "location__path")
    )


_WHEN = DateTimeField()
# The repair statistics page on every view: compiled once per process (logistics.prepared).
_REPAIR_MONTHS = Prepared(_repair_months)
_REPEATED_FAULTS = Prepared(_repeated_faults)


def repair_stats(school: School, months: int = 12) -> list[dict]:
    """Per month: tickets, mean hours to assignment (response) and to the fix (随叫随到)."""
    since = timezone.now() - datetime.timedelta(days=31 * months)
    return [
        {
            "month": r["month"],
            "tickets": r["tickets"],
            "open": r["open"],
            "response_hours": r["response"].total_seconds() / 3600 if r["response"] else None,
            "fix_hours": r["fix"].total_seconds() / 3600 if r["fix"] else None,
        }
        for r in _REPAIR_MONTHS.rows(school=school.pk, since=since)
    ]


def repeated_faults(school: School, days: int = 180) -> list[dict]:
    """Rooms and items with more than one fault in the period: where to look closer."""
    since = timezone.now() - datetime.timedelta(days=days)
    return _REPEATED_FAULTS.rows(school=school.pk, since=since)


def writeoffs(school: School) -> PreparedList:
    """The write-offs page's rows, newest first, as plain values through queries compiled
    once per process (the COUNT reads the write-offs alone)."""
    return PreparedList.of_school(WriteOff, _writeoff_rows, school)


def _writeoff_rows(writeoffs: QuerySet[WriteOff]) -> QuerySet:
    return writeoffs.order_by("-requested_at", "-id").values(
        *("pk", "asset__code", "asset__name", "status", "requested_at", "reason", "value")
    )


def categories(school: School) -> QuerySet[Category]:
    return Category.objects.filter(school=school).order_by("code")


def stocktakes(school: School) -> PreparedList:
    """The stocktakes page's rows, newest first, as plain values through queries compiled
    once per process (the COUNT reads the stocktakes alone)."""
    return PreparedList.of_school(Stocktake, _stocktake_rows, school)


def _stocktake_rows(stocktakes: QuerySet[Stocktake]) -> QuerySet:
    return stocktakes.order_by("-started_at", "-id").values(
        *("pk", "title", "status", "started_at", "kind", "location__path"),
        *("category__code", "category__name"),
    )


# The form starting a stocktake offers the school's places and categories on every view.
_START_CHOICES = Prepared(
    lambda: School.objects.filter(pk=Param("school")).values(
        locations=_json_rows(
            Location.objects.filter(school=Param("school")), ("path",), "pk", "path"
        ),
        categories=_json_rows(
            Category.objects.filter(school=Param("school")),
            ("code",),
            *("pk", Concat("code", Value(" "), "name")),
        ),
    )
)


def place_and_category_choices(school: School) -> tuple[list[list], list[list]]:
    """The school's locations and categories as (key, label) pairs, labelled as their models
    are (path; code and name), in one query."""
    row = _START_CHOICES.row(school=school.pk)
    return row["locations"] or [], row["categories"] or []


def stocktake_lines(school: School, stocktake: Stocktake) -> QuerySet[StocktakeLine]:
    return (
        StocktakeLine.objects.filter(school=school, stocktake=stocktake)
        .select_related("asset", "asset__location", "found_location", "writeoff")
        .order_by("result", "asset__code", "id")
    )


def stock_count_lines(school: School, stocktake: Stocktake) -> QuerySet[StockCountLine]:
    return (
        StockCountLine.objects.filter(school=school, stocktake=stocktake)
        .select_related("item", "location", "move")
        .order_by("location__path", "item__name", "item__spec", "id")
    )


def stocktake_pending(school: School, stocktake: Stocktake) -> QuerySet[StocktakeLine]:
    return stocktake_lines(school, stocktake).filter(result="pending")


def stocktake_summary(school: School, stocktake: Stocktake) -> dict[str, int]:
    rows = (
        StocktakeLine.objects.filter(school=school, stocktake=stocktake)
        .values("result")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {r["result"]: r["n"] for r in rows}


# The custody list on every view: compiled once per process (logistics.prepared), its rows
# plain values (thousands of lines: a model instance with its holder and place per line cost
# most of the page).
_CUSTODY_LIST = Prepared(
    lambda: (
        Asset.objects.filter(school=Param("school"), custodian__isnull=False)
        .exclude(status=AssetStatus.SCRAPPED)
        .order_by("custodian__first_name", "custodian_class", "code")
        .values(
            *("custodian_class", "code", "name", "location__path", "quantity"),
            *("voided_at", "void_reason"),
            holder=person_name("custodian"),
            value=VALUE,
        )
    )
)


def custody_list(school: School) -> list[dict]:
    """Who holds what; voided lines too (the printed list strikes them through)."""
    return _CUSTODY_LIST.rows(school=school.pk)
