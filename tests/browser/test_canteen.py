"""A lunch on a 390 × 844 phone: the cook samples every dish in one form, the canteen closes
the day, the committee reviews it and raises a concern, the canteen answers it, and the daily
purchase report is on the public board."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from django_scopes import scopes_disabled

from canteen import services
from canteen.models import FollowUp, Sample
from logistics import approvals
from logistics.models import School
from logistics.notices import services as notice_services

pytestmark = pytest.mark.browser


def _kitchen_ready_but_the_lunch_samples():
    """Everything of today is recorded except the lunch samples."""
    users = {u.username: u for u in get_user_model().objects.all()}
    school = School.objects.get(code="sdcz")
    today = timezone.localdate()
    canteen = users["canteen"]

    def person(name, position, user=None):
        return services.staff_save(
            school=school,
            actor=canteen,
            name=name,
            position=position,
            certificate_no=f"JK-{name}",
            certificate_expires=today + datetime.timedelta(200),
            user=user,
        )

    cook, manager, helper = (
        person("周师傅", "cook", users["cook"]),
        person("孙食堂", "manager", canteen),
        person("李帮厨", "helper"),
    )
    supplier = services.supplier_save(
        school=school,
        actor=users["director"],
        name="石道粮油店",
        credit_code="91440700MA00000001",
        licence_no="JY1",
        licence_expires=today + datetime.timedelta(300),
        categories=["rice", "vegetables"],
    )
    listing = services.supplier_list_submit(
        school=school,
        actor=users["director"],
        title="定点供应商",
        valid_from=today,
        valid_until=today + datetime.timedelta(300),
        suppliers=[supplier],
    )
    approvals.approval_sign(
        school=school, actor=users["principal"], approval_id=listing.approval_id, step=0
    )
    dishes = services.menu_set(
        school=school,
        actor=canteen,
        date=today,
        meal="lunch",
        dishes=[("米饭", 150), ("红烧肉", 80), ("清炒白菜", 100)],
    )
    for meal in ("breakfast", "dinner"):
        services.gap_mark(
            school=school, actor=canteen, date=today, key=f"meal:{meal}", reason="周末只供午餐"
        )
    for p in (cook, manager, helper):
        services.morning_check_record(
            school=school, actor=canteen, staff=p, date=today, temperature=Decimal("36.5")
        )
    for c in ("3.5", "4.0"):
        services.temperature_record(
            school=school, actor=users["cook"], equipment="fridge", celsius=Decimal(c)
        )
    services.disinfection_record(
        school=school,
        actor=users["cook"],
        date=today,
        meal="lunch",
        method="dishwasher",
        celsius=Decimal("86"),
        seconds=60,
        operator=helper,
        checker=manager,
    )
    services.accompanied_record(
        school=school,
        actor=users["principal"],
        date=today,
        meal="lunch",
        ratings={d.pk: 5 for d in dishes},
    )
    services.receiving_create(
        school=school,
        actor=canteen,
        date=today,
        supplier=supplier,
        inspector=manager,
        second_inspector=helper,
        lines=[
            services.LineInput(
                name="大米",
                category="rice",
                quantity=Decimal("100"),
                unit="kg",
                unit_price=Decimal("5.20"),
            )
        ],
    )
    return school, users, dishes


def _switch(phone, username):
    phone.context.clear_cookies()
    phone.login(username)


def _fits(phone):
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_lunch_is_sampled_closed_reviewed_and_answered_on_a_phone(phone):
    with scopes_disabled():
        school, users, dishes = _kitchen_ready_but_the_lunch_samples()
    base = f"{phone.base_url}/s/sdcz/canteen/"

    # The cook samples every dish of the lunch menu in one form.
    _switch(phone, "cook")
    phone.goto(base)
    _fits(phone)
    phone.get_by_role("link", name="午餐留样（3 道菜）").click()
    phone.wait_for_load_state()
    assert phone.locator("fieldset.dish").count() == 3
    for dish in dishes:
        phone.get_by_label("克数").nth(dishes.index(dish)).fill("130")
    _fits(phone)
    phone.click("#save-samples")
    phone.wait_for_load_state()
    assert "已登记 3 份留样" in phone.locator(".alert").first.inner_text()
    with scopes_disabled():
        assert Sample.objects.filter(school=school, voided_at__isnull=True).count() == 3

    # The food-safety officer closes the day.
    _switch(phone, "canteen")
    phone.goto(base)
    phone.click("#close-day")
    phone.wait_for_load_state()
    assert "已日结" in phone.locator("#day-status").inner_text()

    # The committee finds the day on the dashboard, reviews it and raises a concern.
    _switch(phone, "committee")
    phone.goto(f"{phone.base_url}/s/sdcz/")
    phone.locator("#todos a", has_text="等待您审核").first.click()
    phone.wait_for_load_state()
    phone.locator(".list-group-item").first.click()
    phone.wait_for_load_state()
    _fits(phone)
    assert "红烧肉" in phone.locator("main").inner_text()
    phone.locator("summary", has_text="提出意见").click()
    phone.get_by_role("textbox", name="意见", exact=True).fill("红烧肉份量偏少，请说明")
    phone.click("#send-concern")
    phone.wait_for_load_state()
    assert "意见已发送" in phone.locator(".alert").first.inner_text()

    # The canteen answers it from its follow-up list.
    _switch(phone, "canteen")
    phone.goto(f"{base}followups/")
    phone.locator(".followup textarea").first.fill("已按每生80克足量供应，下周抽查")
    phone.get_by_role("button", name="发送答复").first.click()
    phone.wait_for_load_state()
    with scopes_disabled():
        assert FollowUp.objects.get().replied_by.username == "canteen"

    # The member reads the reply on the day's page.
    _switch(phone, "committee")
    phone.goto(f"{base}day/{timezone.localdate().isoformat()}/")
    assert "已按每生80克足量供应" in phone.locator("#concerns").inner_text()

    # The daily purchase report, prepared by the canteen and published by the director.
    with scopes_disabled():
        today = timezone.localdate()
        notice = notice_services.notice_create(
            school=school,
            actor=users["canteen"],
            kind_code="canteen.purchases",
            start=today,
            end=today,
        )
        notice = notice_services.notice_submit(
            school=school, actor=users["canteen"], notice_id=notice.pk
        )
        approvals.approval_sign(
            school=school, actor=users["director"], approval_id=notice.approval_id, step=0
        )
    phone.context.clear_cookies()
    phone.goto(f"{phone.base_url}/public/sdcz/")
    assert "食堂采购日报表" in phone.locator("main").inner_text()


def test_a_daily_checklist_finding_is_fixed_with_a_photo_and_verified_by_another_on_a_phone(
    phone, tmp_path
):
    import io

    from PIL import Image

    from canteen.models import CorrectiveAction

    base = f"{phone.base_url}/s/sdcz/canteen/inspections/"
    photo = tmp_path / "灭蝇灯.png"
    out = io.BytesIO()
    Image.new("RGB", (32, 24), "orange").save(out, format="PNG")
    photo.write_bytes(out.getvalue())

    # The food-safety officer ticks the day's checklist; the fly killer is out.
    _switch(phone, "canteen")
    phone.goto(base)
    phone.get_by_role("link", name="日管控检查").click()
    phone.wait_for_load_state()
    _fits(phone)
    phone.get_by_label("防蝇防鼠防虫设施完好，未见有害生物").uncheck()
    phone.locator("input[name=note_pests]").fill("操作间灭蝇灯不亮")
    phone.get_by_label("整改负责人").select_option(label="李总务")
    phone.get_by_role("button", name="保存").click()
    phone.wait_for_load_state()
    assert "已生成 1 项整改" in phone.locator(".alert").first.inner_text()

    # The director, responsible for it, reports the fix with a photo.
    _switch(phone, "director")
    phone.goto(base)
    _fits(phone)
    action = phone.locator(".corrective-action", has_text="灭蝇灯不亮")
    action.get_by_label("整改措施").fill("已更换灯管")
    action.locator("input[type=file]").set_input_files(str(photo))
    action.get_by_role("button", name="报告整改完成").click()
    phone.wait_for_load_state()
    # The one who fixed it cannot verify it: no verification form for them.
    assert phone.locator(".corrective-action", has_text="灭蝇灯不亮").locator("select").count() == 0

    # The officer verifies it.
    _switch(phone, "canteen")
    phone.goto(base)
    phone.locator(".corrective-action", has_text="灭蝇灯不亮").get_by_role(
        "button", name="保存验证结果"
    ).click()
    phone.wait_for_load_state()
    with scopes_disabled():
        action = CorrectiveAction.objects.get()
        assert (action.status, action.fixed_by.username, action.verified_by.username) == (
            "verified",
            "director",
            "canteen",
        )
