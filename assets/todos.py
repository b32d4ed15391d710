"""Dashboard to-dos, navigation and benchmarked pages of assets (one query per provider)."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assets import capabilities as caps
from assets.models import RepairStatus, RepairTicket, StockBalance, StockItem
from assets.services import WRITEOFF_DOC
from logistics.prepared import Param, ParamList, Prepared, counts
from logistics.registry import BenchPage, NavItem, Todo, registry
from logistics.selectors import approvals_waiting


def _low_stock():
    on_hand = (
        StockBalance.objects.filter(item=OuterRef("pk"))
        .values("item")
        .annotate(total=Sum("quantity"))
        .values("total")
    )
    return StockItem.objects.filter(school=Param("school"), low_level__gt=0).filter(
        low_level__gte=Coalesce(Subquery(on_hand), 0)
    )


# Compiled once per process (logistics.prepared): the dashboard runs it on every view.
_COUNTS = Prepared(
    lambda: counts(
        assign=RepairTicket.objects.filter(
            school=Param("school"), voided_at__isnull=True, status=RepairStatus.REPORTED
        ),
        fix=RepairTicket.objects.filter(
            school=Param("school"),
            voided_at__isnull=True,
            status=RepairStatus.ASSIGNED,
            assigned_to=Param("user"),
        ),
        confirm=RepairTicket.objects.filter(
            school=Param("school"),
            voided_at__isnull=True,
            status=RepairStatus.FIXED,
            reported_by=Param("user"),
        ),
        low=_low_stock(),
    )
)


@registry.todo
def assets_todos(school, user, capabilities):
    """Faults to assign (office), to fix (worker), fixes to confirm (reporter), stock running
    low (storekeeper): one query."""
    if caps.REPAIR_REPORT not in capabilities and caps.STOCK not in capabilities:
        return
    found = _COUNTS.row(school=school.pk, user=user.pk)
    url = reverse("assets:repair_list", args=[school.code])
    if found["assign"] and caps.REPAIR_ASSIGN in capabilities:
        yield Todo(
            _("%(n)s faults wait to be assigned") % {"n": found["assign"]},
            url + "?status=reported",
            found["assign"],
            "danger",
        )
    if found["fix"] and caps.REPAIR_REPORT in capabilities:
        yield Todo(
            _("%(n)s repairs assigned to you") % {"n": found["fix"]},
            url + "?status=assigned",
            found["fix"],
        )
    if found["confirm"] and caps.REPAIR_REPORT in capabilities:
        yield Todo(
            _("%(n)s repairs wait for your confirmation") % {"n": found["confirm"]},
            url + "?status=fixed",
            found["confirm"],
        )
    if found["low"] and caps.STOCK in capabilities:
        yield Todo(
            _("%(n)s stock items are running low") % {"n": found["low"]},
            reverse("assets:stock_list", args=[school.code]),
            found["low"],
        )


# The central principal's role reaches the member schools; only their own step is read.
_CENTRAL = Prepared(
    lambda: (
        approvals_waiting(Param("user"), ParamList("capabilities"))
        .filter(
            doc_type=WRITEOFF_DOC,
            current_capability=caps.SIGN_CENTRAL,
            school__parent=Param("school"),
            school__is_active=True,
        )
        .values("school__code", "school__name")
        .annotate(n=Count("pk"))
        .order_by("school__code")
    )
)


@registry.todo
def writeoffs_for_central(school, user, capabilities):
    """At the central school: member schools' write-offs waiting for the central principal,
    one line per school (one query)."""
    if not school.is_central or caps.SIGN_CENTRAL not in capabilities:
        return
    rows = _CENTRAL.rows(school=school.pk, user=user.pk, capabilities=list(capabilities))
    for row in rows:
        yield Todo(
            _("%(school)s: %(n)s write-offs wait for your signature")
            % {"school": row["school__name"], "n": row["n"]},
            reverse("approvals_waiting", args=[row["school__code"]]),
            row["n"],
            "danger",
        )


registry.nav_item(NavItem(gettext_lazy("Assets"), "assets:asset_list", caps.VIEW, order=30))
registry.nav_item(NavItem(gettext_lazy("My assets"), "assets:my_custody", caps.CUSTODY, order=31))
registry.nav_item(
    NavItem(gettext_lazy("Repairs"), "assets:repair_list", caps.REPAIR_REPORT, order=32)
)

for _name, _path, _cap in [
    ("assets: register", "", caps.VIEW),
    ("assets: register search", "?q=课桌", caps.VIEW),
    ("assets: stock", "stock/", caps.VIEW),
    ("assets: stock moves", "stock/moves/", caps.VIEW),
    ("assets: repairs", "repairs/", caps.REPAIR_REPORT),
    ("assets: write-offs", "writeoffs/", caps.VIEW),
    ("assets: requisitions", "requisitions/", caps.REQUEST),
    ("assets: stocktakes", "stocktakes/", caps.WRITEOFF),
    ("assets: my custody", "mine/", caps.CUSTODY),
    ("assets: locations", "locations/", caps.MANAGE),
]:
    registry.bench_page(BenchPage(_name, lambda s, p=_path: f"/s/{s.code}/assets/{p}", _cap))
