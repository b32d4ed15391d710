"""The demo data of sdcz loads once and tells the seed's story."""

from __future__ import annotations

from django_scopes import scopes_disabled

from assets import selectors
from assets.demo import load_assets_demo
from assets.models import Asset, RepairStatus, RepairTicket, StockMove, Stocktake, WriteOff
from logistics.models import Approval


def test_the_demo_loads_once_with_the_seed_purchases_repairs_and_a_write_off(world):
    with scopes_disabled():
        load_assets_demo()
        load_assets_demo()  # idempotent
        assert Asset.objects.filter(name="校园监控系统").count() == 1
        books = Asset.objects.filter(category__code="05")
        assert sum(b.quantity for b in books) == 20000
        assert StockMove.objects.filter(distribution__isnull=False).count() == 8
        assert RepairTicket.objects.filter(status=RepairStatus.CONFIRMED).count() == 3
        assert RepairTicket.objects.filter(status=RepairStatus.REPORTED).count() == 1
        stats = selectors.repair_stats(world.school)
        assert sum(s["tickets"] for s in stats) == 5
        assert selectors.repeated_faults(world.school)[0]["n"] == 2
        stocktake = Stocktake.objects.get(kind="assets")
        store_count = Stocktake.objects.get(kind="stock", status="applied")
        settled = sorted(
            (m.item.name, m.kind, m.quantity)
            for m in StockMove.objects.filter(stocktake=store_count).select_related("item")
        )
        assert settled == [("作业本", "in", 5), ("粉笔", "out", 2)]
        results = set(stocktake.lines.values_list("result", flat=True))
        assert {"missing", "surplus", "found"} <= results
        writeoff = WriteOff.objects.get()
        assert writeoff.approval.status == Approval.PENDING
        assert writeoff.approval.current_capability == "assets.sign_central"
