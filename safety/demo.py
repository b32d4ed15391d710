"""Demo records of sdcz: this term's start-of-term inspection with its two hazards, the CCTV
and dormitory smoke alarms with their checks, and a week of the gate register."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from logistics.attachments import CleanUpload
from logistics.models import School
from logistics.registry import registry
from safety import services
from safety.models import (
    Area,
    Checklist,
    EquipmentCheck,
    EquipmentKind,
    GateEntry,
    Hazard,
    Inspection,
    ItemKind,
    Result,
)

# A 1×1 grey PNG, standing in for the photos taken on site.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c49444154789c636868680000030401813c3bd20a0000000049454e44ae426082"
)
# name, phone, ID number (valid check characters), unit, reason, host
VISITORS = [
    ("张建国", "13800138001", "440781198003150018", "石道镇供销社", "送货（食堂米面）", "孙食堂"),
    ("刘芳", "13900139002", "440781198507220024", "学生家长", "接孩子看病", "褚老师"),
    ("黄志强", "13700137003", "440781197911080030", "县教育局", "检查工作", "王校长"),
    ("陈明", "13600136004", "440781199001010016", "石道镇派出所", "校园安全检查", "冯安全"),
]


def _photo(name: str) -> CleanUpload:
    return CleanUpload(name=name, content_type="image/png", data=PNG)


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _term_start(today: datetime.date) -> datetime.date:
    """The start of the current term: 1 September or 1 March."""
    year = today.year if today.month >= 3 else today.year - 1
    if today.month >= 9 or today.month < 3:
        return datetime.date(year, 9, 1)
    return datetime.date(today.year, 3, 1)


@registry.demo_loader
@transaction.atomic
def load_safety_demo() -> None:
    school = School.objects.get(code="sdcz")
    if Inspection.objects.filter(school=school).exists():
        return  # loaded before
    users = {u.username: u for u in get_user_model().objects.all()}
    safety, director = users["safety"], users["director"]
    services.checklists_install_defaults(school=school, actor=safety)
    today = timezone.localdate()
    term = _term_start(today)
    inspection_day = term - datetime.timedelta(days=7)
    _start_of_term(school, users, inspection_day)
    _equipment(school, users, today)
    _gate(school, users, today)
    _winter_roster(school, users, today)
    _plans_and_drills(school, users, today)
    # Next month's fire-equipment round, planned.
    fire = Checklist.objects.get(school=school, area=Area.FIRE)
    services.plan_create(
        school=school,
        actor=director,
        checklist=fire,
        kind="monthly",
        due_on=today + datetime.timedelta(days=5),
    )


def _start_of_term(school, users, day: datetime.date) -> None:
    """A week before term: buildings, teaching equipment, fire equipment and the canteen."""
    safety, director = users["safety"], users["director"]
    failures = {
        Area.BUILDINGS: ("楼梯、走廊栏杆牢固", "二楼东侧走廊栏杆松动", director, 3),
        Area.FIRE: ("灭火器在有效期内", "实验楼3具灭火器过期未更换", director, 10),
    }
    for area in (Area.BUILDINGS, Area.TEACHING, Area.FIRE, Area.CANTEEN):
        checklist = Checklist.objects.get(school=school, area=area)
        plan = services.plan_create(
            school=school, actor=director, checklist=checklist, kind="term_start", due_on=day
        )[0]
        inspection = services.inspection_start(
            school=school, actor=safety, checklist=checklist, plan=plan
        )
        # The services stamp today; the demo dates the inspection to the week before term.
        Inspection.objects.filter(pk=inspection.pk).update(
            started_at=_at(day, 8), title=f"{day:%Y-%m-%d} {checklist}"
        )
        for item in inspection.items.all():
            failed = area in failures and item.text.startswith(failures[area][0])
            kwargs: dict = {"result": Result.FAIL if failed else Result.PASS}
            if item.kind == ItemKind.NUMBER:
                kwargs["number"] = item.min_value if item.min_value is not None else item.max_value
            if item.kind == ItemKind.TEXT:
                kwargs["answer"] = "正常"
            if item.kind == ItemKind.PHOTO:
                kwargs["photo"] = _photo("现场.png")
            if failed:
                _text, note, owner, days = failures[area]
                kwargs.update(
                    note=note,
                    owner=owner,
                    deadline=day + datetime.timedelta(days=days),
                    photo=_photo("隐患.png"),
                    severity="major" if area == Area.FIRE else "general",
                )
                if item.kind == ItemKind.NUMBER:
                    kwargs["number"] = item.min_value - 1
            services.inspection_item_answer(school=school, actor=safety, item=item, **kwargs)
        services.inspection_finish(
            school=school, actor=safety, inspection=inspection, signed_name="冯安全"
        )
        Inspection.objects.filter(pk=inspection.pk).update(finished_at=_at(day, 11))
    Hazard.objects.filter(school=school).update(reported_at=_at(day, 11))
    railing = Hazard.objects.get(school=school, area=Area.BUILDINGS)
    # Fixed by the director with a photo, verified and closed by the safety officer.
    services.hazard_rectify(
        school=school,
        actor=director,
        hazard=railing,
        rectification="更换松动栏杆立柱并焊接加固",
        evidence=[_photo("整改后.png")],
    )
    services.hazard_verify(school=school, actor=safety, hazard=railing, accept=True)
    Hazard.objects.filter(pk=railing.pk).update(
        fixed_at=_at(day + datetime.timedelta(days=2), 16),
        closed_at=_at(day + datetime.timedelta(days=3), 9),
    )
    # The extinguishers are still not replaced: overdue, on the principal's dashboard.


def _equipment(school, users, today: datetime.date) -> None:
    safety = users["safety"]
    rows = [
        (EquipmentKind.CAMERA, f"SXT-{n:02d}", place, "海康威视 DS-2CD3T46", None, None)
        for n, place in enumerate(
            ["校门口", "教学楼一楼大厅", "食堂操作间", "操场", "男生宿舍走廊", "女生宿舍走廊"], 1
        )
    ]
    rows += [
        (EquipmentKind.SMOKE_ALARM, f"YG-{n:02d}", f"{b}宿舍{r}室", "JTY-GD-G3", None, None)
        for n, (b, r) in enumerate([(b, r) for b in ("男生", "女生") for r in (101, 102, 201)], 1)
    ]
    rows += [
        (
            EquipmentKind.EXTINGUISHER,
            f"MHQ-{n:02d}",
            place,
            "MFZ/ABC4 干粉",
            today + datetime.timedelta(days=days),
            today + datetime.timedelta(days=days + 365),
        )
        for n, (place, days) in enumerate(
            [("实验楼一楼", -20), ("食堂操作间", 12), ("教学楼二楼", 150)], 1
        )
    ]
    created = [
        services.equipment_save(
            school=school,
            actor=safety,
            kind=kind,
            code=code,
            location=place,
            model=model,
            next_check_on=next_check,
            expires_on=expires,
        )
        for kind, code, place, model, next_check, expires in rows
    ]
    month = today.replace(day=1)
    for back in (3, 2, 1):
        past = (month - datetime.timedelta(days=28 * back)).replace(day=1)
        services.equipment_checks_record(
            school=school,
            actor=safety,
            month=past,
            checks=[
                # Last month one dormitory alarm's battery was flat (and replaced).
                services.CheckInput(e.pk, True)
                if e.code != "YG-05" or back != 1
                else services.CheckInput(e.pk, False, "电池电量低，已更换电池")
                for e in created
            ],
        )
    EquipmentCheck.objects.filter(school=school).update(checked_at=_at(today, 9))


def _gate(school, users, today: datetime.date) -> None:
    guard = users["guard"]
    for back in range(7, 0, -1):
        day = today - datetime.timedelta(days=back)
        for n, (name, phone, id_number, unit, reason, host) in enumerate(VISITORS):
            if (back + n) % 3 == 0:
                continue
            entry = services.gate_log_in(
                school=school,
                actor=guard,
                phone=phone,
                name=name,
                id_number=id_number,
                unit=unit,
                reason=reason,
                host=host,
            )
            services.gate_log_out(school=school, actor=guard, entry=entry)
            GateEntry.objects.filter(pk=entry.pk).update(
                time_in=_at(day, 8 + 2 * n, 10 * n), time_out=_at(day, 9 + 2 * n, 5 + 10 * n)
            )
    # Today: one visitor still inside.
    name, phone, id_number, unit, reason, host = VISITORS[0]
    services.gate_log_in(
        school=school, actor=guard, phone=phone, name=name, reason=reason, host=host
    )


PHONES = {
    "principal": "13902001001",
    "director": "13902001002",
    "safety": "13902001003",
    "teacher": "13902001004",
    "doctor": "13902001005",
    "storekeeper": "13902001006",
    "guard": "13902001007",
}


def _winter_roster(school, users, today: datetime.date) -> None:
    """The coming winter holiday: a school leader and a staff member each day, the guard with
    a leader at night."""
    year = today.year + 1 if today.month >= 3 else today.year
    start = datetime.date(year, 1, 20)
    roster = services.roster_create(
        school=school,
        actor=users["safety"],
        title=f"{year}年寒假值班护校安排",
        starts_on=start,
        ends_on=start + datetime.timedelta(days=27),
    )
    leaders = ["principal", "director"]
    staff = ["safety", "teacher", "doctor", "storekeeper"]
    for n in range(28):
        day = start + datetime.timedelta(days=n)
        leader = leaders[n % 2]
        for kind, who in (("day", staff[n % 4]), ("night", "guard")):
            services.shift_set(
                school=school,
                actor=users["safety"],
                roster=roster,
                date=day,
                kind=kind,
                leader=users[leader],
                leader_phone=PHONES[leader],
                staff=users[who],
                staff_phone=PHONES[who],
            )


PLANS = [
    ("evacuation", "石道初级中学教学楼紧急疏散预案"),
    ("fire", "石道初级中学消防安全应急预案"),
    ("activity", "石道初级中学学生大型活动安全预案"),
    ("food", "石道初级中学食品安全事故应急预案"),
]


def _plans_and_drills(school, users, today: datetime.date) -> None:
    """The four plans of the seed, this year's drill plan, and the fire-evacuation drill held
    in the second week of term with its evacuation time."""
    safety = users["safety"]
    term = _term_start(today)
    plans = {
        kind: services.emergency_plan_add_version(
            school=school,
            actor=safety,
            kind=kind,
            title=title,
            effective_on=term - datetime.timedelta(days=20),
            review_on=term + datetime.timedelta(days=345),
        )
        for kind, title in PLANS
    }
    for month, kind in ((term.month, "evacuation"), (term.month + 2, "fire"), (12, "food")):
        services.drill_schedule_set(
            school=school, actor=safety, year=term.year, month=min(month, 12), kind=kind
        )
    drill = services.drill_record(
        school=school,
        actor=safety,
        plan=plans["evacuation"],
        held_on=term + datetime.timedelta(days=9),
        participants=912,
        evacuation_seconds=186,
        findings="三楼东侧楼梯口疏散时短暂拥堵；一楼应急照明灯一盏不亮。",
    )
    services.drill_follow_up(
        school=school,
        actor=safety,
        drill=drill,
        area="fire",
        location="教学楼一楼东侧",
        description="演练中发现应急照明灯不亮",
        owner=users["director"],
        deadline=today + datetime.timedelta(days=10),
    )
