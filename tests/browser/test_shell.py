from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def test_principal_on_a_phone_sees_chinese_dashboard_switches_language_and_logs_out(phone):
    errors = []
    phone.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    phone.login("principal")
    assert phone.url.endswith("/s/sdcz/")
    assert "石道初级中学" in phone.locator(".navbar-brand").inner_text()
    assert "待办" in phone.locator("h1").inner_text()

    # Switch to English in the footer; the same page comes back in English.
    phone.click("footer button[value=en]")
    phone.wait_for_load_state()
    assert phone.locator("h1").inner_text() == "To do"
    # Nothing on the layout breaks the site's content security policy (htmx's indicator
    # style would).
    assert errors == []

    # Another school's dashboard is not found, not forbidden.
    response = phone.goto(f"{phone.base_url}/s/sdxx/")
    assert response.status == 404

    # Log out through the collapsed menu on the narrow screen.
    phone.goto(f"{phone.base_url}/s/sdcz/")
    phone.click(".navbar-toggler")
    # Bootstrap sets `show` once the collapse has finished opening; a click during the
    # animation can land on a moving target on a slow machine.
    phone.wait_for_selector("#nav.show:not(.collapsing)")
    phone.click("#user-menu")
    phone.locator("[aria-labelledby=user-menu] button", has_text="Log out").click()
    phone.wait_for_url(re.compile(r"/accounts/login/"))
    response = phone.goto(f"{phone.base_url}/s/sdcz/")
    assert "/accounts/login/" in phone.url
