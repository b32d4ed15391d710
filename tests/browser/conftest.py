"""Browser tests: real headless Chromium (Debian's package) driven by Playwright.

Playwright's own browser downloads are not used; CHROMIUM_PATH (default /usr/bin/chromium)
points at the system browser. The live server runs in a thread against the test database.
"""

from __future__ import annotations

import os

import pytest
from django_scopes import scopes_disabled

from logistics.demo import DEMO_PASSWORD, load_schools_and_accounts

# Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run in a
# thread with a running loop unless told it is safe (it is: the loop only drives the browser).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}; `make test` installs it (apt chromium).")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def live_world(transactional_db, live_server):
    with scopes_disabled():
        load_schools_and_accounts()
    return live_server


@pytest.fixture
def phone(browser, live_world):
    """A fresh phone-sized browser context; `phone.login(username)` signs in."""
    context = browser.new_context(viewport=PHONE, locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)

    def login(username: str, password: str = DEMO_PASSWORD):
        page.goto(f"{live_world.url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_load_state()

    page.login = login
    page.base_url = live_world.url
    yield page
    context.close()
