"""On a 390 × 844 phone: the safety officer runs the fire-equipment checklist and fails one
item with a photo, the director fixes it, the safety officer verifies and closes it; the guard
logs a visitor in and out."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django_scopes import scopes_disabled
from PIL import Image

from logistics.models import School
from safety import services

pytestmark = pytest.mark.browser


def _png(path):
    Image.new("RGB", (40, 30), "white").save(path, format="PNG")
    return str(path)


def _switch(phone, username):
    phone.context.clear_cookies()
    phone.login(username)


def _fits(phone):
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390, phone.url


def _save(phone):
    phone.get_by_role("button", name="保存，下一项").click()
    phone.wait_for_load_state()


def test_a_failed_fire_check_is_fixed_and_verified_by_another_person(phone, tmp_path):
    with scopes_disabled():
        school = School.objects.get(code="sdcz")
        safety = get_user_model().objects.get(username="safety")
        services.checklists_install_defaults(school=school, actor=safety)
    photo = _png(tmp_path / "灭火器.png")

    phone.login("safety")
    phone.goto(f"{phone.base_url}/s/sdcz/safety/")
    phone.select_option("select[name=checklist]", label="消防设施检查表")
    phone.get_by_role("button", name="立即检查").click()
    phone.wait_for_load_state()
    _fits(phone)
    phone.get_by_role("link", name="灭火器压力表指针在绿区").click()
    phone.wait_for_load_state()
    _fits(phone)
    # Item 1 fails, with a photo, the director to fix it.
    phone.check("input[name=result][value=fail]")
    phone.fill("input[name=note]", "实验楼一楼灭火器压力表指针在红区")
    phone.select_option("select[name=owner]", label="李总务")
    phone.set_input_files("input[name=photo]", photo)
    _save(phone)
    # The others pass; each is saved on its own.
    for _ in range(2):
        phone.check("input[name=result][value=pass]")
        _save(phone)
    phone.fill("input[name=number]", "0.40")
    _save(phone)
    phone.check("input[name=result][value=pass]")
    _save(phone)
    phone.check("input[name=result][value=pass]")
    phone.set_input_files("input[name=photo]", photo)
    _save(phone)
    assert "6/6" in phone.content()
    phone.get_by_role("button", name="签名并完成检查").click()
    phone.wait_for_load_state()
    assert "1 项不合格已列为隐患" in phone.locator(".alert").first.inner_text()

    _switch(phone, "director")
    phone.goto(f"{phone.base_url}/s/sdcz/")
    phone.get_by_role("link", name="1 项隐患等待您整改").click()
    phone.wait_for_load_state()
    phone.locator(".list-group-item-action").first.click()
    phone.wait_for_load_state()
    _fits(phone)
    phone.fill("textarea[name=rectification]", "已更换新灭火器")
    phone.set_input_files("input[name=evidence]", _png(tmp_path / "新灭火器.png"))
    phone.get_by_role("button", name="已整改，申请验收").click()
    phone.wait_for_load_state()
    assert "等待验收" in phone.locator(".alert").first.inner_text()
    # The fixer sees no verify buttons.
    assert phone.get_by_role("button", name="验收通过并销号").count() == 0

    _switch(phone, "safety")
    phone.goto(f"{phone.base_url}/s/sdcz/")
    phone.get_by_role("link", name="1 项隐患整改等待验收").click()
    phone.wait_for_load_state()
    phone.locator(".list-group-item-action").first.click()
    phone.wait_for_load_state()
    phone.get_by_role("button", name="验收通过并销号").click()
    phone.wait_for_load_state()
    assert "已验收销号" in phone.locator("#hazard-status").inner_text()
    _fits(phone)


def test_the_guard_logs_a_visitor_in_and_out(phone):
    phone.login("guard")
    phone.goto(f"{phone.base_url}/s/sdcz/safety/gate/")
    _fits(phone)
    form = phone.locator("form[action$='/gate/in/']")
    form.locator("input[name=phone]").fill("13800138000")
    form.locator("input[name=name]").fill("张建国")
    form.locator("input[name=id_number]").fill("440781198003150018")
    form.locator("input[name=reason]").fill("送货")
    form.locator("input[name=host]").fill("孙食堂")
    form.get_by_role("button", name="登记进校").click()
    phone.wait_for_load_state()
    assert "张建国 已登记进校" in phone.locator(".alert").first.inner_text()
    assert "440781198003150018" not in phone.content()
    assert "**************0018" in phone.content()
    phone.get_by_role("button", name="登记离校").click()
    phone.wait_for_load_state()
    assert "已登记离校" in phone.locator(".alert").first.inner_text()
    assert phone.get_by_role("button", name="登记离校").count() == 0
    _fits(phone)
