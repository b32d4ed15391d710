from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from logistics.demo import DEMO_PASSWORD

LOGIN = "/accounts/login/"


def _post(client, username, password, ip="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_login_sends_the_user_to_their_school(world, client):
    response = _post(client, "principal", DEMO_PASSWORD)
    assert response.status_code == 302
    assert client.get(response["Location"]).url == "/s/sdcz/"


def test_wrong_password_keeps_the_username_and_says_why(world, client):
    response = _post(client, "principal", "wrong")
    assert response.status_code == 200
    assert 'value="principal"' in response.content.decode()
    assert "请输入一个正确的" in response.content.decode()


@override_settings(LOGIN_FAILURES_PER_USER=3, LOGIN_FAILURES_PER_IP=10)
def test_an_account_locks_after_repeated_failures_even_with_the_right_password(world, client):
    for _ in range(3):
        _post(client, "principal", "wrong")
    response = _post(client, "principal", DEMO_PASSWORD)
    assert response.status_code == 200
    assert "尝试失败次数过多" in response.content.decode()


@override_settings(LOGIN_FAILURES_PER_USER=3, LOGIN_FAILURES_PER_IP=10)
def test_a_pupil_guessing_one_account_does_not_lock_out_teachers_on_the_same_ip(world, client):
    for _ in range(5):
        _post(client, "principal", "guess", ip="202.96.1.1")
    # Same shared school IP, another account: still works.
    assert _post(Client(), "teacher", DEMO_PASSWORD, ip="202.96.1.1").status_code == 302


@override_settings(LOGIN_FAILURES_PER_USER=3, LOGIN_FAILURES_PER_IP=6)
def test_a_sweep_over_many_accounts_from_one_ip_is_stopped(world, client):
    for name in ["a1", "a2", "a3", "a4", "a5", "a6"]:
        _post(client, name, "guess", ip="202.96.1.2")
    assert _post(Client(), "teacher", DEMO_PASSWORD, ip="202.96.1.2").status_code == 200
    assert _post(Client(), "teacher", DEMO_PASSWORD, ip="202.96.1.3").status_code == 302


def test_logout_ends_the_session(world, login):
    client = login("principal")
    assert client.post(reverse("logout")).status_code == 302
    assert client.get("/s/sdcz/").status_code == 302


def test_password_change(world, login):
    client = login("teacher")
    response = client.post(
        reverse("password_change"),
        {
            "old_password": DEMO_PASSWORD,
            "new_password1": "新的密码Ab123",
            "new_password2": "新的密码Ab123",
        },
    )
    assert response.status_code == 302
    world.user("teacher").refresh_from_db()
    assert world.user("teacher").check_password("新的密码Ab123")


def test_passwords_are_hashed_with_argon2_in_production():
    from logistics import settings as prod

    assert prod.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_session_expires(settings):
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


@pytest.mark.parametrize("path", ["/", "/s/sdcz/", "/s/sdcz/audit/"])
def test_every_page_carries_a_content_security_policy(world, login, path):
    response = login("principal").get(path, follow=True)
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_login_page_is_chinese_by_default(client, db):
    body = client.get(LOGIN).content.decode()
    assert '<html lang="zh-hans">' in body and "登录" in body


def test_chinese_even_for_an_english_browser_until_english_is_chosen(world, login):
    client = login("principal")
    body = client.get("/s/sdcz/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "待办" in body
    client.post("/i18n/setlang/", {"language": "en", "next": "/s/sdcz/"})
    assert "To do" in client.get("/s/sdcz/").content.decode()
