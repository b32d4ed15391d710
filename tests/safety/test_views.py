"""Pages: the phone flows, what each person sees, and query counts that do not grow."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from safety import selectors, services
from safety.models import (
    Area,
    EquipmentCheck,
    EquipmentKind,
    GateEntry,
    Hazard,
    HazardStatus,
    Inspection,
    InspectionStatus,
)
from tests.safety.conftest import clean_png, finished_inspection, png_upload, soon
from tests.safety.test_drills import drill, plan
from tests.safety.test_duty import roster_with_shift

pytestmark = pytest.mark.django_db
ID = "440781198003150018"


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def test_an_inspection_is_done_item_by_item_on_its_own_posts(world, login, checklists):
    client = login("safety")
    code = world.school.code
    response = client.post(
        reverse("safety:inspection_start", args=[code]),
        {"checklist": checklists[Area.FIRE].pk},
    )
    with scopes_disabled():
        inspection = Inspection.objects.get()
        items = list(inspection.items.order_by("position"))
    assert response["Location"] == reverse("safety:inspection_detail", args=[code, inspection.pk])
    first = reverse("safety:inspection_item", args=[code, inspection.pk, items[0].pk])
    assert client.get(first).status_code == 200
    # Failing without saying who fixes it: the form comes back with the error and the note kept.
    response = client.post(first, {"result": "fail", "note": "压力表指针在红区", "owner": ""})
    assert response.status_code == 200
    assert "压力表指针在红区" in response.content.decode()
    response = client.post(
        first,
        {
            "result": "fail",
            "note": "压力表指针在红区",
            "owner": world.user("director").pk,
            "deadline": soon().isoformat(),
            "severity": "major",
            "photo": png_upload(),
        },
    )
    # Saved on its own: the next item opens, and the answer is kept even if nothing follows.
    assert response["Location"] == reverse(
        "safety:inspection_item", args=[code, inspection.pk, items[1].pk]
    )
    with scopes_disabled():
        items[0].refresh_from_db()
    assert items[0].result == "fail" and items[0].photo_id is not None


def test_signing_a_half_done_inspection_is_refused_with_a_message(world, login, checklists):
    client = login("safety")
    with scopes_disabled():
        inspection = services.inspection_start(
            school=world.school, actor=world.user("safety"), checklist=checklists[Area.FIRE]
        )
    url = reverse("safety:inspection_finish", args=[world.school.code, inspection.pk])
    response = client.post(url, {"signed_name": "冯安全"}, follow=True)
    assert "还有 6 项未检查" in response.content.decode()  # the fire checklist has 6 items
    with scopes_disabled():
        assert Inspection.objects.get().status == InspectionStatus.IN_PROGRESS


def test_the_inspection_report_downloads_as_pdf_and_excel(world, login, checklists):
    inspection = finished_inspection(world, checklists)
    url = reverse("safety:inspection_report", args=[world.school.code, inspection.pk])
    client = login("principal")
    pdf = client.get(url + "?fmt=pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    xlsx = client.get(url + "?fmt=xlsx")
    assert xlsx.content[:2] == b"PK"
    assert client.get(url).status_code == 404


def test_the_fixer_is_shown_no_verify_button_and_a_forged_post_is_refused(world, login):
    with scopes_disabled():
        hazard = services.hazard_report(
            school=world.school,
            actor=world.user("safety"),
            area=Area.FIRE,
            location="实验楼",
            description="灭火器过期",
            owner=world.user("director"),
            deadline=soon(),
        )
    code = world.school.code
    director = login("director")
    response = director.post(
        reverse("safety:hazard_rectify", args=[code, hazard.pk]),
        {"rectification": "已更换新灭火器", "evidence": png_upload("新灭火器.png")},
    )
    assert response.status_code == 302
    page = director.get(reverse("safety:hazard_detail", args=[code, hazard.pk])).content.decode()
    assert 'name="decision"' not in page
    response = director.post(
        reverse("safety:hazard_verify", args=[code, hazard.pk]), {"decision": "accept"}
    )
    with scopes_disabled():
        assert Hazard.objects.get().status == HazardStatus.FIXED
    page = login("safety").get(reverse("safety:hazard_detail", args=[code, hazard.pk]))
    assert 'name="decision"' in page.content.decode()
    login("safety").post(
        reverse("safety:hazard_verify", args=[code, hazard.pk]), {"decision": "accept"}
    )
    with scopes_disabled():
        assert Hazard.objects.get().status == HazardStatus.CLOSED


def test_someone_elses_hazard_is_not_confirmed_to_a_teacher(world, login):
    with scopes_disabled():
        hazard = services.hazard_report(
            school=world.school,
            actor=world.user("safety"),
            area=Area.FIRE,
            location="实验楼",
            description="灭火器过期",
            owner=world.user("director"),
            deadline=soon(),
        )
    url = reverse("safety:hazard_detail", args=[world.school.code, hazard.pk])
    assert login("teacher").get(url).status_code == 404
    assert login("director").get(url).status_code == 200


def test_the_guard_logs_a_visitor_in_and_out_and_sees_only_the_last_four_digits(world, login):
    guard = login("guard")
    code = world.school.code
    data = {
        "phone": "13800138000",
        "name": "张建国",
        "id_number": ID,
        "unit": "供销社",
        "reason": "送货",
        "host": "李总务",
    }
    assert guard.post(reverse("safety:gate_in", args=[code]), data).status_code == 302
    page = guard.get(reverse("safety:gate", args=[code])).content.decode()
    assert ID not in page and "**************0018" in page
    assert ID in login("safety").get(reverse("safety:gate", args=[code])).content.decode()
    # Returning visitor: found by phone, ID on file shown masked.
    page = guard.get(reverse("safety:gate", args=[code]) + "?phone=13800138000").content.decode()
    assert "张建国" in page and ID not in page
    with scopes_disabled():
        entry = GateEntry.objects.get()
    guard.post(reverse("safety:gate_out", args=[code, entry.pk]))
    with scopes_disabled():
        assert GateEntry.objects.get().time_out is not None


def test_a_bad_id_number_is_reported_beside_the_field_and_the_input_kept(world, login):
    response = login("guard").post(
        reverse("safety:gate_in", args=[world.school.code]),
        {
            "phone": "13800138000",
            "name": "张建国",
            "id_number": ID[:-1] + "3",
            "reason": "送货",
            "host": "李总务",
        },
    )
    assert response.status_code == 200
    assert "张建国" in response.content.decode()
    with scopes_disabled():
        assert not GateEntry.objects.exists()


def test_the_daily_gate_register_prints_masked_for_the_guard(world, login):
    with scopes_disabled():
        services.gate_log_in(
            school=world.school,
            actor=world.user("guard"),
            phone="13800138000",
            name="张建国",
            id_number=ID,
            reason="送货",
            host="李总务",
        )
    url = reverse("safety:gate_register", args=[world.school.code])
    assert login("guard").get(url + "?fmt=pdf").content.startswith(b"%PDF")
    page = login("guard").get(url).content.decode()
    assert ID not in page and "0018" in page


def test_the_monthly_check_is_a_ticked_list(world, login):
    with scopes_disabled():
        items = [
            services.equipment_save(
                school=world.school,
                actor=world.user("safety"),
                kind=EquipmentKind.SMOKE_ALARM,
                code=f"YG-{i}",
                location="男生宿舍",
            )
            for i in range(3)
        ]
    url = reverse("safety:equipment_check", args=[world.school.code])
    response = login("safety").post(
        url,
        {
            "item": [i.pk for i in items],
            f"state-{items[0].pk}": "ok",
            f"state-{items[1].pk}": "fault",
            f"note-{items[1].pk}": "电池没电",
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        rows = {c.equipment_id: c for c in EquipmentCheck.objects.all()}
    assert set(rows) == {items[0].pk, items[1].pk}
    assert rows[items[1].pk].note == "电池没电" and not rows[items[1].pk].ok


def test_the_dashboard_escalates_overdue_hazards_to_the_principal_and_major_ones_centrally(
    world, login
):
    with scopes_disabled():
        for severity in ("general", "major"):
            hazard = services.hazard_report(
                school=world.school,
                actor=world.user("safety"),
                area=Area.FIRE,
                location="实验楼",
                description="灭火器过期",
                owner=world.user("director"),
                deadline=soon(),
                severity=severity,
            )
            Hazard.objects.filter(pk=hazard.pk).update(
                deadline=timezone.localdate() - datetime.timedelta(days=1)
            )
    page = login("principal").get(reverse("dashboard", args=[world.school.code])).content
    assert "2" in page.decode() and "state=overdue" in page.decode()
    central = login("central").get(reverse("dashboard", args=[world.central.code])).content
    assert f"/s/{world.school.code}/safety/hazards/?state=overdue" in central.decode()
    teacher = login("teacher").get(reverse("dashboard", args=[world.school.code])).content
    assert "state=overdue" not in teacher.decode()


def _many(world, n: int) -> None:
    with scopes_disabled():
        for i in range(n):
            hazard = services.hazard_report(
                school=world.school,
                actor=world.user("safety"),
                area=Area.FIRE,
                location=f"地点{i}",
                description="隐患",
                owner=world.user("director"),
                deadline=soon(),
            )
            services.equipment_save(
                school=world.school,
                actor=world.user("safety"),
                kind=EquipmentKind.CAMERA,
                code=f"SXT-{hazard.pk}",
                location="校门",
            )
            services.gate_log_in(
                school=world.school,
                actor=world.user("guard"),
                phone=f"1380000{i:04d}",
                name=f"访客{i}",
                id_number=ID,
                reason="送货",
                host="李总务",
            )


@pytest.mark.parametrize(
    ("name", "who"),
    [
        ("hazard_list", "principal"),
        ("inspection_list", "principal"),
        ("equipment_list", "principal"),
        ("gate_register", "guard"),
        ("gate", "guard"),
        ("hazard_register", "principal"),
        ("equipment_check", "safety"),
    ],
)
def test_list_pages_run_the_same_queries_for_few_and_many_rows(world, login, checklists, name, who):
    finished_inspection(world, checklists)
    url = reverse(f"safety:{name}", args=[world.school.code])
    client = login(who)
    _many(world, 2)
    few = _count(client, url)
    _many(world, 12)
    assert _count(client, url) == few
    assert few <= 12


def test_a_gate_entry_voided_with_a_reason_is_no_longer_inside(world, login):
    with scopes_disabled():
        entry = services.gate_log_in(
            school=world.school,
            actor=world.user("guard"),
            phone="13800138000",
            name="张建国",
            id_number=ID,
            reason="送货",
            host="李总务",
        )
    url = reverse("record_void", args=[world.school.code, "safety.gateentry", entry.pk])
    assert login("guard").post(url, {"reason": "登记错误"}).status_code == 403
    login("safety").post(url, {"reason": "重复登记"})
    with scopes_disabled():
        entry.refresh_from_db()
        assert entry.void_reason == "重复登记"
        assert not selectors.still_inside(world.school, timezone.localdate()).exists()
    page = login("safety").get(reverse("safety:gate_register", args=[world.school.code]))
    assert 'class="voided"' in page.content.decode()


def test_the_director_signs_a_swap_from_the_shift_page(world, login):
    _roster, shift = roster_with_shift(world)
    url = reverse("safety:shift_swap", args=[world.school.code, shift.pk])
    response = login("teacher").post(
        url,
        {
            "replacement": world.user("guard").pk,
            "replacement_phone": "13700001111",
            "reason": "家中有事",
        },
    )
    assert response.status_code == 302
    page = login("director").get(reverse("safety:shift_detail", args=[world.school.code, shift.pk]))
    assert "approval" in page.content.decode() and 'value="sign"' in page.content.decode()


@pytest.mark.parametrize(
    ("name", "who", "make"),
    [
        ("roster_list", "teacher", "roster"),
        ("drill_list", "principal", "drill"),
        ("emergency_plan_list", "principal", "plan"),
    ],
)
def test_duty_and_drill_lists_run_the_same_queries_for_few_and_many_rows(
    world, login, name, who, make
):
    def add(n):
        for i in range(n):
            with scopes_disabled():
                if make == "roster":
                    services.roster_create(
                        school=world.school,
                        actor=world.user("safety"),
                        title=f"值班{i}",
                        starts_on=timezone.localdate(),
                        ends_on=timezone.localdate(),
                    )
                else:
                    p = plan(world, kind="fire", version_title=f"预案{i}")
                    if make == "drill":
                        drill(world, p)
                        services.drill_schedule_set(
                            school=world.school,
                            actor=world.user("safety"),
                            year=timezone.localdate().year,
                            month=1 + i % 12,
                            kind="fire",
                        )

    url = reverse(f"safety:{name}", args=[world.school.code])
    add(2)
    few = _count(login(who), url)
    add(10)
    assert _count(login(who), url) == few <= 10


def test_the_rest_are_in_order_records_every_item_without_a_choice(world, login):
    with scopes_disabled():
        items = [
            services.equipment_save(
                school=world.school,
                actor=world.user("safety"),
                kind=EquipmentKind.CAMERA,
                code=f"SXT-{i}",
                location="校门",
            )
            for i in range(3)
        ]
    login("safety").post(
        reverse("safety:equipment_check", args=[world.school.code]),
        {
            "item": [i.pk for i in items],
            f"state-{items[0].pk}": "fault",
            f"note-{items[0].pk}": "画面模糊",
            "rest_ok": "1",
        },
    )
    with scopes_disabled():
        ok = dict(EquipmentCheck.objects.values_list("equipment_id", "ok"))
    assert ok == {items[0].pk: False, items[1].pk: True, items[2].pk: True}


def test_inspection_and_hazard_pages_do_not_grow_with_items_or_photos(world, login, checklists):
    small = finished_inspection(world, checklists, area=Area.WATER)  # 4 items
    large = finished_inspection(world, checklists, area=Area.FIRE)  # 6 items, photos
    code = world.school.code
    client = login("principal")
    assert _count(client, reverse("safety:inspection_detail", args=[code, small.pk])) == _count(
        client, reverse("safety:inspection_detail", args=[code, large.pk])
    )
    with scopes_disabled():
        one, two = Hazard.objects.order_by("id")[:2]
        services.hazard_rectify(
            school=world.school,
            actor=world.user("director"),
            hazard=two,
            rectification="已整改",
            evidence=[clean_png(), clean_png()],
        )
    assert _count(client, reverse("safety:hazard_detail", args=[code, one.pk])) == _count(
        client, reverse("safety:hazard_detail", args=[code, two.pk])
    )
