"""What a list page's rows show, now that they are plain rows drawn by Jinja2: the Chinese
labels, people's names, the links, the badges and the struck-through voided records."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from logistics.services import record_void
from safety import services
from safety.models import Area, EquipmentKind, GateEntry, Hazard, PlanKind, Severity
from tests.safety.conftest import finished_inspection, soon
from tests.safety.test_drills import drill, plan
from tests.safety.test_duty import DAY, roster_with_shift

pytestmark = pytest.mark.django_db


def _hazard(world, location: str, **fields) -> Hazard:
    with scopes_disabled():
        return services.hazard_report(
            school=world.school,
            actor=world.user("safety"),
            area=Area.FIRE,
            location=location,
            description="灭火器过期",
            owner=world.user("director"),
            deadline=soon(),
            **fields,
        )


def test_hazard_rows_show_labels_owner_deadline_and_link_and_overdue_ones_say_so(world, login):
    late = _hazard(world, "实验楼", severity=Severity.MAJOR)
    with scopes_disabled():
        Hazard.objects.filter(pk=late.pk).update(
            deadline=timezone.localdate() - datetime.timedelta(days=1)
        )
    fresh = _hazard(world, "食堂后门")
    voided = _hazard(world, "操场")
    with scopes_disabled():
        record_void(school=world.school, actor=world.user("safety"), record=voided, reason="重复")
    page = login("principal").get(reverse("safety:hazard_list", args=[world.school.code]))
    page = page.content.decode()
    code = world.school.code
    assert f'href="/s/{code}/safety/hazards/{late.pk}/"' in page
    assert f'href="/s/{code}/safety/hazards/{fresh.pk}/"' in page
    late_row = page[page.index(f"/hazards/{late.pk}/") :].split("</a>")[0]
    assert '<span class="badge text-bg-danger">重大</span>' in late_row
    assert '<span class="badge text-bg-danger">已逾期</span>' in late_row
    fresh_row = page[page.index(f"/hazards/{fresh.pk}/") :].split("</a>")[0]
    assert "重大" not in fresh_row
    assert '<span class="badge text-bg-warning">待整改</span>' in fresh_row
    deadline = soon().strftime("%Y年%-m月%-d日")
    assert f"消防设施 · 李总务 · 整改期限 {deadline}" in fresh_row
    assert re.search(rf'list-group-item-action voided" href="[^"]*/hazards/{voided.pk}/"', page)
    assert "没有隐患" not in page


def test_a_teacher_sees_only_their_own_hazards_and_an_empty_list_says_so(world, login):
    _hazard(world, "实验楼")
    page = login("teacher").get(reverse("safety:hazard_list", args=[world.school.code]))
    assert "没有隐患。" in page.content.decode() and "实验楼" not in page.content.decode()


def test_inspection_rows_and_plans_show_labels_names_failures_and_start_buttons(
    world, login, checklists
):
    done = finished_inspection(world, checklists)  # the first item failed
    today = timezone.localdate()
    with scopes_disabled():
        late, started = (
            services.plan_create(
                school=world.school,
                actor=world.user("safety"),
                checklist=checklists[area],
                kind=kind,
                due_on=due,
            )[0]
            for area, kind, due in [
                (Area.WATER, PlanKind.TERM_START, today - datetime.timedelta(days=2)),
                (Area.CANTEEN, PlanKind.AD_HOC, today + datetime.timedelta(days=3)),
            ]
        )
        services.inspection_start(
            school=world.school,
            actor=world.user("safety"),
            checklist=checklists[Area.CANTEEN],
            plan=started,
        )
    url = reverse("safety:inspection_list", args=[world.school.code])
    page = login("safety").get(url).content.decode()
    row = page[page.index(f"/inspections/{done.pk}/") :].split("</a>")[0]
    assert '<span class="badge text-bg-success">已完成</span>' in row
    assert "消防设施 · " in row and " · 冯安全" in row
    assert '<span class="text-danger">1 项不合格</span>' in row
    assert "进行中" in page  # the started plan's inspection
    plans = page[page.index("list-group-flush") : page.index("</ul></section>")]
    first, second = plans.split("</li>")[:2]
    assert "开学前检查" in first and "text-danger fw-bold" in first and "已逾期" in first
    assert f'name="plan" value="{late.pk}"' in first and ">开始</button>" in first
    assert "不定期检查" in second and "已逾期" not in second and ">继续</button>" in second
    assert 'name="csrfmiddlewaretoken" value="' in first
    # Who may not inspect sees the plans without the buttons.
    page = login("principal").get(url).content.decode()
    assert "开学前检查" in page and 'name="plan"' not in page


def test_equipment_rows_show_this_months_check_and_the_dates_due(world, login):
    today = timezone.localdate()
    with scopes_disabled():
        ok, faulty, unchecked = (
            services.equipment_save(
                school=world.school,
                actor=world.user("safety"),
                kind=kind,
                code=code,
                location="男生宿舍",
                next_check_on=due,
            )
            for kind, code, due in [
                (EquipmentKind.EXTINGUISHER, "MHQ-1", today - datetime.timedelta(days=1)),
                (EquipmentKind.SMOKE_ALARM, "YG-1", today + datetime.timedelta(days=10)),
                (EquipmentKind.CAMERA, "SXT-1", today + datetime.timedelta(days=100)),
            ]
        )
        services.equipment_checks_record(
            school=world.school,
            actor=world.user("safety"),
            month=today,
            checks=[
                services.CheckInput(ok.pk, True),
                services.CheckInput(faulty.pk, False, "电池没电"),
            ],
        )
    url = reverse("safety:equipment_list", args=[world.school.code])
    page = login("safety").get(url).content.decode()
    rows = {
        e.code: page[page.index(f"/equipment/{e.pk}/") :].split("</small>")[0]
        for e in (ok, faulty, unchecked)
    }
    assert "灭火器 MHQ-1</a>" in rows["MHQ-1"] and 'text-bg-success">已检查' in rows["MHQ-1"]
    assert 'class="text-danger fw-bold">下次检测' in rows["MHQ-1"]
    assert "烟感报警器 YG-1</a>" in rows["YG-1"] and 'text-bg-danger">故障' in rows["YG-1"]
    assert 'class="text-warning">下次检测' in rows["YG-1"]
    assert 'text-bg-light">未检查' in rows["SXT-1"] and 'class="">下次检测' in rows["SXT-1"]
    # Without safety.manage the items are not links to their edit page.
    page = login("principal").get(url).content.decode()
    assert "/equipment/" + str(ok.pk) + "/" not in page and "灭火器 MHQ-1" in page


def test_the_drill_page_shows_the_plan_months_and_each_drill_with_its_figures(world, login):
    today = timezone.localdate()
    evacuation = plan(world)
    held = drill(world, evacuation)
    fire = plan(world, kind="fire", version_title="消防演练预案")
    struck = drill(world, fire, participants=40, evacuation_seconds=None)
    with scopes_disabled():
        record_void(school=world.school, actor=world.user("safety"), record=struck, reason="误录")
        for month, kind, note in [(today.month, "evacuation", ""), (12, "fire", "冬季防火")]:
            services.drill_schedule_set(
                school=world.school,
                actor=world.user("safety"),
                year=today.year,
                month=month,
                kind=kind,
                note=note,
            )
    page = login("principal").get(reverse("safety:drill_list", args=[world.school.code]))
    page = page.content.decode()
    assert f"{today.month}月 · 教学楼紧急疏散</span>" in page
    assert '<span class="badge text-bg-success">已演练</span>' in page
    assert '12月 · 消防 <small class="text-muted">冬季防火</small>' in page
    assert '<span class="badge text-bg-light">待演练</span>' in page
    row = page[page.index(f"/drills/{held.pk}/") :].split("</a>")[0]
    assert "参加 860 人 · 疏散用时 185 秒" in row and "教学楼紧急疏散预案" in row
    other = page[page.index(f"/drills/{struck.pk}/") - 80 :].split("</a>")[0]
    assert "voided" in other and "参加 40 人" in other and "疏散用时" not in other


def test_the_lists_compiled_once_still_answer_for_each_school_user_and_filter(world, login):
    """The list queries are compiled once per process (selectors.PreparedList): the school,
    the user and the filters must be bound on each request, never frozen at the first."""
    with scopes_disabled():
        mine = services.hazard_report(
            school=world.school,
            actor=world.user("teacher"),
            area=Area.CANTEEN,
            location="食堂后门",
            description="地面湿滑",
            owner=world.user("director"),
            deadline=soon(),
        )
    _hazard(world, "实验楼")
    url = reverse("safety:hazard_list", args=[world.school.code])
    for who in ("teacher", "guard"):  # the same filters, another user
        page = login(who).get(url).content.decode()
        assert ("食堂后门" in page) is (who == "teacher") and "实验楼" not in page
    page = login("principal").get(url + "?area=canteen").content.decode()
    assert "食堂后门" in page and "实验楼" not in page
    page = login("principal").get(url + "?area=fire").content.decode()
    assert "食堂后门" not in page and "实验楼" in page
    other = login("principal_xx").get(reverse("safety:hazard_list", args=[world.other.code]))
    assert "没有隐患。" in other.content.decode() and "实验楼" not in other.content.decode()
    assert f"/hazards/{mine.pk}/" not in other.content.decode()


def test_the_monthly_check_shows_who_checked_each_item_with_a_void_button(world, login):
    today = timezone.localdate()
    with scopes_disabled():
        checked, open_item = (
            services.equipment_save(
                school=world.school,
                actor=world.user("safety"),
                kind=EquipmentKind.SMOKE_ALARM,
                code=code,
                location="男生宿舍",
            )
            for code in ("YG-1", "YG-2")
        )
        services.equipment_checks_record(
            school=world.school,
            actor=world.user("safety"),
            month=today,
            checks=[services.CheckInput(checked.pk, False, "电池没电")],
        )
    page = login("safety").get(reverse("safety:equipment_check", args=[world.school.code]))
    page = page.content.decode()
    item = page[page.index("烟感报警器 YG-1") :].split("</li>")[0]
    assert '<span class="badge text-bg-danger">故障 · 冯安全</span> <small>电池没电</small>' in item
    assert 'action="/s/sdcz/void/safety.equipmentcheck/' in item and "作废" in item
    assert f'name="state-{checked.pk}"' not in page
    other = page[page.index("烟感报警器 YG-2") :].split("</li>")[0]
    assert f'<input type="hidden" name="item" value="{open_item.pk}">' in other
    assert f'name="state-{open_item.pk}" value="fault"> 故障</label>' in other
    assert 'placeholder="存在的问题"' in other


def test_the_gate_page_lists_who_is_inside_with_a_log_out_button_and_strikes_voided_visits(
    world, login
):
    def visitor(phone: str, name: str, **fields) -> GateEntry:
        with scopes_disabled():
            entry = services.gate_log_in(
                school=world.school,
                actor=world.user("guard"),
                phone=phone,
                name=name,
                reason="送货",
                host="李总务",
                id_number="440781198003150018",
            )
            if fields:
                GateEntry.objects.filter(pk=entry.pk).update(**fields)
            return entry

    yesterday = timezone.now() - datetime.timedelta(days=1)
    stayed = visitor("13800000001", "张建国", time_in=yesterday)
    left = visitor("13800000002", "王五")
    wrong = visitor("13800000003", "赵六")
    with scopes_disabled():
        services.gate_log_out(school=world.school, actor=world.user("guard"), entry=left)
        record_void(school=world.school, actor=world.user("safety"), record=wrong, reason="重复")
    page = login("safety").get(reverse("safety:gate", args=[world.school.code])).content.decode()
    inside = page[page.index("张建国") :].split("</li>")[0]
    assert '<span class="text-danger">前几天进校</span>' in inside
    out = reverse("safety:gate_out", args=[world.school.code, stayed.pk])
    assert f'<form method="post" action="{out}">' in inside and ">登记离校</button>" in inside
    today = page[page.index('<ul class="list-group">') :]
    gone = today[today.index("王五") - 30 :].split("</li>")[0]
    assert "–" in gone and "…" not in gone and "void-form" in gone
    struck = today[today.rindex('<li class="list-group-item small voided">') :]
    assert "赵六" in struck.split("</li>")[0] and "重复" in struck.split("</li>")[0]


def test_the_register_page_counts_a_year_in_local_time_and_marks_overdue_counts(world, login):
    year = timezone.localdate().year - 1
    new_year = timezone.make_aware(datetime.datetime(year, 1, 1))  # local midnight
    first, before = _hazard(world, "实验楼"), _hazard(world, "操场")
    with scopes_disabled():
        Hazard.objects.filter(pk=first.pk).update(reported_at=new_year)  # 16:00 UTC the day before
        Hazard.objects.filter(pk=before.pk).update(
            reported_at=new_year - datetime.timedelta(minutes=1)
        )
    url = reverse("safety:hazard_register", args=[world.school.code])
    page = login("principal").get(f"{url}?year={year}").content.decode()
    fire = page[page.index("<td>消防设施</td>") :].split("</tr>")[0]
    # One hazard in the year: open, not past its deadline (a week from today), none closed.
    assert fire == (
        '<td>消防设施</td><td class="text-end">1</td><td class="text-end">1</td>'
        '<td class="text-end">0</td><td class="text-end">0</td><td class="text-end">—</td>'
    )
    assert f"<td>{year}-01</td>" in page and f"<td>{year - 1}-12</td>" not in page
    with scopes_disabled():
        Hazard.objects.filter(pk=first.pk).update(
            deadline=timezone.localdate() - datetime.timedelta(days=1)
        )
    page = login("principal").get(f"{url}?year={year}").content.decode()
    assert '<td class="text-end text-danger fw-bold">1</td>' in page


def test_the_roster_page_lists_each_shift_with_its_people_and_log_in_constant_queries(world, login):
    roster, shift = roster_with_shift(world)
    url = reverse("safety:roster_detail", args=[world.school.code, roster.pk])
    client = login("teacher")
    with CaptureQueriesContext(connection) as one:
        page = client.get(url).content.decode()
    row = page[page.index(f"/duty/shifts/{shift.pk}/") :].split("</a>")[0]
    day = DAY.strftime("%Y年%-m月%-d日")
    assert f"<strong>{day} 白班</strong>" in row and "已写值班记录" not in row
    assert "值班领导：王校长 13912345678 · 值班人员：褚老师 13887654321" in row
    with scopes_disabled():
        services.duty_log_record(
            school=world.school,
            actor=world.user("teacher"),
            shift=shift,
            handover="门窗已检查",
            happenings="无",
        )
        for n in range(1, 4):
            services.shift_set(
                school=world.school,
                actor=world.user("safety"),
                roster=roster,
                date=DAY + datetime.timedelta(days=n),
                kind="night",
                leader=world.user("principal"),
                leader_phone="13912345678",
                staff=world.user("guard"),
                staff_phone="13887654321",
            )
    with CaptureQueriesContext(connection) as four:
        page = client.get(url).content.decode()
    assert len(four) == len(one)
    row = page[page.index(f"/duty/shifts/{shift.pk}/") :].split("</a>")[0]
    assert '<span class="badge text-bg-success">已写值班记录</span>' in row
    assert page.count("夜班") == 3
