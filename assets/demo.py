"""Demo records of sdcz from the seed: the year's purchases as assets, the library as
collections, classrooms and offices with custodians, a term-start textbook distribution,
repair tickets with their times, a finished stocktake of the register and one of the store,
each with a shortage and a surplus, and a write-off waiting for the central principal.

Everything goes through the services (rules, approvals, audit); times of repair tickets are
then set back so the statistics page shows realistic response and fix times.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from assets import services
from assets.models import Asset, Category, Location, RepairTicket, StocktakeKind
from logistics import approvals
from logistics.models import School
from logistics.registry import registry

# code, name, spec, category code, location key, price, quantity, fund source, custodian
PURCHASES = [
    (
        "ZC-2022-001",
        "校园监控系统",
        "16路 海康 4MP",
        "02",
        "office",
        "38000.00",
        1,
        "校园安全专项资金",
        "director",
    ),
    (
        "ZC-2022-002",
        "宿舍烟雾报警器",
        "JTY-GD-01",
        "02",
        "dorm",
        "350.00",
        80,
        "校园安全专项资金",
        "safety",
    ),
    (
        "ZC-2022-003",
        "供水设备",
        "变频供水 3kW",
        "03",
        "pump",
        "20000.00",
        1,
        "公用经费",
        "director",
    ),
    ("ZC-2022-004", "音乐器材", "电钢琴 88键", "03", "music", "6800.00", 2, "公用经费", "teacher"),
    ("ZC-2022-005", "体育器材", "篮球架、乒乓球台", "03", "store", "9200.00", 1, "公用经费", None),
    ("ZC-2022-006", "烤箱", "商用双层", "03", "canteen", "4200.00", 1, "公用经费", "canteen"),
    ("ZC-2022-007", "和面机", "25kg", "03", "canteen", "3600.00", 1, "公用经费", "canteen"),
    ("ZC-2022-008", "消毒柜", "双门 800L", "03", "canteen", "3800.00", 1, "公用经费", "canteen"),
    (
        "TS-2022-001",
        "图书（文学类）",
        "馆藏",
        "05",
        "library",
        "28.50",
        12000,
        "公用经费",
        "teacher",
    ),
    (
        "TS-2022-002",
        "图书（科普类）",
        "馆藏",
        "05",
        "library",
        "32.00",
        8000,
        "公用经费",
        "teacher",
    ),
    ("JJ-2022-001", "课桌椅", "单人 可升降", "06", "c11", "180.00", 50, "公用经费", "teacher"),
]
CLASSES = ["初一(1)班", "初一(2)班", "初二(1)班", "初二(2)班"]


def _users() -> dict:
    return {
        u.username: u
        for u in get_user_model().objects.filter(
            username__in=[
                "director",
                "storekeeper",
                "teacher",
                "safety",
                "canteen",
                "principal",
                "central",
            ]
        )
    }


def _locations(school: School, actor) -> dict[str, Location]:
    def make(name, parent=None):
        return services.location_create(school=school, actor=actor, name=name, parent=parent)

    teaching = make("教学楼")
    first, second = make("一楼", teaching), make("二楼", teaching)
    office_b = make("办公楼")
    office_floor = make("一楼", office_b)
    dorm_b = make("学生宿舍楼")
    dorm_floor = make("一楼", dorm_b)
    canteen_b = make("食堂")
    canteen_floor = make("一楼", canteen_b)
    return {
        "c11": make("初一(1)班教室", first),
        "c12": make("初一(2)班教室", first),
        "music": make("音乐室", second),
        "library": make("图书室", second),
        "office": make("总务处", office_floor),
        "store": make("总务仓库", office_floor),
        "pump": make("水泵房", office_floor),
        "dorm": make("男生宿舍", dorm_floor),
        "canteen": make("食堂操作间", canteen_floor),
    }


@registry.demo_loader
@transaction.atomic
def load_assets_demo() -> None:
    school = School.objects.filter(code="sdcz").first()
    if school is None or Asset.objects.filter(school=school).exists():
        return  # idempotent
    users = _users()
    director, storekeeper = users["director"], users["storekeeper"]
    services.categories_install_defaults(school=school, actor=director)
    categories = {c.code: c for c in Category.objects.filter(school=school)}
    places = _locations(school, director)
    assets = {}
    for code, name, spec, cat, where, price, qty, fund, who in PURCHASES:
        assets[code] = services.asset_create(
            school=school,
            actor=director,
            data=services.AssetInput(
                code=code,
                name=name,
                spec=spec,
                category=categories[cat],
                location=places[where],
                custodian=users[who] if who else None,
                custodian_class="初一(1)班" if where == "c11" else "",
                purchase_date=datetime.date(2022, 9, 1),
                price=Decimal(price),
                quantity=qty,
                fund_source=fund,
            ),
        )
    _stock(school, storekeeper, places["store"])
    _stock_stocktake(school, storekeeper, places["store"])
    _repairs(school, users, places, assets)
    _writeoff(school, users, assets)
    _stocktake(school, users, places, assets)


def _stock(school: School, storekeeper, store: Location) -> None:
    items = {
        name: services.stock_item_create(
            school=school, actor=storekeeper, name=name, unit=unit, low_level=low
        )
        for name, unit, low in [
            ("语文课本（七年级上）", "本", 0),
            ("数学课本（七年级上）", "本", 0),
            ("作业本", "本", 100),
            ("粉笔", "盒", 20),
            ("锁芯", "个", 5),
        ]
    }
    for name, qty, price in [
        ("语文课本（七年级上）", 100, "12.50"),
        ("数学课本（七年级上）", 100, "11.80"),
        ("作业本", 800, "0.60"),
        ("粉笔", 18, "4.00"),
        ("锁芯", 10, "25.00"),
    ]:
        services.stock_in(
            school=school,
            actor=storekeeper,
            item=items[name],
            location=store,
            quantity=qty,
            unit_price=Decimal(price),
            supplier="县新华书店" if "课本" in name else "石道文具店",
        )
    cells = {}
    for n, class_name in enumerate(CLASSES):
        cells[(class_name, items["语文课本（七年级上）"].pk)] = 45 - n
        cells[(class_name, items["数学课本（七年级上）"].pk)] = 45 - n
        cells[(class_name, items["作业本"].pk)] = 180
    # Only two classes take textbooks this term (七年级); all take exercise books.
    for class_name in CLASSES[2:]:
        cells.pop((class_name, items["语文课本（七年级上）"].pk))
        cells.pop((class_name, items["数学课本（七年级上）"].pk))
    services.distribution_create(
        school=school, actor=storekeeper, title="2022年秋季开学发放", location=store, cells=cells
    )
    services.requisition_create(
        school=school,
        actor=get_user_model().objects.get(username="teacher"),
        item=items["粉笔"],
        quantity=2,
        purpose="初一(1)班上课用",
        class_name="初一(1)班",
    )


def _stock_stocktake(school: School, storekeeper, store: Location) -> None:
    """The store counted at term end and settled: two boxes of chalk short (盘亏), a bundle
    of five exercise books more than the books say (盘盈); the rest agrees."""
    stocktake = services.stocktake_start(
        school=school,
        actor=storekeeper,
        title="2022年秋季学期末耗材盘点（总务仓库）",
        location=store,
        kind=StocktakeKind.STOCK,
    )
    adjust = {"粉笔": -2, "作业本": 5}
    lines = stocktake.stock_lines.select_related("item")
    services.stock_count(
        school=school,
        actor=storekeeper,
        stocktake=stocktake,
        counts={line.pk: line.expected + adjust.get(line.item.name, 0) for line in lines},
    )
    services.stocktake_finish(school=school, actor=storekeeper, stocktake=stocktake)
    services.stocktake_apply(school=school, actor=storekeeper, stocktake=stocktake)


def _repairs(school: School, users: dict, places: dict, assets: dict) -> None:
    teacher, director, storekeeper = users["teacher"], users["director"], users["storekeeper"]
    now = timezone.now()
    # description, location, hours to assign, hours to fix (None: still open), confirmed
    tickets = [
        ("教室门锁坏了，关不上", "c11", 0.5, 3, True),
        ("宿舍走廊灯不亮", "dorm", 1, 5, True),
        ("水泵房水管漏水", "pump", 0.3, 2, True),
        ("教室门锁又坏了", "c11", 1, 4, False),
        ("音乐室窗户玻璃破裂", "music", None, None, False),
    ]
    for n, (text, where, to_assign, to_fix, confirmed) in enumerate(tickets):
        ticket = services.repair_report(
            school=school, actor=teacher, location=places[where], description=text
        )
        reported = now - datetime.timedelta(days=40 - n * 8)
        if to_assign is not None:
            services.repair_assign(school=school, actor=director, ticket=ticket, worker=storekeeper)
            services.repair_fix(school=school, actor=storekeeper, ticket=ticket, work_done="已修复")
            if confirmed:
                services.repair_confirm(school=school, actor=teacher, ticket=ticket)
        RepairTicket.objects.filter(pk=ticket.pk).update(
            reported_at=reported,
            assigned_at=reported + datetime.timedelta(hours=to_assign) if to_assign else None,
            fixed_at=reported + datetime.timedelta(hours=to_fix) if to_fix else None,
            confirmed_at=reported + datetime.timedelta(hours=to_fix + 2) if confirmed else None,
        )


def _writeoff(school: School, users: dict, assets: dict) -> None:
    """One write-off above the threshold, signed by the director and principal, waiting for
    the central principal."""
    writeoff = services.writeoff_create(
        school=school,
        actor=users["storekeeper"],
        asset=assets["ZC-2022-004"],
        reason="电钢琴受潮损坏，维修费用超过原值",
    )
    for who in ("director", "principal"):
        approval = writeoff.approval
        approval.refresh_from_db()
        approvals.approval_sign(
            school=school, actor=users[who], approval_id=approval.pk, step=approval.current_step
        )


def _stocktake(school: School, users: dict, places: dict, assets: dict) -> None:
    """A finished stocktake of the teaching building: the desks, piano and books found, a
    projector missing (盘亏) and an unregistered lectern found (盘盈)."""
    storekeeper = users["storekeeper"]
    services.asset_create(
        school=school,
        actor=users["director"],
        data=services.AssetInput(
            code="ZC-2022-009",
            name="投影仪",
            spec="爱普生 CB-X06",
            category=Category.objects.get(school=school, code="02"),
            location=places["c12"],
            purchase_date=datetime.date(2022, 9, 1),
            price=Decimal("2600.00"),
            fund_source="公用经费",
        ),
    )
    stocktake = services.stocktake_start(
        school=school,
        actor=storekeeper,
        title="2022年秋季学期末盘点（教学楼）",
        location=places["c11"].parent.parent,
    )
    for code in ("JJ-2022-001", "ZC-2022-004", "TS-2022-001", "TS-2022-002"):
        services.stocktake_count(
            school=school,
            actor=storekeeper,
            stocktake=stocktake,
            asset=assets[code],
            result="found",
            found_location=assets[code].location,
        )
    services.stocktake_count(
        school=school,
        actor=storekeeper,
        stocktake=stocktake,
        result="surplus",
        surplus_name="旧木质讲台",
        found_location=places["c12"],
        note="未登记，建议补登",
    )
    services.stocktake_finish(school=school, actor=storekeeper, stocktake=stocktake)
