"""District-scale assets data for `make bench`: one INSERT … SELECT per school and table.

Register lines are generated inside PostgreSQL (generate_series) instead of a Python loop;
row-history triggers are skipped for generated rows, as finance's seeder does.
"""

from __future__ import annotations

import io
import random
import time

import pgtrigger
from django.db import connection, transaction
from django_scopes import scopes_disabled
from openpyxl import Workbook

from assets import labels, services
from assets.models import Asset, Category, StockItem
from assets.registers import HEADERS, read_xlsx
from logistics.bench import bench_user
from logistics.models import School
from logistics.registry import registry

# Register lines per member school: the full 50,000 (1.5 million in 30 schools). With
# the stock, moves and repairs a school seeds in about 3 s here, the district in 90 s.
PER_SCHOOL = 50_000
STOCK_ITEMS = 40
MOVES_PER_ITEM = 25
REPAIRS = 300
NAMES = [
    "课桌椅",
    "投影仪",
    "电脑",
    "图书",
    "篮球架",
    "空调",
    "办公桌",
    "文件柜",
    "电风扇",
    "监控摄像头",
]
SPECS = ["标准", "海康 4MP", "联想 i5", "馆藏", "国标", "1.5匹", "1.2米", "铁皮", "落地式", "室外"]
IGNORED = (
    "assets.Asset:insert_insert",
    "assets.StockMove:insert_insert",
    "assets.StockBalance:insert_insert",
    "assets.RepairTicket:insert_insert",
)


def _locations(school, user) -> list[int]:
    rooms = []
    building = services.location_create(school=school, actor=user, name="教学楼", parent=None)
    for f in range(1, 5):
        floor = services.location_create(school=school, actor=user, name=f"{f}楼", parent=building)
        rooms.extend(
            services.location_create(school=school, actor=user, name=f"{f}0{r}室", parent=floor).pk
            for r in range(1, 10)
        )
    return rooms


@registry.bench_seeder
def seed_assets(schools, years: int, rng: random.Random) -> None:
    user = bench_user()
    with pgtrigger.ignore(*IGNORED), connection.cursor() as cursor:
        # Positional parameters: pgtrigger.ignore() prefixes its own positional one.
        for school in schools:
            services.categories_install_defaults(school=school, actor=user)
            categories = list(
                Category.objects.filter(school=school).order_by("code").values_list("pk", flat=True)
            )
            rooms = _locations(school, user)
            cursor.execute(
                """
                INSERT INTO assets_asset (school_id, code, name, spec, category_id, location_id,
                  custodian_id, custodian_class, purchase_date, price, quantity, fund_source,
                  status, due_date, note, created_at, voided_at, voided_by_id, void_reason)
                SELECT %s, 'ZC-' || lpad(g::text, 6, '0'),
                  (%s::text[])[1 + g %% 10] || g, (%s::text[])[1 + (g / 10) %% 10],
                  (%s::bigint[])[1 + g %% 6], (%s::bigint[])[1 + g %% 36],
                  CASE WHEN g %% 3 = 0 THEN %s END, '', DATE '2012-01-01' + g %% 4000,
                  (50 + g %% 9000)::numeric(12, 2), CASE WHEN g %% 25 = 0 THEN 50 ELSE 1 END,
                  '公用经费',
                  CASE WHEN g %% 3 = 0 THEN 'in_use' WHEN g %% 97 = 0 THEN 'scrapped'
                       WHEN g %% 41 = 0 THEN 'repair' ELSE 'in_store' END,
                  NULL, '', now(), NULL, NULL, ''
                FROM generate_series(1, %s) g
                """,
                [school.pk, NAMES, SPECS, categories, rooms, user.pk, PER_SCHOOL],
            )
            items = StockItem.objects.bulk_create(
                StockItem(school=school, name=f"耗材{i}", unit="个", low_level=rng.randrange(0, 20))
                for i in range(STOCK_ITEMS)
            )
            store = rooms[0]
            cursor.execute(
                """
                INSERT INTO assets_stockbalance (school_id, item_id, location_id, quantity)
                SELECT %s, i, %s, 100 + i %% 50 FROM unnest(%s::bigint[]) i;
                INSERT INTO assets_stockmove (school_id, item_id, location_id, kind, quantity,
                  unit_price, supplier, expense_number, recipient, by_id, at)
                SELECT %s, i, %s, CASE WHEN g %% 4 = 0 THEN 'in' ELSE 'out' END,
                  1 + g %% 9, 2.50, '', '', '基准班级', %s,
                  now() - (g || ' days')::interval
                FROM unnest(%s::bigint[]) i, generate_series(1, %s) g;
                INSERT INTO assets_repairticket (school_id, location_id, description, status,
                  reported_by_id, reported_at, assigned_to_id, assigned_at, work_done, fixed_at,
                  confirmed_at, asset_status_before, voided_at, voided_by_id, void_reason)
                SELECT %s, (%s::bigint[])[1 + g %% 36], '灯不亮 ' || g,
                  CASE WHEN g %% 10 = 0 THEN 'reported' ELSE 'confirmed' END, %s,
                  now() - (g || ' hours')::interval,
                  CASE WHEN g %% 10 = 0 THEN NULL ELSE %s END,
                  CASE WHEN g %% 10 = 0 THEN NULL ELSE now() - (g - 1 || ' hours')::interval END,
                  '', CASE WHEN g %% 10 = 0 THEN NULL ELSE now() - (g || ' minutes')::interval END,
                  NULL, '', NULL, NULL, ''
                FROM generate_series(1, %s) g;
                """,
                [
                    school.pk,
                    store,
                    [i.pk for i in items],
                    school.pk,
                    store,
                    user.pk,
                    [i.pk for i in items],
                    MOVES_PER_ITEM,
                    school.pk,
                    rooms,
                    user.pk,
                    user.pk,
                    REPAIRS,
                ],
            )
        services.merge_search_index()
        cursor.execute(
            "ANALYZE assets_asset; ANALYZE assets_stockmove; ANALYZE assets_repairticket"
        )


class _Rollback(Exception):
    pass


@registry.bench_extra
def import_extras() -> list[dict]:
    """Import a 20,000-row book list into the first bench school (target: 30 s), then roll
    it back so the bench data stay as seeded."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("资产台账")
    ws.append(HEADERS)
    for i in range(20_000):
        ws.append(
            [f"TS-{i:05d}", f"图书{i}", "馆藏", "05", "", "", "", "2022-09-01", "28.50", 1, "", ""]
        )
    out = io.BytesIO()
    wb.save(out)
    with scopes_disabled():
        school = School.objects.filter(code="bench01").first()
        if school is None:
            return []
        started = time.perf_counter()
        try:
            with transaction.atomic():
                services.assets_import(
                    school=school, actor=bench_user(), table=read_xlsx(out.getvalue())
                )
                seconds = time.perf_counter() - started
                raise _Rollback
        except _Rollback:
            pass
    return [
        {
            "name": "assets: import 20,000 books",
            "value": seconds,
            "reference": 30.0,
            "ratio": seconds / 30.0,
            "target": 1.0,
            "unit": "s",
        }
    ]


@registry.bench_extra
def label_extras() -> list[dict]:
    """A sheet of 500 labels (target: 10 s)."""
    school = School(code="bench01", name="基准第1学校")
    assets = [
        Asset(pk=i, school=school, code=f"ZC-{i:06d}", name=f"课桌椅{i}") for i in range(1, 501)
    ]
    started = time.perf_counter()
    labels.label_sheet(school, assets, labels.LAYOUTS["4x10"])
    seconds = time.perf_counter() - started
    return [
        {
            "name": "assets: 500 QR labels",
            "value": seconds,
            "reference": 10.0,
            "ratio": seconds / 10.0,
            "target": 1.0,
            "unit": "s",
        }
    ]
