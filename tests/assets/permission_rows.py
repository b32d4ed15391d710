from __future__ import annotations

from django.urls import reverse
from django_scopes import scopes_disabled

from assets import services
from assets.models import StocktakeLine
from tests.assets.conftest import make_place, register, stocked
from tests.matrix import Row


def _s(name):
    return lambda w, s: reverse(f"assets:{name}", args=[s.code])


def _asset(name, **kwargs):
    def path(w, s):
        asset = register(w, make_place(w), **kwargs)
        return reverse(f"assets:{name}", args=[s.code, asset.pk])

    return path


def _teachers_asset(w, s):
    place = make_place(w)
    asset = register(w, place, custodian=w.user("teacher"), location=place.room)
    return reverse("assets:asset_detail", args=[s.code, asset.pk])


def _ticket(name, status="reported"):
    def path(w, s):
        place = make_place(w)
        with scopes_disabled():
            ticket = services.repair_report(
                school=s, actor=w.user("teacher"), location=place.room, description="灯不亮"
            )
            if status in ("assigned", "fixed"):
                services.repair_assign(
                    school=s, actor=w.user("director"), ticket=ticket, worker=w.user("storekeeper")
                )
            if status == "fixed":
                services.repair_fix(
                    school=s, actor=w.user("storekeeper"), ticket=ticket, work_done="换灯管"
                )
        return reverse(f"assets:{name}", args=[s.code, ticket.pk])

    return path


def _requisition(name, approve=False):
    def path(w, s):
        place = make_place(w)
        item = stocked(w, place)
        with scopes_disabled():
            req = services.requisition_create(
                school=s, actor=w.user("teacher"), item=item, quantity=2, purpose="上课"
            )
            if approve:
                from logistics.approvals import approval_sign

                approval_sign(
                    school=s, actor=w.user("director"), approval_id=req.approval_id, step=0
                )
        return reverse(f"assets:{name}", args=[s.code, req.pk])

    return path


def _writeoff(w, s):
    place = make_place(w)
    asset = register(w, place)
    with scopes_disabled():
        writeoff = services.writeoff_create(
            school=s, actor=w.user("storekeeper"), asset=asset, reason="损坏"
        )
    return reverse("assets:writeoff_detail", args=[s.code, writeoff.pk])


def _distribution(w, s):
    place = make_place(w)
    item = stocked(w, place)
    with scopes_disabled():
        batch = services.distribution_create(
            school=s,
            actor=w.user("storekeeper"),
            title="开学发放",
            location=place.store,
            cells={("初一(1)班", item.pk): 2},
        )
    return reverse("assets:distribution_detail", args=[s.code, batch.pk])


def _handover(w, s):
    asset = register(w, make_place(w))
    with scopes_disabled():
        record = asset.custody_records.get()
    return reverse("assets:asset_handover", args=[s.code, asset.pk, record.pk])


def _stocktake(name):
    def path(w, s):
        place = make_place(w)
        register(w, place, location=place.room)
        with scopes_disabled():
            stocktake = services.stocktake_start(
                school=s, actor=w.user("storekeeper"), title="盘点", location=place.floor
            )
        return reverse(f"assets:{name}", args=[s.code, stocktake.pk])

    return path


def _counted_found(w) -> bool:
    """effect: the scanned label's item is counted found (each row runs on a fresh database)."""
    with scopes_disabled():
        return StocktakeLine.objects.filter(school=w.school, result="found").exists()


def _with_place(name):
    def path(w, s):
        make_place(w)
        return reverse(f"assets:{name}", args=[s.code])

    return path


ROWS = [
    Row("assets:asset_handover", _handover, allowed="storekeeper", denied="teacher"),
    Row("assets:asset_list", _s("asset_list"), allowed="director", denied="teacher"),
    Row("assets:asset_export", _s("asset_export"), allowed="accountant", denied="teacher"),
    Row("assets:asset_import", _s("asset_import"), allowed="storekeeper", denied="teacher"),
    Row("assets:asset_labels", _with_place("asset_labels"), allowed="director", denied="teacher"),
    Row("assets:my_custody", _s("my_custody"), allowed="teacher", denied="cook"),
    Row(
        "assets:asset_create", _with_place("asset_create"), allowed="storekeeper", denied="teacher"
    ),
    # A teacher opens an item in their own custody (a scanned label); others' items are 404.
    Row("assets:asset_detail", _teachers_asset, allowed="teacher", denied="cook"),
    Row("assets:asset_edit", _asset("asset_edit"), allowed="director", denied="teacher"),
    Row("assets:asset_assign", _asset("asset_assign"), allowed="director", denied="teacher"),
    Row("assets:asset_checkout", _asset("asset_checkout"), allowed="director", denied="teacher"),
    Row("assets:asset_checkin", _asset("asset_checkin"), allowed="director", denied="teacher"),
    Row(
        "assets:asset_photo",
        _asset("asset_photo"),
        allowed="director",
        denied="teacher",
        method="post",
        ok=(302,),
    ),
    Row(
        "assets:writeoff_create", _asset("writeoff_create"), allowed="storekeeper", denied="teacher"
    ),
    Row("assets:category_list", _s("category_list"), allowed="director", denied="teacher"),
    Row("assets:location_list", _s("location_list"), allowed="director", denied="teacher"),
    Row("assets:settings", _s("settings"), allowed="director", denied="teacher"),
    Row("assets:stock_list", _s("stock_list"), allowed="storekeeper", denied="teacher"),
    Row("assets:stock_moves", _s("stock_moves"), allowed="storekeeper", denied="teacher"),
    Row(
        "assets:stock_item_create", _s("stock_item_create"), allowed="storekeeper", denied="teacher"
    ),
    Row("assets:stock_in", _s("stock_in"), allowed="storekeeper", denied="teacher"),
    Row("assets:stock_out", _s("stock_out"), allowed="storekeeper", denied="teacher"),
    Row(
        "assets:distribution_create",
        _with_place("distribution_create"),
        allowed="storekeeper",
        denied="teacher",
    ),
    Row("assets:distribution_detail", _distribution, allowed="storekeeper", denied="teacher"),
    Row("assets:requisition_list", _s("requisition_list"), allowed="teacher", denied="cook"),
    Row("assets:requisition_create", _s("requisition_create"), allowed="teacher", denied="cook"),
    Row(
        "assets:requisition_detail",
        _requisition("requisition_detail"),
        allowed="teacher",
        denied="cook",
    ),
    Row(
        "assets:requisition_issue",
        _requisition("requisition_issue", approve=True),
        allowed="storekeeper",
        denied="teacher",
        method="post",
        ok=(302,),
    ),
    Row("assets:repair_list", _s("repair_list"), allowed="teacher", denied=None),
    Row("assets:repair_create", _with_place("repair_create"), allowed="guard", denied=None),
    Row("assets:repair_stats", _s("repair_stats"), allowed="director", denied="teacher"),
    Row("assets:repair_detail", _ticket("repair_detail"), allowed="teacher", denied=None),
    Row(
        "assets:repair_assign",
        _ticket("repair_assign"),
        allowed="director",
        denied="teacher",
        method="post",
        ok=(302,),
    ),
    Row(
        "assets:repair_fix",
        _ticket("repair_fix", "assigned"),
        allowed="storekeeper",
        denied="teacher",
        method="post",
        data={"work_done": "换灯管"},
        ok=(302,),
    ),
    Row(
        "assets:repair_confirm",
        _ticket("repair_confirm", "fixed"),
        allowed="teacher",
        denied=None,
        method="post",
        ok=(302,),
    ),
    Row("assets:writeoff_list", _s("writeoff_list"), allowed="director", denied="teacher"),
    Row("assets:writeoff_detail", _writeoff, allowed="principal", denied="teacher"),
    Row("assets:stocktake_list", _s("stocktake_list"), allowed="storekeeper", denied="teacher"),
    Row(
        "assets:stocktake_detail",
        _stocktake("stocktake_detail"),
        allowed="storekeeper",
        denied="teacher",
    ),
    Row(
        "assets:stocktake_action",
        _stocktake("stocktake_action"),
        allowed="storekeeper",
        denied="teacher",
        method="post",
        data={"action": "finish"},
        ok=(302,),
    ),
    Row(
        "assets:stocktake_scan",
        _stocktake("stocktake_scan"),
        allowed="storekeeper",
        denied="teacher",
        method="post",
        data={"url": "ZC-0001"},  # a label holding only the code of the row's asset
        effect=_counted_found,
    ),
    Row(
        "assets:report_other",
        lambda w, s: reverse("assets:report_other", args=[s.code, "custody"]),
        allowed="principal",
        denied="teacher",
    ),
    Row("assets:report_register", _s("report_register"), allowed="accountant", denied="teacher"),
]
