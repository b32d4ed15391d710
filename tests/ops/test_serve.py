"""`make serve` for real: scripts/serve.sh with production settings on a free port."""

from __future__ import annotations

import re
import time

from logistics.demo import DEMO_PASSWORD
from tests.ops.conftest import Browser, set_password

HASHED_CSS = re.compile(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"')


def _wait_for(server, text: str, timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in server.output:
            return True
        time.sleep(0.3)
    return False


def test_the_production_server_answers_health_login_headers_and_cached_static_files(
    world, start_server
):
    set_password(world.user("principal"), DEMO_PASSWORD)
    server = start_server()
    browser = Browser(server.port)

    health = browser.get("/healthz")
    assert health.status == 200 and health.body == b"ok"
    request_id = health.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)

    page = browser.get("/accounts/login/")
    assert page.status == 200
    csp = page.headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "same-origin"

    # DEBUG is off: an unknown address gets the plain 404, not Django's technical page.
    missing = browser.get("/no-such-page/")
    assert missing.status == 404 and "URLconf" not in missing.text

    login = browser.login("principal", DEMO_PASSWORD)
    assert login.status == 302 and "sessionid" in browser.cookies
    assert browser.get("/").headers["Location"] == "/s/sdcz/"
    dashboard = browser.get("/s/sdcz/")
    assert dashboard.status == 200 and "王校长" in dashboard.text

    # Collected, hashed static files from WhiteNoise, cacheable for ten years.
    css = HASHED_CSS.search(page.text)
    assert css, "the login page links no hashed stylesheet"
    static = browser.get(css.group(1), headers={"Accept-Encoding": "gzip"})
    assert static.status == 200
    assert "max-age=315360000" in static.headers["Cache-Control"]
    assert "immutable" in static.headers["Cache-Control"]
    assert static.headers.get("Content-Encoding") == "gzip"

    # One log line per request on stdout with its id; the task worker runs beside gunicorn.
    assert _wait_for(server, f"[{request_id}]"), server.output
    assert _wait_for(server, "Starting worker"), server.output


def test_a_proxy_supplied_request_id_is_kept_and_a_malformed_one_replaced(client, db):
    kept = client.get("/healthz", HTTP_X_REQUEST_ID="nginx-5f2c9a1b")
    assert kept["X-Request-ID"] == "nginx-5f2c9a1b"
    forged = client.get("/healthz", HTTP_X_REQUEST_ID="x\n2026-01-01 INFO forged line")
    assert re.fullmatch(r"[0-9a-f]{32}", forged["X-Request-ID"])
