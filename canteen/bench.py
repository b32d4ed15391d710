"""District-scale canteen data for `make bench`: bulk inserts only, so seeding stays fast.

Per member school and day: 3 meals of 4 dishes, each sampled (about 360,000 samples for 30
schools × 3 years), two deliveries of 4 lines (about 250,000 lines), two fridge readings and a
reviewed day.
"""

from __future__ import annotations

import datetime
import json
import os
import random
import subprocess  # nosec B404  # our own interpreter, for the pack's memory
import sys
import time
from decimal import Decimal
from urllib.parse import quote

import pgtrigger
from django.conf import settings
from django.db import connection
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from canteen.models import (
    CanteenDay,
    MenuDish,
    Receiving,
    ReceivingLine,
    Sample,
    StaffMember,
    Supplier,
    TemperatureLog,
)
from canteen.notices import build_purchases
from logistics.bench import bench_user
from logistics.models import School
from logistics.registry import registry

DISHES = ["米饭", "红烧肉", "清炒白菜", "番茄蛋汤", "土豆丝", "蒸南瓜", "炒菠菜", "豆腐汤"]
LINES = [("大米", "rice"), ("猪肉", "meat"), ("白菜", "vegetables"), ("鸡蛋", "eggs")]
SEED_IGNORED_TRIGGERS = tuple(
    f"canteen.{model}:insert_insert"
    for model in (
        "StaffMember",
        "Supplier",
        "MenuDish",
        "Sample",
        "Receiving",
        "ReceivingLine",
        "TemperatureLog",
        "CanteenDay",
    )
)


@registry.bench_seeder
def seed_canteen(schools, years: int, rng: random.Random) -> None:
    user = bench_user()
    today = timezone.localdate()
    first = today - datetime.timedelta(days=365 * years)
    # Generated rows need no row history: the per-row triggers would make seeding take minutes.
    with pgtrigger.ignore(*SEED_IGNORED_TRIGGERS):
        for school in schools:
            _seed_school(school, user, first, today, rng)


def _seed_school(school, user, first, today, rng) -> None:
    staff = StaffMember.objects.bulk_create(
        StaffMember(
            school=school,
            name=f"员工{i}",
            position="cook",
            certificate_no=f"B{i}",
            certificate_expires=today + datetime.timedelta(days=100 + i),
        )
        for i in range(4)
    )
    supplier = Supplier.objects.create(
        school=school,
        name="基准供应商",
        credit_code=f"{school.pk:018d}",
        licence_no="JY0",
        licence_expires=today + datetime.timedelta(days=365),
        categories=[c for _n, c in LINES],
    )
    days = [first + datetime.timedelta(days=n) for n in range((today - first).days)]
    dishes = MenuDish.objects.bulk_create(
        (
            MenuDish(school=school, date=day, meal=meal, name=name, position=p)
            for day in days
            for meal in ("breakfast", "lunch", "dinner")
            for p, name in enumerate(rng.sample(DISHES, 4))
        ),
        batch_size=5000,
    )
    Sample.objects.bulk_create(
        (
            Sample(
                school=school,
                date=d.date,
                meal=d.meal,
                dish=d,
                grams=Decimal("130"),
                taken_at=timezone.make_aware(datetime.datetime.combine(d.date, datetime.time(12))),
                sampler=staff[0],
                reviewer=staff[1],
                recorded_by=user,
            )
            for d in dishes
        ),
        batch_size=5000,
    )
    receivings = Receiving.objects.bulk_create(
        (
            Receiving(
                school=school,
                date=day,
                supplier=supplier,
                inspector=staff[2],
                second_inspector=staff[3],
                recorded_by=user,
            )
            for day in days
            for _ in range(2)
        ),
        batch_size=5000,
    )
    ReceivingLine.objects.bulk_create(
        (
            ReceivingLine(
                school=school,
                receiving=r,
                name=name,
                category=category,
                quantity=Decimal("20"),
                unit="kg",
                unit_price=Decimal("5.50"),
                amount=Decimal("110.00"),
                accepted=rng.random() > 0.01,
                disposal="退货",
                retain_until=r.date + datetime.timedelta(days=730),
            )
            for r in receivings
            for name, category in LINES
        ),
        batch_size=5000,
    )
    TemperatureLog.objects.bulk_create(
        (
            TemperatureLog(
                school=school,
                date=day,
                equipment="fridge",
                celsius=Decimal("4.0"),
                in_range=True,
                recorded_by=user,
                taken_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(h))),
            )
            for day in days
            for h in (8, 15)
        ),
        batch_size=5000,
    )
    now = timezone.now()
    CanteenDay.objects.bulk_create(
        (
            CanteenDay(
                school=school,
                date=day,
                status=CanteenDay.REVIEWED,
                closed_at=now,
                closed_by=user,
                reviewed_at=now,
                reviewed_by=user,
            )
            for day in days
        ),
        batch_size=5000,
    )


# ---------------------------------------------------------------- timed extras (make bench)

# Run in a child process, so its peak memory is the pack's own (ru_maxrss of the child).
_PACK_CHILD = """
import datetime, json, os, resource, sys, time
import django
django.setup()
from django.db import transaction
from django_scopes import scopes_disabled
from canteen import packs
from canteen.models import InspectionPack
from logistics.bench import bench_user
from logistics.models import School

class Rollback(Exception):
    pass

end = datetime.date.fromisoformat(sys.argv[1])
with scopes_disabled():
    school = School.objects.get(code="bench01")
    try:
        with transaction.atomic():
            pack = InspectionPack.objects.create(
                school=school, start=end.replace(day=1), end=end, requested_by=bench_user()
            )
            started = time.perf_counter()
            pack = packs.build_pack(pack.pk)
            seconds = time.perf_counter() - started
            size = pack.pdf.size
            pack.pdf.delete(save=False)
            pack.xlsx.delete(save=False)
            raise Rollback
    except Rollback:
        pass
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak, "pdf_bytes": size}))
"""


def _database_url(db: dict) -> str:
    """The bench database as a DATABASE_URL, for the child process (a socket directory may
    be the HOST or, from a URL's ?host=, an option)."""
    auth = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    host = db["HOST"] or db.get("OPTIONS", {}).get("host", "")
    if not host or host.startswith("/"):
        port = f"&port={db['PORT']}" if db["PORT"] else ""
        return f"postgres://{auth}@/{db['NAME']}?host={quote(host)}{port}"
    return f"postgres://{auth}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


@registry.bench_extra
def pack_extras() -> list[dict]:
    """A one-month inspection pack of the first bench school, made as the worker makes it
    (targets: 60 s, peak memory 512 MB)."""
    with scopes_disabled():
        school = School.objects.filter(code="bench01").first()
        last = CanteenDay.objects.filter(school=school).order_by("-date").first()
    if school is None or last is None:
        return []
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "logistics.settings",
        "DATABASE_URL": _database_url(connection.settings_dict),
    }
    done = subprocess.run(  # noqa: S603  # nosec B603  # our own interpreter and script
        [sys.executable, "-c", _PACK_CHILD, last.date.isoformat()],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    return [
        {
            "name": "canteen: one-month inspection pack",
            "value": found["seconds"],
            "reference": 60.0,
            "ratio": found["seconds"] / 60.0,
            "target": 1.0,
            "unit": "s",
        },
        {
            "name": "canteen: pack's peak memory",
            "value": found["peak_mb"],
            "reference": 512.0,
            "ratio": found["peak_mb"] / 512.0,
            "target": 1.0,
            "unit": "MB",
        },
    ]


@registry.bench_extra
def purchase_report_extras() -> list[dict]:
    """The daily purchase report (食堂采购日报表) of the first bench school's last day with
    deliveries, built as a draft builds it (target: 0.5 s)."""
    with scopes_disabled():
        school = School.objects.filter(code="bench01").first()
        last = Receiving.objects.filter(school=school).order_by("-date").first()
        if school is None or last is None:
            return []
        with translation.override("zh-hans"):
            started = time.perf_counter()
            build_purchases(school=school, start=last.date, end=last.date).to_json()
            seconds = time.perf_counter() - started
    return [
        {
            "name": "canteen: build a daily purchase report",
            "value": seconds,
            "reference": 0.5,
            "ratio": seconds / 0.5,
            "target": 1.0,
            "unit": "s",
        }
    ]
