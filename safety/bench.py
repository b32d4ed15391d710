"""District-scale safety data for `make bench`: bulk inserts only, so seeding stays fast."""

from __future__ import annotations

import datetime
import random

import pgtrigger
from django.utils import timezone

from logistics.bench import bench_user
from logistics.registry import registry
from safety.defaults import DEFAULTS
from safety.models import (
    Checklist,
    ChecklistItem,
    Equipment,
    EquipmentCheck,
    EquipmentKind,
    GateEntry,
    Hazard,
    HazardSource,
    HazardStatus,
    Inspection,
    InspectionStatus,
    Visitor,
)

INSPECTIONS_PER_YEAR = 30
HAZARDS_PER_YEAR = 60
EQUIPMENT_PER_SCHOOL = 40
GATE_ENTRIES_PER_DAY = 4
VISITORS_PER_SCHOOL = 200
# Generated rows need no row history; the per-row triggers would make seeding take minutes.
SEED_IGNORED_TRIGGERS = tuple(
    f"safety.{model}:insert_insert"
    for model in (
        "Checklist",
        "ChecklistItem",
        "Inspection",
        "Hazard",
        "Equipment",
        "EquipmentCheck",
        "Visitor",
        "GateEntry",
    )
)
ID = "440781198003150018"


def _at(day: datetime.date, minutes: int) -> datetime.datetime:
    midnight = datetime.datetime.combine(day, datetime.time(7), tzinfo=datetime.UTC)
    return midnight + datetime.timedelta(minutes=minutes)


@registry.bench_seeder
def seed_safety(schools, years: int, rng: random.Random) -> None:
    user = bench_user()
    today = timezone.localdate()
    first_day = today - datetime.timedelta(days=365 * years)
    with pgtrigger.ignore(*SEED_IGNORED_TRIGGERS):
        checklists = Checklist.objects.bulk_create(
            [
                Checklist(school=s, area=area, name=name)
                for s in schools
                for area, (name, _items) in DEFAULTS.items()
            ],
            batch_size=2000,
        )
        ChecklistItem.objects.bulk_create(
            [
                ChecklistItem(school_id=c.school_id, checklist=c, position=i, **item._asdict())
                for c in checklists
                for i, item in enumerate(DEFAULTS[c.area][1], 1)
            ],
            batch_size=5000,
        )
        inspections, hazards = [], []
        for c in checklists:
            for _n in range(INSPECTIONS_PER_YEAR * years // len(DEFAULTS)):
                day = first_day + datetime.timedelta(days=rng.randrange(365 * years))
                inspections.append(
                    Inspection(
                        school_id=c.school_id,
                        checklist=c,
                        area=c.area,
                        title=f"{day:%Y-%m-%d} {c.name}",
                        kind=rng.choice(["term_start", "monthly", "holiday", "ad_hoc"]),
                        status=InspectionStatus.DONE,
                        inspector=user,
                        started_at=_at(day, 60),
                        finished_at=_at(day, 120),
                        signed_name="基准",
                        failed_count=rng.randrange(3),
                    )
                )
        Inspection.objects.bulk_create(inspections, batch_size=5000)
        for s in schools:
            for _n in range(HAZARDS_PER_YEAR * years):
                day = first_day + datetime.timedelta(days=rng.randrange(365 * years))
                deadline = day + datetime.timedelta(days=rng.randrange(3, 30))
                closed = deadline < today and rng.random() < 0.9
                hazards.append(
                    Hazard(
                        school=s,
                        area=rng.choice(list(DEFAULTS)),
                        location=f"基准位置{rng.randrange(50)}",
                        description="基准隐患",
                        severity="major" if rng.random() < 0.1 else "general",
                        source=HazardSource.INSPECTION,
                        status=HazardStatus.CLOSED if closed else HazardStatus.OPEN,
                        reported_by=user,
                        reported_at=_at(day, 90),
                        owner=user,
                        deadline=deadline,
                        # Generated rows: the verifier is the same bench user, so no fixer.
                        verified_by=user if closed else None,
                        closed_at=_at(deadline, 0) if closed else None,
                    )
                )
        Hazard.objects.bulk_create(hazards, batch_size=5000)
        kinds = list(EquipmentKind.values)
        equipment = Equipment.objects.bulk_create(
            [
                Equipment(
                    school=s,
                    kind=kinds[n % len(kinds)],
                    code=f"JZ-{n:03d}",
                    location=f"基准楼{n % 8}",
                    next_check_on=today + datetime.timedelta(days=rng.randrange(-30, 365)),
                    expires_on=today + datetime.timedelta(days=rng.randrange(-30, 1500)),
                )
                for s in schools
                for n in range(EQUIPMENT_PER_SCHOOL)
            ],
            batch_size=5000,
        )
        months = []
        month = today.replace(day=1)
        for _n in range(12 * years):
            month = (month - datetime.timedelta(days=1)).replace(day=1)
            months.append(month)
        EquipmentCheck.objects.bulk_create(
            [
                EquipmentCheck(
                    school_id=e.school_id,
                    equipment=e,
                    month=m,
                    ok=rng.random() > 0.03,
                    note="",
                    checked_by=user,
                    checked_at=_at(m, 60),
                )
                for e in equipment
                for m in months
            ],
            batch_size=10000,
        )
        visitors = Visitor.objects.bulk_create(
            [
                Visitor(school=s, phone=f"139{n:08d}", name=f"访客{n}", id_number=ID)
                for s in schools
                for n in range(VISITORS_PER_SCHOOL)
            ],
            batch_size=5000,
        )
        by_school: dict[int, list[Visitor]] = {}
        for v in visitors:
            by_school.setdefault(v.school_id, []).append(v)
        entries = []
        for s in schools:
            for d in range(365 * years):
                day = first_day + datetime.timedelta(days=d)
                for _n in range(GATE_ENTRIES_PER_DAY):
                    v = rng.choice(by_school[s.pk])
                    start = rng.randrange(600)
                    entries.append(
                        GateEntry(
                            school=s,
                            visitor=v,
                            name=v.name,
                            phone=v.phone,
                            id_number=ID,
                            reason="基准来访",
                            host="基准",
                            time_in=_at(day, start),
                            time_out=_at(day, start + 45),
                            logged_by=user,
                        )
                    )
            if len(entries) > 20000:
                GateEntry.objects.bulk_create(entries, batch_size=10000)
                entries = []
        GateEntry.objects.bulk_create(entries, batch_size=10000)
