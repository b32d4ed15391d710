"""Two-factor sign-in on a phone, with the setting on: enrol, sign out, sign in with a code."""

from __future__ import annotations

import re
from base64 import b32decode

import pytest
from django_otp.oath import totp

pytestmark = pytest.mark.browser


def _code(secret: str, steps_ahead: int = 0) -> str:
    """What the phone's authenticator app shows (a later 30-second step for a second sign-in:
    each code is accepted once)."""
    return f"{totp(b32decode(secret.replace(' ', '')), t0=-30 * steps_ahead):06d}"


def test_the_principal_enrols_on_a_phone_signs_out_and_signs_in_with_a_code(phone, settings):
    settings.TWO_FACTOR_ROLES = ("principal", "central_principal", "accountant")
    phone.login("principal")
    phone.wait_for_url(re.compile(r"/accounts/two-factor/enrol/"))
    assert "设置两步验证" in phone.locator("h1").inner_text()
    qr = phone.locator("img[src^='data:image/svg+xml']")
    assert qr.is_visible() and qr.bounding_box()["width"] <= 390
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    secret = phone.locator("[data-testid=secret]").inner_text()

    phone.fill("input[name=code]", "000000")
    phone.click("main button.btn-primary")
    assert "验证码不正确" in phone.locator("main form").first.inner_text()
    phone.fill("input[name=code]", _code(secret))
    phone.click("main button.btn-primary")
    assert "两步验证已设置" in phone.locator("h1").inner_text()
    assert phone.locator("[data-testid=recovery-codes] li").count() == 10
    phone.click("text=我已抄下")
    phone.wait_for_url(re.compile(r"/s/sdcz/$"))

    # Sign out through the collapsed menu on the narrow screen.
    phone.click(".navbar-toggler")
    phone.wait_for_selector("#nav.show:not(.collapsing)")
    phone.click("#user-menu")
    phone.locator("[aria-labelledby=user-menu] button").click()
    phone.wait_for_url(re.compile(r"/accounts/login/"))

    # The password alone no longer opens a school page: the code page asks for the app's code.
    phone.login("principal")
    phone.wait_for_url(re.compile(r"/accounts/two-factor/verify/"))
    phone.goto(f"{phone.base_url}/s/sdcz/finance/")
    phone.wait_for_url(re.compile(r"/accounts/two-factor/verify/\?next="))
    phone.fill("input[name=code]", _code(secret, 1))
    phone.click("main button.btn-primary")
    phone.wait_for_url(re.compile(r"/s/sdcz/finance/$"))
    assert phone.locator("h1").count() >= 1
