"""A broken lock on a phone (390 × 844): the teacher reports it with a photo, the director
assigns it, the fix is recorded, and the teacher confirms it."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django_scopes import scopes_disabled
from PIL import Image

from assets import services
from assets.models import Category, RepairStatus, RepairTicket
from logistics.models import School

pytestmark = pytest.mark.browser


def _switch(phone, username):
    phone.context.clear_cookies()
    phone.login(username)


def _fits(phone):
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_broken_lock_is_reported_assigned_fixed_and_confirmed_on_a_phone(phone, tmp_path):
    with scopes_disabled():
        school = School.objects.get(code="sdcz")
        director = get_user_model().objects.get(username="director")
        building = services.location_create(
            school=school, actor=director, name="教学楼", parent=None
        )
        floor = services.location_create(
            school=school, actor=director, name="一楼", parent=building
        )
        services.location_create(school=school, actor=director, name="初一(1)班教室", parent=floor)
    photo = tmp_path / "lock.png"
    Image.new("RGB", (40, 30), "gray").save(photo, format="PNG")

    phone.login("teacher")
    phone.goto(f"{phone.base_url}/s/sdcz/assets/repairs/new/")
    phone.get_by_label("存放地点").select_option(label="教学楼 / 一楼 / 初一(1)班教室")
    phone.get_by_label("故障描述").fill("教室门锁坏了，锁不上")
    phone.get_by_label("照片").set_input_files(str(photo))
    _fits(phone)
    phone.get_by_role("button", name="保存").click()
    phone.wait_for_load_state()
    assert "报修已提交" in phone.locator(".alert").first.inner_text()

    _switch(phone, "director")
    phone.goto(f"{phone.base_url}/s/sdcz/")
    phone.locator("#todos a", has_text="条报修待派修").first.click()
    phone.wait_for_load_state()
    phone.get_by_text("教室门锁坏了").first.click()
    phone.wait_for_load_state()
    assert phone.get_by_role("link", name="照片").count() == 1
    phone.get_by_label("维修人").select_option(label="陈保管")
    phone.get_by_role("button", name="分配").click()
    phone.wait_for_load_state()
    assert "已派修" in phone.locator(".alert").first.inner_text()
    _fits(phone)

    _switch(phone, "storekeeper")
    phone.goto(f"{phone.base_url}/s/sdcz/")
    phone.locator("#todos a", has_text="条维修派给了您").first.click()
    phone.wait_for_load_state()
    phone.get_by_text("教室门锁坏了").first.click()
    phone.wait_for_load_state()
    phone.get_by_label("维修情况").fill("更换锁芯")
    phone.get_by_role("button", name="登记维修").click()
    phone.wait_for_load_state()
    assert "维修已登记" in phone.locator(".alert").first.inner_text()

    _switch(phone, "teacher")
    phone.goto(f"{phone.base_url}/s/sdcz/")
    phone.locator("#todos a", has_text="条维修等待您确认").first.click()
    phone.wait_for_load_state()
    phone.get_by_text("教室门锁坏了").first.click()
    phone.wait_for_load_state()
    phone.get_by_role("button", name="确认已修好").click()
    phone.wait_for_load_state()
    assert "报修已完结" in phone.locator(".alert").first.inner_text()
    _fits(phone)
    with scopes_disabled():
        ticket = RepairTicket.objects.get()
        assert ticket.status == RepairStatus.CONFIRMED and ticket.photo_id is not None


def test_the_stocktake_count_sheet_offers_the_camera_scanner_on_a_phone(phone):
    """A test browser has no camera: the scanner loads its decoder under the site's CSP and,
    when the camera cannot open, says so and leaves typing the code."""
    with scopes_disabled():
        school = School.objects.get(code="sdcz")
        director = get_user_model().objects.get(username="director")
        building = services.location_create(
            school=school, actor=director, name="教学楼", parent=None
        )
        services.categories_install_defaults(school=school, actor=director)
        services.asset_create(
            school=school,
            actor=director,
            data=services.AssetInput(
                code="ZC-1",
                name="投影仪",
                category=Category.objects.get(school=school, code="02"),
                location=building,
            ),
        )
        stocktake = services.stocktake_start(
            school=school, actor=director, title="期末盘点", location=building
        )
    blocked = []
    # Our scripts obey script-src 'self' (htmx's own indicator style is another matter).
    phone.on("console", lambda m: blocked.append(m.text) if "script-src" in m.text else None)
    phone.login("storekeeper")
    phone.goto(f"{phone.base_url}/s/sdcz/assets/stocktakes/{stocktake.pk}/")
    scan = phone.get_by_role("button", name="用摄像头扫码盘点")
    assert scan.is_visible()
    _fits(phone)
    scan.click()
    status = phone.locator("[data-scan-status]")
    status.filter(has_text="摄像头").wait_for()
    assert "无法打开摄像头" in status.inner_text() or "对准" in status.inner_text()
    # Chromium on Linux has no BarcodeDetector: the vendored decoder was loaded instead.
    assert phone.evaluate("() => typeof jsQR === 'function' || 'BarcodeDetector' in window")
    assert blocked == [], blocked
