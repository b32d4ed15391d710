"""Staff reports as kernel Snapshots: shown as a page, printed (PDF) or exported (Excel)
through the kernel's renderers, from the same selectors as the pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from assets import selectors
from assets.models import Distribution, StockMove
from logistics.models import School
from logistics.notices.kinds import Column, Snapshot
from logistics.notices.reports import report_download


def _today() -> str:
    today = timezone.localdate()
    return f"{today.year}年{today.month}月{today.day}日"


def register_snapshot(school: School, by: str) -> Snapshot:
    """资产分类汇总表 / 资产存放地点汇总表: lines, quantity and value per group, with totals."""
    totals = selectors.register_totals(school)
    if by == "location":
        key_label = "存放地点"
        rows = [
            {
                "group": r["location__path"] or "（未指定地点）",
                "lines": r["lines"],
                "quantity": r["qty"],
                "value": r["amount"],
            }
            for r in totals["by_location"]
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
            for r in totals["by_category"]
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
            "lines": totals["total"]["lines"],
            "quantity": totals["total"]["qty"],
            "value": totals["total"]["amount"],
        },
        signatures=("保管员", "总务主任", "校长"),
    )


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


def download(snapshot: Snapshot, request: HttpRequest, filename: str) -> HttpResponse:
    # Printed text is Chinese whatever the viewer's language.
    with translation.override("zh-hans"):
        return report_download(
            snapshot, school=request.school, fmt=request.GET["fmt"], filename=filename
        )


def page_context(snapshot: Snapshot) -> dict:
    """The snapshot as cells for the on-screen table (the same values as print and Excel)."""
    columns = list(snapshot.columns)
    return {
        "snapshot": snapshot,
        "rows": [[{"value": r.get(c.key), "type": c.type} for c in columns] for r in snapshot.rows],
        "totals": [{"value": snapshot.totals.get(c.key), "type": c.type} for c in columns]
        if snapshot.totals
        else [],
    }
