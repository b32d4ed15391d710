"""Dashboard to-dos, navigation and benchmarked pages of assets (one query per provider)."""

from __future__ import annotations

from django.db.models import Count, F, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_scopes import scopes_disabled

from assets import capabilities as caps
from assets.models import RepairStatus, RepairTicket, StockItem
from assets.services import WRITEOFF_DOC
from logistics.registry import BenchPage, NavItem, Todo, registry
from logistics.selectors import approvals_waiting


@registry.todo
def repairs_to_handle(school, user, capabilities):
    """Faults to assign (office), to fix (worker), fixes to confirm (reporter): one query."""
    if caps.REPAIR_REPORT not in capabilities:
        return
    counts = RepairTicket.objects.filter(school=school, voided_at__isnull=True).aggregate(
        assign=Count("pk", filter=Q(status=RepairStatus.REPORTED)),
        fix=Count("pk", filter=Q(status=RepairStatus.ASSIGNED, assigned_to=user)),
        confirm=Count("pk", filter=Q(status=RepairStatus.FIXED, reported_by=user)),
    )
    url = reverse("assets:repair_list", args=[school.code])
    if counts["assign"] and caps.REPAIR_ASSIGN in capabilities:
        yield Todo(
            _("%(n)s faults wait to be assigned") % {"n": counts["assign"]},
            url + "?status=reported",
            counts["assign"],
            "danger",
        )
    if counts["fix"]:
        yield Todo(
            _("%(n)s repairs assigned to you") % {"n": counts["fix"]},
            url + "?status=assigned",
            counts["fix"],
        )
    if counts["confirm"]:
        yield Todo(
            _("%(n)s repairs wait for your confirmation") % {"n": counts["confirm"]},
            url + "?status=fixed",
            counts["confirm"],
        )


@registry.todo
def low_stock(school, user, capabilities):
    if caps.STOCK not in capabilities:
        return
    n = (
        StockItem.objects.filter(school=school, low_level__gt=0)
        .annotate(total=Sum("balances__quantity", default=0))
        .filter(total__lte=F("low_level"))
        .count()
    )
    if n:
        yield Todo(
            _("%(n)s stock items are running low") % {"n": n},
            reverse("assets:stock_list", args=[school.code]),
            n,
        )


@registry.todo
def writeoffs_for_central(school, user, capabilities):
    """At the central school: member schools' write-offs waiting for the central principal,
    one line per school (one query)."""
    if not school.is_central or caps.SIGN_CENTRAL not in capabilities:
        return
    # The central principal's role reaches the member schools; only their own step is read.
    with scopes_disabled():
        rows = list(
            approvals_waiting(user, capabilities)
            .filter(
                doc_type=WRITEOFF_DOC,
                current_capability=caps.SIGN_CENTRAL,
                school__parent=school,
                school__is_active=True,
            )
            .values("school__code", "school__name")
            .annotate(n=Count("pk"))
            .order_by("school__code")
        )
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
]:
    registry.bench_page(BenchPage(_name, lambda s, p=_path: f"/s/{s.code}/assets/{p}", _cap))
