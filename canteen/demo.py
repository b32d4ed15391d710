"""A month of sdcz's canteen, up to today: a 600-student boarding school, 3 meals a day.

Problems the demo leaves to be found: an expired health certificate, a missing lunch sample
(that day cannot close), a fridge at 11 °C with its corrective action, a rejected delivery, an
accompanied-meal complaint answered in two days, two closed days waiting for the committee and
one open concern; the month's 日管控 checklists with the fridge's corrective action verified, a
broken fly killer whose fix is overdue, a committee finding fixed and waiting for verification,
last month's 月调度 minutes signed; the last day's purchase report and this week's menu are
published.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from canteen import checklists, services
from canteen.models import FollowUp, MenuDish, Sample, StaffMember
from logistics import approvals
from logistics.attachments import clean_upload
from logistics.models import School
from logistics.registry import registry

DAYS = 30
MEAL_TIMES = {"breakfast": (7, 0), "lunch": (11, 30), "dinner": (17, 30)}
# Two weeks of menus; the demo copies them forward week by week.
BREAKFASTS = [
    ["馒头", "白粥", "煮鸡蛋", "榨菜", "豆浆", "花卷"],
    ["肉包", "小米粥", "茶叶蛋", "凉拌黄瓜", "牛奶", "油条"],
]
LUNCHES = [
    ["米饭", "红烧肉", "番茄炒蛋", "清炒白菜", "紫菜蛋汤", "土豆丝", "蒸南瓜"],
    ["米饭", "宫保鸡丁", "麻婆豆腐", "炒菠菜", "冬瓜排骨汤", "红烧茄子", "香蕉"],
]
DINNERS = [
    ["米饭", "青椒肉丝", "炒豆芽", "西红柿蛋汤", "蒸红薯", "凉拌海带"],
    ["面条", "卤牛肉", "炒油麦菜", "豆腐汤", "玉米", "木耳炒蛋"],
]
STAFF = [
    # name, position, username, certificate valid for (days from today; negative: expired)
    ("孙食堂", "manager", "canteen", 200),
    ("周师傅", "cook", "cook", 150),
    ("王大厨", "cook", None, 300),
    ("黄师傅", "cook", None, -5),
    ("李帮厨", "helper", None, 25),
    ("张帮厨", "helper", None, 120),
    ("陈阿姨", "helper", None, 90),
    ("刘采购", "buyer", None, 240),
]
SUPPLIERS = [
    ("石道粮油店", "91440700MA51A0001X", ["rice", "flour", "oil", "dry", "seasoning"]),
    ("石道肉联厂", "91440700MA51A0002X", ["meat", "eggs"]),
    ("绿源蔬菜配送", "91440700MA51A0003X", ["vegetables", "fruit", "soy"]),
    ("乳品经销部", "91440700MA51A0004X", ["milk"]),
]
EXPIRED_FROM = 5  # 黄师傅's certificate expired five days ago
MISSING_SAMPLE_DAY = 12  # days ago: a lunch dish without its sample
FRIDGE_DAY = 9
REJECTED_DAY = 7
COMPLAINT_DAY = 15
FLY_KILLER_DAY = 3  # its corrective action is overdue
COMMITTEE_DAY = 4  # a committee finding fixed, waiting for verification
WAITING = (1, 2)  # closed days the committee has not reviewed yet


def _photo(name: str):
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (16, 12), (200, 180, 160)).save(out, format="PNG")
    return clean_upload(SimpleUploadedFile(name, out.getvalue(), content_type="image/png"))


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@registry.demo_loader
def load_canteen_demo() -> None:
    school = School.objects.get(code="sdcz")
    if StaffMember.objects.filter(school=school).exists():
        return
    users = {u.username: u for u in get_user_model().objects.all()}
    today = timezone.localdate()
    first = today - datetime.timedelta(days=DAYS)
    canteen = users["canteen"]
    staff = {
        name: services.staff_save(
            school=school,
            actor=canteen,
            name=name,
            position=position,
            certificate_no=f"粤食健{2026}{i:04d}",
            certificate_expires=today + datetime.timedelta(days=valid),
            user=users.get(username) if username else None,
        )
        for i, (name, position, username, valid) in enumerate(STAFF, start=1)
    }
    suppliers = {
        name: services.supplier_save(
            school=school,
            actor=users["director"],
            name=name,
            credit_code=code,
            licence_no=f"JY1440700{i:07d}",
            licence_expires=today + datetime.timedelta(days=20 if i == 4 else 400),
            categories=categories,
            contact=f"0750-66{i:05d}",
            contract_no=f"SDCZ-ST-{today.year}-{i:02d}",
        )
        for i, (name, code, categories) in enumerate(SUPPLIERS, start=1)
    }
    listing = services.supplier_list_submit(
        school=school,
        actor=users["director"],
        title=f"{first.year}年度食堂定点供应商",
        valid_from=first - datetime.timedelta(days=60),
        valid_until=first + datetime.timedelta(days=300),
        suppliers=suppliers.values(),
    )
    approvals.approval_sign(
        school=school, actor=users["principal"], approval_id=listing.approval_id, step=0
    )
    _menus(school, canteen, first, today)
    for offset in range(DAYS, -1, -1):
        _day(school, users, staff, suppliers, today - datetime.timedelta(days=offset), offset)
    # Samples kept their 48 hours: the kitchen disposed of them every morning.
    old = Sample.objects.filter(school=school, date__lt=today - datetime.timedelta(days=2))
    services.sample_dispose(
        school=school,
        actor=users["cook"],
        sample_ids=list(old.values_list("pk", flat=True)),
        now=_at(today, 6, 30),
    )
    complaint = services.complaint_record(
        school=school,
        actor=users["director"],
        received_on=today - datetime.timedelta(days=COMPLAINT_DAY - 1),
        channel="phone",
        content="家长来电：孩子反映午餐红烧肉太咸",
    )
    services.complaint_reply(
        school=school,
        actor=canteen,
        complaint_id=complaint.pk,
        reply="已核实并调整用盐量，已电话回复家长",
        closed_on=complaint.received_on + datetime.timedelta(days=2),
    )
    _self_inspection(school, users, today)
    _notices(school, users, today)


def _menus(school: School, actor, first: datetime.date, today: datetime.date) -> None:
    monday = first - datetime.timedelta(days=first.weekday())
    for week in range(2):
        for weekday in range(7):
            day = monday + datetime.timedelta(days=7 * week + weekday)
            for meal, menus in (("breakfast", BREAKFASTS), ("lunch", LUNCHES), ("dinner", DINNERS)):
                names = menus[(week + weekday) % 2]
                rotated = names[weekday % 3 :] + names[: weekday % 3]
                services.menu_set(
                    school=school,
                    actor=actor,
                    date=day,
                    meal=meal,
                    dishes=[(n, 150 if meal == "lunch" else None) for n in rotated],
                )
    start = monday + datetime.timedelta(days=14)
    while start <= today + datetime.timedelta(days=7):
        services.menu_copy_last_week(school=school, actor=actor, week_start=start)
        start += datetime.timedelta(days=7)


def _day(school, users, staff, suppliers, day: datetime.date, offset: int) -> None:
    canteen, cook = users["canteen"], users["cook"]
    manager = staff["孙食堂"]
    working = [s for s in staff.values() if s.certificate_expires >= day]
    for person in working:
        services.morning_check_record(
            school=school,
            actor=canteen,
            staff=person,
            date=day,
            temperature=Decimal("36.4") + Decimal(person.pk % 5) / 10,
        )
    for person in staff.values():
        if person not in working:
            services.gap_mark(
                school=school,
                actor=canteen,
                date=day,
                key=f"morning:{person.pk}",
                reason="健康证明过期，暂停上岗",
            )
    _receiving(school, canteen, staff, suppliers, day, offset)
    dishes = {m: list(d) for m, d in _dishes(school, day).items()}
    is_today = offset == 0
    for meal, (hour, minute) in MEAL_TIMES.items():
        if is_today and meal != "breakfast":
            break  # today: only breakfast is done yet
        meal_dishes = dishes[meal]
        if offset == MISSING_SAMPLE_DAY and meal == "lunch":
            meal_dishes = meal_dishes[:-1]  # the last lunch dish was never sampled
        sampler = staff["周师傅"] if day.day % 2 else staff["王大厨"]
        services.samples_record(
            school=school,
            actor=cook,
            date=day,
            meal=meal,
            sampler=sampler,
            reviewer=manager,
            fridge="留样冰箱1号",
            taken_at=_at(day, hour, minute),
            entries=[services.SampleInput(d, Decimal(125 + (d.pk % 4) * 5)) for d in meal_dishes],
        )
        services.disinfection_record(
            school=school,
            actor=cook,
            date=day,
            meal=meal,
            method="infrared" if meal != "lunch" else "dishwasher",
            celsius=Decimal("125") if meal != "lunch" else Decimal("88"),
            seconds=900 if meal != "lunch" else 60,
            items="餐盘、汤碗、筷子",
            operator=staff["陈阿姨"],
            checker=manager,
        )
        companion = {"breakfast": "director", "lunch": "principal", "dinner": "canteen"}[meal]
        problems = (
            "红烧肉偏咸，学生反映吃不完" if offset == COMPLAINT_DAY and meal == "lunch" else ""
        )
        services.accompanied_record(
            school=school,
            actor=users[companion],
            date=day,
            meal=meal,
            companion_title={"director": "总务主任", "principal": "校长", "canteen": "食堂管理员"}[
                companion
            ],
            ratings={d.pk: 4 + (d.pk + offset) % 2 for d in dishes[meal]},
            problems=problems,
        )
        if problems:
            item = FollowUp.objects.get(school=school, date=day, source="accompanied")
            services.concern_reply(
                school=school,
                actor=canteen,
                followup_id=item.pk,
                reply="已调整用盐量，红烧肉改为每周一次",
            )
            FollowUp.objects.filter(pk=item.pk).update(
                replied_at=_at(day + datetime.timedelta(days=2), 10)
            )
    for hour, fridge in ((8, "4.0"), (15, "11.0" if offset == FRIDGE_DAY else "5.0")):
        if is_today and hour > 12:
            continue
        services.temperature_record(
            school=school,
            actor=cook,
            equipment="fridge",
            label="1号冷藏柜",
            celsius=Decimal(fridge),
            taken_at=_at(day, hour),
            corrective_action="门封条老化，已转移食材至2号柜并报修" if fridge == "11.0" else "",
        )
    if is_today or offset == MISSING_SAMPLE_DAY:
        return
    services.day_close(school=school, actor=canteen, date=day)
    if offset in WAITING:
        if offset == WAITING[-1]:
            services.concern_raise(
                school=school,
                actor=users["committee"],
                date=day,
                text="晚餐蔬菜品种偏少，请说明下周调整安排",
                deadline=day + datetime.timedelta(days=3),
            )
        return
    services.day_review(school=school, actor=users["committee"], date=day, comment="记录齐全")


def _dishes(school, day):
    found: dict[str, list] = {m: [] for m in MEAL_TIMES}
    for dish in MenuDish.objects.filter(school=school, date=day).order_by("position"):
        found[dish.meal].append(dish)
    return found


def _receiving(school, actor, staff, suppliers, day, offset) -> None:
    line = services.LineInput
    veg = [
        line(
            name="白菜",
            category="vegetables",
            quantity=Decimal("60"),
            unit="kg",
            weighed=Decimal("59.6"),
            unit_price=Decimal("2.40"),
        ),
        line(
            name="番茄",
            category="vegetables",
            quantity=Decimal("30"),
            unit="kg",
            weighed=Decimal("30.2"),
            unit_price=Decimal("4.80"),
        ),
        line(
            name="豆腐",
            category="soy",
            quantity=Decimal("25"),
            unit="kg",
            unit_price=Decimal("3.60"),
            shelf_life_days=2,
            production_date=day,
        ),
    ]
    if offset == REJECTED_DAY:
        veg.append(
            line(
                name="菠菜",
                category="vegetables",
                quantity=Decimal("20"),
                unit="kg",
                unit_price=Decimal("5.00"),
                accepted=False,
                disposal="叶片发黄腐烂，当场退回供应商",
            )
        )
    services.receiving_create(
        school=school,
        actor=actor,
        date=day,
        supplier=suppliers["绿源蔬菜配送"],
        inspector=staff["刘采购"],
        lines=veg,
    )
    if offset % 3 == 0:
        services.receiving_create(
            school=school,
            actor=actor,
            date=day,
            supplier=suppliers["石道肉联厂"],
            inspector=staff["刘采购"],
            second_inspector=staff["孙食堂"],
            quarantine_photo=_photo("检疫合格证.png"),
            lines=[
                line(
                    name="猪肉",
                    category="meat",
                    quantity=Decimal("40"),
                    unit="kg",
                    weighed=Decimal("39.8"),
                    unit_price=Decimal("26.00"),
                    temperature=Decimal("3.5"),
                ),
                line(
                    name="鸡蛋",
                    category="eggs",
                    quantity=Decimal("30"),
                    unit="kg",
                    unit_price=Decimal("11.00"),
                    shelf_life_days=30,
                    production_date=day,
                ),
            ],
        )
    if day.weekday() == 0:
        services.receiving_create(
            school=school,
            actor=actor,
            date=day,
            supplier=suppliers["石道粮油店"],
            inspector=staff["刘采购"],
            second_inspector=staff["孙食堂"],
            lines=[
                line(
                    name="大米",
                    category="rice",
                    spec="25kg/袋",
                    quantity=Decimal("500"),
                    unit="kg",
                    weighed=Decimal("500"),
                    unit_price=Decimal("5.10"),
                    shelf_life_days=365,
                    production_date=day - datetime.timedelta(days=20),
                    batch="20261001",
                ),
                line(
                    name="花生油",
                    category="oil",
                    spec="5L/桶",
                    quantity=Decimal("10"),
                    unit="桶",
                    unit_price=Decimal("78.00"),
                    shelf_life_days=540,
                ),
            ],
        )


def _checklist(failed: dict[str, str]) -> list[services.ItemInput]:
    return [
        services.ItemInput(label, code not in failed, code=code, note=failed.get(code, ""))
        for code, label in checklists.DAILY
    ]


def _self_inspection(school, users, today) -> None:
    """日管控 every day (the 11 °C fridge fixed and verified; a broken fly killer overdue),
    周排查 every Monday, a committee finding waiting for verification, last month's minutes
    signed by the principal."""
    officer, director = users["canteen"], users["director"]
    for offset in range(DAYS, 0, -1):
        day = today - datetime.timedelta(days=offset)
        failed = {}
        if offset == FRIDGE_DAY:
            failed = {"cold_chain": "1号冰箱 11 °C"}
        elif offset == FLY_KILLER_DAY:
            failed = {"pests": "操作间灭蝇灯不亮"}
        inspection = services.inspection_record(
            school=school,
            actor=officer,
            kind="daily",
            date=day,
            items=_checklist(failed),
            owner=director if failed else None,
            deadline=day + datetime.timedelta(days=1) if failed else None,
        )
        if offset == FRIDGE_DAY:
            action = inspection.items.get(code="cold_chain").action
            services.action_fix(
                school=school,
                actor=director,
                action_id=action.pk,
                note="已调低温控并请厂家检修压缩机",
                evidence=_photo("冰箱温度.png"),
            )
            services.action_verify(
                school=school, actor=officer, action_id=action.pk, accepted=True, note="复测 4 °C"
            )
        if day.weekday() == 0:
            services.inspection_record(
                school=school,
                actor=officer,
                kind="weekly",
                date=day,
                items=[
                    services.ItemInput(label, True, code=code) for code, label in checklists.WEEKLY
                ],
            )
    committee = services.inspection_record(
        school=school,
        actor=users["committee"],
        kind="committee",
        date=today - datetime.timedelta(days=COMMITTEE_DAY),
        items=[services.ItemInput("留样柜未上锁", False)],
        owner=director,
        deadline=today - datetime.timedelta(days=COMMITTEE_DAY - 2),
        summary="午餐时段检查操作间和留样",
    )
    services.action_fix(
        school=school,
        actor=director,
        action_id=committee.items.get().action.pk,
        note="已加装挂锁，钥匙由食品安全员保管",
        evidence=_photo("留样柜.png"),
    )
    last_month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    minutes = services.minutes_submit(
        school=school,
        actor=director,
        month=last_month,
        held_on=today.replace(day=1),
        chair="王校长",
        attendees="王校长、李主任、孙食堂、郑校医、吴家长",
        summary="本月日管控、周排查均按时完成；发现冰箱超温一次，已整改验证。",
        problems="留样柜管理需加强；剩菜量偏多。",
        plan="下月开展食品安全培训一次，调整菜谱减少剩菜。",
    )
    approvals.approval_sign(
        school=school, actor=users["principal"], approval_id=minutes.approval_id, step=0
    )


def _notices(school, users, today) -> None:
    from logistics.notices import services as notice_services

    yesterday = today - datetime.timedelta(days=1)
    monday = today - datetime.timedelta(days=today.weekday())
    for kind, start, end in (
        ("canteen.purchases", yesterday, yesterday),
        ("canteen.menu", monday, monday + datetime.timedelta(days=6)),
    ):
        notice = notice_services.notice_create(
            school=school, actor=users["canteen"], kind_code=kind, start=start, end=end
        )
        notice = notice_services.notice_submit(
            school=school, actor=users["canteen"], notice_id=notice.pk
        )
        approvals.approval_sign(
            school=school, actor=users["director"], approval_id=notice.approval_id, step=0
        )
