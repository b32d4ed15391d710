"""Stocktakes: the expected list, counts, outcomes, frozen moves, and how results apply."""

from __future__ import annotations

import base64
import io

import pytest
import zxingcpp
from django.apps import apps
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled
from PIL import Image
from pypdf import PdfReader

from assets import labels, services
from assets.forms import StocktakeForm
from assets.models import (
    AssetStatus,
    CountResult,
    StockBalance,
    StockMove,
    Stocktake,
    StocktakeKind,
    StocktakeStatus,
    WriteOff,
    WriteOffStatus,
)
from logistics.services import record_void
from tests.assets.conftest import make_place, register, stocked


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
        # The expected list is written in bulk, its row history too.
        events = apps.get_model("assets", "StocktakeLineEvent").objects
        assert events.filter(pgh_label="insert", stocktake=stocktake).count() == 4
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
        # Marked missing in one statement, with the row history of the change.
        missing = events.get(pgh_label="update", asset=lost)
        assert missing.result == CountResult.MISSING
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


# ---------------------------------------------------------------- consumables


def _stock_start(world, place):
    with scopes_disabled():
        return services.stocktake_start(
            school=world.school,
            actor=world.user("storekeeper"),
            title="学期末耗材盘点",
            location=place.floor,
            kind=StocktakeKind.STOCK,
        )


def _balance(item, location) -> int:
    with scopes_disabled():
        return StockBalance.objects.get(item=item, location=location).quantity


def test_a_consumables_stocktake_applies_differences_only_through_its_own_stock_moves(world, place):
    chalk = stocked(world, place, name="粉笔", quantity=10)
    paper = stocked(world, place, name="复印纸", quantity=5)
    ink = stocked(world, place, name="墨水", quantity=4)
    sk = world.user("storekeeper")
    stocktake = _stock_start(world, place)
    with scopes_disabled():
        lines = {line.item.name: line for line in stocktake.stock_lines.select_related("item")}
        assert {n: line.expected for n, line in lines.items()} == {
            "粉笔": 10,
            "复印纸": 5,
            "墨水": 4,
        }
        services.stock_count(
            school=world.school,
            actor=sk,
            stocktake=stocktake,
            counts={lines["粉笔"].pk: 7, lines["复印纸"].pk: 6, lines["墨水"].pk: 4},
        )
        services.stocktake_finish(school=world.school, actor=sk, stocktake=stocktake)
        # Counted, finished: the balances have not moved by themselves.
        assert (_balance(chalk, place.store), _balance(paper, place.store)) == (10, 5)
        services.stocktake_apply(school=world.school, actor=sk, stocktake=stocktake)
        services.stocktake_apply(school=world.school, actor=sk, stocktake=stocktake)  # no-op
        moves = sorted(
            (m.item.name, m.kind, m.quantity)
            for m in StockMove.objects.filter(stocktake=stocktake).select_related("item")
        )
    assert moves == [("复印纸", "in", 1), ("粉笔", "out", 3)]  # 盘盈 1, 盘亏 3; 墨水 agrees
    assert (_balance(chalk, place.store), _balance(paper, place.store)) == (7, 6)
    assert _balance(ink, place.store) == 4


def test_a_consumables_stocktake_in_progress_refuses_moves_of_the_items_it_counts(world, place):
    chalk = stocked(world, place, name="粉笔", quantity=10)
    sk = world.user("storekeeper")
    stocktake = _stock_start(world, place)
    move = {"school": world.school, "actor": sk, "item": chalk, "quantity": 1}
    with scopes_disabled():
        with pytest.raises(ValidationError, match="盘点"):
            services.stock_out(**move, location=place.store)
        with pytest.raises(ValidationError, match="盘点"):
            services.stock_in(**move, location=place.store)
        # Another store is not counted: its moves go on.
        services.stock_in(**move, location=place.office)
        line = stocktake.stock_lines.get()
        services.stock_count(
            school=world.school, actor=sk, stocktake=stocktake, counts={line.pk: 10}
        )
        services.stocktake_finish(school=world.school, actor=sk, stocktake=stocktake)
        services.stock_out(**move, location=place.store)
    assert _balance(chalk, place.store) == 9


def test_a_consumables_stocktake_finishes_only_when_every_item_is_counted(world, place):
    stocked(world, place, name="粉笔", quantity=10)
    stocked(world, place, name="复印纸", quantity=5)
    sk = world.user("storekeeper")
    stocktake = _stock_start(world, place)
    with scopes_disabled():
        first = stocktake.stock_lines.first()
        with pytest.raises(ValidationError):
            services.stock_count(
                school=world.school, actor=sk, stocktake=stocktake, counts={first.pk: -1}
            )
        services.stock_count(
            school=world.school, actor=sk, stocktake=stocktake, counts={first.pk: 0}
        )
        with pytest.raises(ValidationError, match="1"):
            services.stocktake_finish(school=world.school, actor=sk, stocktake=stocktake)
        stocktake.refresh_from_db()
    assert stocktake.status == StocktakeStatus.COUNTING
    with scopes_disabled(), pytest.raises(ValidationError):
        services.stocktake_start(
            school=world.school, actor=sk, title="无仓库", kind=StocktakeKind.STOCK
        )
    with scopes_disabled(), pytest.raises(ValidationError, match="仓库"):
        services.stocktake_start(
            school=world.school,
            actor=sk,
            title="按分类",
            kind=StocktakeKind.STOCK,
            location=place.store,
            category=place.categories["02"],
        )


def test_the_consumables_count_sheet_keeps_bad_input_and_prints_the_differences(
    world, place, login
):
    stocked(world, place, name="粉笔", quantity=10)
    client = login("storekeeper")
    start = client.post(
        reverse("assets:stocktake_list", args=[world.school.code]),
        {"title": "耗材盘点", "kind": "stock", "location": place.store.pk},
    )
    with scopes_disabled():
        stocktake = Stocktake.objects.get(title="耗材盘点")
        line = stocktake.stock_lines.get()
    url = reverse("assets:stocktake_detail", args=[world.school.code, stocktake.pk])
    assert start.url == url
    act = reverse("assets:stocktake_action", args=[world.school.code, stocktake.pk])
    bad = client.post(url, {f"c-{line.pk}": "七"}).content.decode()
    assert "请输入整数" in bad and 'value="七"' in bad
    assert client.post(url, {f"c-{line.pk}": "8"}).status_code == 302
    client.post(act, {"action": "finish"})
    client.post(act, {"action": "apply"})
    text = "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(client.get(url + "?fmt=pdf").content)).pages
    )
    assert "耗材盘点表" in text and "粉笔" in text and "-2" in text and "出库" in text


# ---------------------------------------------------------------- camera scanning


def _decoded_label(asset) -> str:
    """What a phone reads from the printed label's QR code."""
    png = labels.qr_png_uri(labels.label_url(asset)).split(",", 1)[1]
    image = Image.open(io.BytesIO(base64.b64decode(png))).convert("L")
    image = image.resize((image.width * 8, image.height * 8), Image.NEAREST)
    return zxingcpp.read_barcodes(image)[0].text


def test_a_scanned_label_marks_its_item_found_and_other_labels_are_not_found(world, place, login):
    in_room = register(world, place, code="SC-1", name="投影仪", location=place.room)
    elsewhere = register(world, place, code="SC-2", name="钢琴", location=None)
    voided = register(world, place, code="SC-3", name="音箱", location=place.room)
    other = make_place(world, world.other)
    with scopes_disabled():
        record_void(school=world.school, actor=world.user("director"), record=voided, reason="重复")
        theirs = services.asset_create(
            school=world.other,
            actor=world.user("principal_xx"),
            data=services.AssetInput(
                code="SC-1", name="投影仪", category=other.categories["02"], location=other.room
            ),
        )
    stocktake = _start(world, place)
    client = login("storekeeper")
    url = reverse("assets:stocktake_scan", args=[world.school.code, stocktake.pk])
    page = client.get(reverse("assets:stocktake_detail", args=[world.school.code, stocktake.pk]))
    assert b"data-scan-start" in page.content and b"assets/scan.js" in page.content

    # Found "on the second floor": in place for a room on that floor.
    found = client.post(url, {"url": _decoded_label(in_room), "found_location": place.floor.pk})
    assert found.status_code == 200 and found.json()["result"] == "相符"
    misplaced = client.post(url, {"url": _decoded_label(elsewhere)})
    assert misplaced.json()["result"] == "位置不符"
    assert client.post(url, {"url": "SC-2"}).json()["code"] == "SC-2"  # a code-only label
    for text in (_decoded_label(theirs), _decoded_label(voided), "https://example.com/x", "X"):
        refused = client.post(url, {"url": text})
        assert refused.status_code == 404 and "不是本校的资产" in refused.json()["error"]
    with scopes_disabled():
        results = {line.asset.code: line.result for line in stocktake.lines.select_related("asset")}
        services.stocktake_finish(
            school=world.school, actor=world.user("director"), stocktake=stocktake
        )
    assert results == {"SC-1": CountResult.FOUND, "SC-2": CountResult.WRONG_PLACE}
    late = client.post(url, {"url": _decoded_label(in_room)})
    assert late.status_code == 409 and "盘点" in late.json()["error"]
    # A consumables stocktake counts quantities: a scanned label is refused, not recorded.
    store_count = _stock_start(world, place)
    url = reverse("assets:stocktake_scan", args=[world.school.code, store_count.pk])
    refused = client.post(url, {"url": _decoded_label(in_room)})
    assert refused.status_code == 409 and "耗材" in refused.json()["error"]
    with scopes_disabled():
        assert not store_count.lines.exists()


def test_the_scanner_and_its_decoder_are_served_from_our_own_static_files():
    for path in ("assets/scan.js", "assets/vendor/jsQR.js", "assets/vendor/jsQR.LICENSE"):
        assert finders.find(path), path
    with open(finders.find("assets/vendor/jsQR.LICENSE"), encoding="utf-8") as licence:
        assert "Apache License" in licence.read()


@pytest.mark.parametrize("kind", ["assets", "stock"])
def test_the_count_sheets_run_the_same_queries_for_1_and_12_lines(world, place, login, kind):
    def seed(start, n):
        for i in range(start, start + n):
            if kind == "stock":
                stocked(world, place, name=f"纸{i}", quantity=5)
            else:
                register(world, place, code=f"KZ-{i:03d}", name=f"课桌{i}", location=place.room)

    def queries() -> int:
        with scopes_disabled():
            stocktake = services.stocktake_start(
                school=world.school,
                actor=world.user("storekeeper"),
                title=f"盘点{kind}",
                location=place.floor,
                kind=kind,
            )
        url = reverse("assets:stocktake_detail", args=[world.school.code, stocktake.pk])
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    client = login("storekeeper")
    seed(0, 1)
    one = queries()
    seed(1, 11)
    assert queries() == one <= 12


def test_the_start_form_offers_the_schools_places_and_categories_as_django_draws_them(
    world, place, login
):
    other = make_place(world, world.other)
    url = reverse("assets:stocktake_list", args=[world.school.code])
    page = login("storekeeper").get(url).content.decode()
    with scopes_disabled():
        drawn = str(StocktakeForm(school=world.school))
    # The options read as plain pairs: the same markup as the model-backed form's.
    assert drawn in page
    assert f'<option value="{place.room.pk}">{place.room.path}</option>' in page
    category = place.categories["02"]
    assert f'<option value="{category.pk}">{category.code} {category.name}</option>' in page
    assert f'value="{other.room.pk}"' not in page
    assert f'value="{other.categories["02"].pk}"' not in page
    # Another school's room posted is refused beside the field, what was typed kept.
    response = login("storekeeper").post(
        url, {"title": "期末盘点", "kind": "assets", "location": other.room.pk}
    )
    assert response.status_code == 200 and 'value="期末盘点"' in response.content.decode()
    assert response.context["form"].errors["location"]
