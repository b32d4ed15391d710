"""Stocktakes: the expected list, counts, outcomes, frozen moves, and how results apply."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scopes_disabled

from assets import services
from assets.models import AssetStatus, CountResult, StocktakeStatus, WriteOff, WriteOffStatus
from tests.assets.conftest import register


def _start(world, place):
    with scopes_disabled():
        return services.stocktake_start(
            school=world.school,
            actor=world.user("storekeeper"),
            title="期末盘点",
            location=place.floor,
        )


def test_a_stocktake_counts_found_missing_surplus_misplaced_and_damaged(world, place):
    found = register(world, place, code="A", name="投影仪", location=place.room)
    lost = register(world, place, code="B", name="音箱", location=place.room)
    broken = register(world, place, code="C", name="电脑", location=place.office)
    moved = register(world, place, code="D", name="打印机", location=place.room)
    elsewhere = register(world, place, code="E", name="钢琴", location=None)
    stocktake = _start(world, place)
    sk = world.user("storekeeper")
    with scopes_disabled():
        assert stocktake.lines.count() == 4  # E has no location on this floor
        count = lambda **kw: services.stocktake_count(  # noqa: E731
            school=world.school, actor=sk, stocktake=stocktake, **kw
        )
        count(asset=found, result="found", found_location=place.room)
        count(asset=broken, result="damaged", note="屏幕碎裂")
        count(asset=moved, result="found", found_location=place.office)
        count(asset=elsewhere, result="found", found_location=place.room)
        count(asset=None, result="surplus", surplus_name="旧电风扇", found_location=place.room)
        services.stocktake_finish(school=world.school, actor=sk, stocktake=stocktake)
        results = {
            (line.asset.code if line.asset else line.surplus_name): line.result
            for line in stocktake.lines.select_related("asset")
        }
    assert results == {
        "A": CountResult.FOUND,
        "B": CountResult.MISSING,
        "C": CountResult.DAMAGED,
        "D": CountResult.WRONG_PLACE,
        "E": CountResult.WRONG_PLACE,
        "旧电风扇": CountResult.SURPLUS,
    }
    assert lost.pk


def test_moves_are_frozen_while_counting_and_free_after(world, place):
    asset = register(world, place, location=place.room)
    stocktake = _start(world, place)
    with scopes_disabled():
        with pytest.raises(ValidationError, match="盘点"):
            services.asset_move(
                school=world.school,
                actor=world.user("director"),
                asset=asset,
                location=place.office,
            )
        services.stocktake_finish(
            school=world.school, actor=world.user("director"), stocktake=stocktake
        )
        services.asset_move(
            school=world.school, actor=world.user("director"), asset=asset, location=place.office
        )
        asset.refresh_from_db()
    assert asset.location == place.office


def test_applying_results_files_write_offs_and_transfers_never_silent_changes(world, place):
    lost = register(world, place, code="B", name="音箱", location=place.room, price="600.00")
    moved = register(world, place, code="D", name="打印机", location=place.room)
    stocktake = _start(world, place)
    sk = world.user("storekeeper")
    with scopes_disabled():
        services.stocktake_count(
            school=world.school,
            actor=sk,
            stocktake=stocktake,
            asset=moved,
            result="found",
            found_location=place.office,
        )
        with pytest.raises(ValidationError):
            services.stocktake_apply(school=world.school, actor=sk, stocktake=stocktake)
        services.stocktake_finish(school=world.school, actor=sk, stocktake=stocktake)
        services.stocktake_apply(school=world.school, actor=sk, stocktake=stocktake)
        services.stocktake_apply(school=world.school, actor=sk, stocktake=stocktake)  # no-op
        lost.refresh_from_db()
        moved.refresh_from_db()
        stocktake.refresh_from_db()
        writeoff = lost.writeoffs.get()
    # The shortage waits for its signatures; the item is not scrapped by the stocktake itself.
    assert writeoff.status == WriteOffStatus.PENDING and "期末盘点" in writeoff.reason
    assert lost.status != AssetStatus.SCRAPPED
    assert moved.location == place.office
    assert stocktake.status == StocktakeStatus.APPLIED


def test_the_count_sheet_takes_a_scanned_code_and_ticks_and_prints_results(world, place, login):
    scanned = register(world, place, code="SC-1", name="投影仪", location=place.room)
    ticked = register(world, place, code="SC-2", name="音箱", location=place.room)
    register(world, place, code="SC-3", name="电脑", location=place.room)
    stocktake = _start(world, place)
    client = login("storekeeper")
    url = reverse("assets:stocktake_detail", args=[world.school.code, stocktake.pk])
    act = reverse("assets:stocktake_action", args=[world.school.code, stocktake.pk])
    bad = client.post(url, {"code": "NOPE", "result": "found"})
    assert "没有这个编号的资产" in bad.content.decode() and 'value="NOPE"' in bad.content.decode()
    assert (
        client.post(
            url, {"code": "SC-1", "result": "found", "found_location": place.room.pk}
        ).status_code
        == 302
    )
    client.post(act, {"action": "tick", "asset": ticked.pk, "result": "damaged"})
    client.post(url, {"surplus_name": "旧风扇", "result": "found", "found_location": place.room.pk})
    client.post(act, {"action": "finish"})
    page = client.get(url).content.decode()
    assert "盘亏" in page and "盘盈" in page and "旧风扇" in page and "SC-3" in page
    assert client.get(url + "?fmt=pdf").content.startswith(b"%PDF")
    client.post(act, {"action": "apply"})
    with scopes_disabled():
        stocktake.refresh_from_db()
        assert stocktake.status == StocktakeStatus.APPLIED
        assert WriteOff.objects.filter(asset__code__in=["SC-2", "SC-3"]).count() == 2
    assert scanned.pk
