"""District-scale canteen data for `make bench`: bulk inserts only, so seeding stays fast.

Per member school and day: 3 meals of 4 dishes, each sampled (about 360,000 samples for 30
schools × 3 years), two deliveries of 4 lines (about 250,000 lines), two fridge readings and a
reviewed day.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

import pgtrigger
from django.utils import timezone

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
from logistics.bench import bench_user
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
