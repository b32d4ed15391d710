"""Staff reports as kernel Snapshots: shown as a page, printed (PDF) or exported (Excel)
through the kernel's renderers, from the same selectors as the pages."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from assets import selectors
from assets.models import (
    AssetStatus,
    CountResult,
    Distribution,
    StockMove,
    Stocktake,
    StocktakeKind,
)
from logistics.models import School
from logistics.notices.kinds import VOID_REASON, Column, Snapshot
from logistics.notices.reports import CONTENT_TYPES, report_download
from logistics.selectors import label_map

XLSX = CONTENT_TYPES["xlsx"]


def _today() -> str:
    today = timezone.localdate()
    return f"{today.year}年{today.month}月{today.day}日"


def register_snapshot(school: School, by: str) -> Snapshot:
    """资产分类汇总表 / 资产存放地点汇总表: lines, quantity and value per group, with totals."""
    groups, total = selectors.register_totals(school, by)
    if by == "location":
        key_label = "存放地点"
        rows = [
            {
                "group": r["location__path"] or "（未指定地点）",
                "lines": r["lines"],
                "quantity": r["qty"],
                "value": r["amount"],
            }
            for r in groups
        ]
        title = "资产存放地点汇总表"
    else:
        key_label = "资产分类"
        rows = [
            {
                "group": f"{r['category__code']} {r['category__name']}",
                "lines": r["lines"],
                "quantity": r["qty"],
                "value": r["amount"],
            }
            for r in groups
        ]
        title = "资产分类汇总表"
    return Snapshot(
        title=title,
        period=f"截至{_today()}",
        columns=[
            Column("group", key_label),
            Column("lines", "登记条数", "integer"),
            Column("quantity", "数量", "integer"),
            Column("value", "金额（元）", "money"),
        ],
        rows=rows,
        totals={
            "group": "合计",
            "lines": total["lines"],
            "quantity": total["qty"],
            "value": total["amount"],
        },
        signatures=("保管员", "总务主任", "校长"),
    )


# A printed register is for one location, class or category; the whole register is the Excel
# export. Past this many lines the print says to filter first rather than run to 1,000 pages.
MAX_PRINTED_LINES = 2000


def _void(voided_at, reason: str) -> dict:
    """The kernel's mark for a voided record's row: printed struck through with the reason."""
    return {VOID_REASON: reason or "已作废"} if voided_at else {}


def register_lines_snapshot(
    school: School, filters: Mapping[str, str], *, with_voided: bool = True
) -> Snapshot:
    """资产台账: the register page's lines as filtered there, voided lines struck through with
    their reason; the totals count live lines only."""
    lines = selectors.register_print(
        school, filters, with_voided=with_voided, limit=MAX_PRINTED_LINES + 1
    )
    notes = ""
    if len(lines) > MAX_PRINTED_LINES:
        lines = lines[:MAX_PRINTED_LINES]
        notes = f"仅列出前 {MAX_PRINTED_LINES} 条：请按地点、分类或保管人筛选后分别打印。"
    statuses = label_map(AssetStatus)
    rows = [
        {
            "code": a.code,
            "name": a.name,
            "spec": a.spec,
            "category": a.category__name,
            "location": a.location__path or "",
            "custodian": _holder(a.custodian_class, a.custodian_name),
            "status": "已作废" if a.voided_at else statuses.get(a.status, a.status),
            "quantity": a.quantity,
            "value": a.value,
            **_void(a.voided_at, a.void_reason),
        }
        for a in lines
    ]
    live = [r for r in rows if VOID_REASON not in r]
    return Snapshot(
        title="资产台账",
        period=f"截至{_today()}",
        columns=[
            Column("code", "资产编号"),
            Column("name", "名称"),
            Column("spec", "规格型号"),
            Column("category", "分类"),
            Column("location", "存放地点"),
            Column("custodian", "保管人"),
            Column("status", "状态"),
            Column("quantity", "数量", "integer"),
            Column("value", "金额（元）", "money"),
        ],
        rows=rows,
        totals={
            "code": "合计（不含作废）",
            "quantity": sum(r["quantity"] for r in live),
            "value": sum((r["value"] for r in live), Decimal("0.00")),
        },
        notes=notes,
        signatures=("保管员", "总务主任", "校长"),
    )


def _holder(custodian_class: str, name: str | None) -> str:
    return f"{custodian_class} · {name or ''}" if custodian_class else name or ""


def distribution_snapshot(school: School, batch: Distribution) -> Snapshot:
    """发放签收单: one row per class, one column per item, and a line for the signature."""
    moves = list(
        StockMove.objects.filter(school=school, distribution=batch)
        .select_related("item")
        .order_by("recipient", "item__name")
    )
    items = sorted({m.item for m in moves}, key=lambda i: (i.name, i.spec))
    rows: dict[str, dict] = {}
    for m in moves:
        rows.setdefault(m.recipient, {"class": m.recipient, "sign": ""})[f"i{m.item_id}"] = (
            m.quantity
        )
    return Snapshot(
        title=f"{batch.title} 发放签收单",
        period=f"{timezone.localtime(batch.at):%Y年%m月%d日}",
        columns=[
            Column("class", "班级"),
            *[Column(f"i{i.pk}", f"{i}（{i.unit}）", "integer") for i in items],
            Column("sign", "班主任签收"),
        ],
        rows=list(rows.values()),
        totals={
            "class": "合计",
            **{f"i{i.pk}": sum(m.quantity for m in moves if m.item_id == i.pk) for i in items},
        },
        signatures=("发放人", "总务主任"),
    )


def custody_snapshot(school: School) -> Snapshot:
    """保管清单: what each person or class holds (保管责任到人); a voided line stays on the
    holder's list struck through with its reason, out of the totals."""
    rows = [
        {
            "holder": a["holder"],
            "class": a["custodian_class"],
            "code": a["code"],
            "name": a["name"],
            "location": a["location__path"] or "",
            "quantity": a["quantity"],
            "value": a["value"],
            **_void(a["voided_at"], a["void_reason"]),
        }
        for a in selectors.custody_list(school)
    ]
    live = [r for r in rows if VOID_REASON not in r]
    return Snapshot(
        title="资产保管清单",
        period=f"截至{_today()}",
        columns=[
            Column("holder", "保管人"),
            Column("class", "班级"),
            Column("code", "资产编号"),
            Column("name", "名称"),
            Column("location", "存放地点"),
            Column("quantity", "数量", "integer"),
            Column("value", "金额（元）", "money"),
        ],
        rows=rows,
        totals={
            "holder": "合计",
            "quantity": sum(r["quantity"] for r in live),
            "value": sum((r["value"] for r in live), Decimal("0.00")),
        },
        signatures=("保管员", "总务主任"),
    )


def stock_snapshot(school: School) -> Snapshot:
    rows = [
        {
            # As StockItem.__str__ names it.
            "item": f"{b['item__name']} {b['item__spec']}".strip(),
            "unit": b["item__unit"],
            "location": b["location__path"],
            "quantity": b["quantity"],
        }
        for b in selectors.stock_report_rows(school)
    ]
    return Snapshot(
        title="库存结存表",
        period=f"截至{_today()}",
        columns=[
            Column("item", "物品"),
            Column("unit", "单位"),
            Column("location", "仓库"),
            Column("quantity", "结存", "integer"),
        ],
        rows=rows,
        signatures=("保管员", "总务主任"),
    )


def repair_snapshot(school: School) -> Snapshot:
    rows = [
        {
            "month": f"{s['month']:%Y年%m月}",
            "tickets": s["tickets"],
            "open": s["open"],
            "response": f"{s['response_hours']:.1f}" if s["response_hours"] is not None else "",
            "fix": f"{s['fix_hours']:.1f}" if s["fix_hours"] is not None else "",
        }
        for s in selectors.repair_stats(school)
    ]
    return Snapshot(
        title="报修统计表",
        period=f"截至{_today()}",
        columns=[
            Column("month", "月份"),
            Column("tickets", "报修数", "integer"),
            Column("open", "未修复", "integer"),
            Column("response", "平均响应（小时）"),
            Column("fix", "平均修复（小时）"),
        ],
        rows=rows,
        signatures=("总务主任",),
    )


def stock_stocktake_snapshot(school: School, stocktake: Stocktake) -> Snapshot:
    """耗材盘点表: every item and store, book and counted quantity, the difference and the
    stock move that settled it."""
    rows = []
    for line in selectors.stock_count_lines(school, stocktake):
        move = ""
        if line.move_id:
            kind = "出库" if line.move.kind == "out" else "入库"
            move = f"{kind} #{line.move_id}"
        rows.append(
            {
                "item": str(line.item),
                "unit": line.item.unit,
                "store": line.location.path,
                "expected": line.expected,
                "counted": line.counted,
                "difference": f"{line.difference:+d}" if line.difference else "",
                "settled": move,
            }
        )
    short = sum(1 for r in rows if r["difference"].startswith("-"))
    over = sum(1 for r in rows if r["difference"].startswith("+"))
    return Snapshot(
        title=f"{stocktake.title} 耗材盘点表",
        period=f"{timezone.localtime(stocktake.started_at):%Y年%m月%d日}",
        columns=[
            Column("item", "物品"),
            Column("unit", "单位"),
            Column("store", "仓库"),
            Column("expected", "账面数量", "integer"),
            Column("counted", "实盘数量", "integer"),
            Column("difference", "盘盈（+）/盘亏（−）"),
            Column("settled", "处理"),
        ],
        rows=rows,
        notes=f"共 {len(rows)} 项，盘亏 {short} 项，盘盈 {over} 项；差异以出入库单调整库存。",
        signatures=("盘点人", "保管员", "总务主任"),
    )


def stocktake_snapshot(school: School, stocktake: Stocktake) -> Snapshot:
    """盘点结果表: every counted line that is not simply found, and how it was settled."""
    if stocktake.kind == StocktakeKind.STOCK:
        return stock_stocktake_snapshot(school, stocktake)
    lines = selectors.stocktake_lines(school, stocktake).exclude(
        result__in=[CountResult.FOUND, CountResult.PENDING]
    )
    rows = [
        {
            "code": line.asset.code if line.asset else "",
            "name": line.asset.name if line.asset else line.surplus_name,
            "expected_at": line.asset.location.path if line.asset and line.asset.location else "",
            "found_at": line.found_location.path if line.found_location else "",
            "result": CountResult(line.result).label,
            "settled": (
                f"报损单 #{line.writeoff_id}"
                if line.writeoff_id
                else ("已调拨" if line.moved else "")
            ),
            "note": line.note,
        }
        for line in lines
    ]
    summary = selectors.stocktake_summary(school, stocktake)
    counts = "，".join(
        f"{CountResult(k).label}{v}" for k, v in sorted(summary.items()) if k != CountResult.PENDING
    )
    return Snapshot(
        title=f"{stocktake.title} 盘点结果",
        period=f"{timezone.localtime(stocktake.started_at):%Y年%m月%d日}",
        columns=[
            Column("code", "资产编号"),
            Column("name", "名称"),
            Column("expected_at", "账面地点"),
            Column("found_at", "实际地点"),
            Column("result", "结果"),
            Column("settled", "处理"),
            Column("note", "备注"),
        ],
        rows=rows,
        notes=counts,
        signatures=("盘点人", "保管员", "总务主任"),
    )


def handover_snapshot(school: School, record) -> Snapshot:
    """交接单: the item, the change of custody and the condition, with signature lines."""
    asset = record.asset
    holder = record.custodian.get_full_name() if record.custodian else "总务仓库"
    return Snapshot(
        title=f"资产交接单（{record.get_kind_display()}）",
        period=f"{timezone.localtime(record.at):%Y年%m月%d日}",
        columns=[
            Column("code", "资产编号"),
            Column("name", "名称"),
            Column("spec", "规格型号"),
            Column("quantity", "数量", "integer"),
            Column("to", "保管人（班级）"),
            Column("location", "存放地点"),
            Column("due", "应还日期", "date"),
            Column("condition", "状况"),
        ],
        rows=[
            {
                "code": asset.code,
                "name": asset.name,
                "spec": asset.spec,
                "quantity": asset.quantity,
                "to": f"{holder}（{record.custodian_class}）" if record.custodian_class else holder,
                "location": record.location.path if record.location else "",
                "due": record.due_date,
                "condition": record.condition,
            }
        ],
        signatures=("交出人", "接收人", "总务主任"),
    )


def download(
    snapshot: Snapshot, request: HttpRequest, filename: str, fmt: str | None = None
) -> HttpResponse:
    # Printed text is Chinese whatever the viewer's language.
    with translation.override("zh-hans"):
        return report_download(
            snapshot, school=request.school, fmt=fmt or request.GET["fmt"], filename=filename
        )


def page_context(snapshot: Snapshot) -> dict:
    """The snapshot as cells for the on-screen table (the same values as print and Excel)."""
    columns = list(snapshot.columns)
    return {
        "snapshot": snapshot,
        "rows": [
            {
                "cells": [{"value": r.get(c.key), "type": c.type} for c in columns],
                "void_reason": r.get(VOID_REASON, ""),
            }
            for r in snapshot.rows
        ],
        "totals": [{"value": snapshot.totals.get(c.key), "type": c.type} for c in columns]
        if snapshot.totals
        else [],
    }
