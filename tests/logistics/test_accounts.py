from __future__ import annotations

from datetime import timedelta
from ipaddress import ip_network

import pytest
from axes.models import AccessAttempt
from django.db.models import Sum
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

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


LOCKED = "尝试失败次数过多"


@override_settings(LOGIN_FAILURES_PER_USER=3, LOGIN_FAILURES_PER_IP=10)
def test_an_account_locks_after_repeated_failures_even_with_the_right_password(world, client):
    for _ in range(2):
        assert _post(client, "principal", "wrong").status_code == 200
    third = _post(client, "principal", "wrong")
    assert third.status_code == 429 and LOCKED in third.content.decode()
    response = _post(client, "principal", DEMO_PASSWORD, ip="10.9.9.9")
    assert response.status_code == 429
    assert "请等待 15 分钟后再试" in response.content.decode()
    assert 'value="principal"' in response.content.decode()
    assert "_auth_user_id" not in client.session


@override_settings(LOGIN_FAILURES_PER_USER=3, LOGIN_FAILURES_PER_IP=10)
def test_a_pupil_guessing_one_account_does_not_lock_out_teachers_on_the_same_ip(world, client):
    for _ in range(5):
        _post(client, "principal", "guess", ip="202.96.1.1")
    # Same shared school IP, another account: still works.
    assert _post(Client(), "teacher", DEMO_PASSWORD, ip="202.96.1.1").status_code == 302


@override_settings(LOGIN_FAILURES_PER_USER=3, LOGIN_FAILURES_PER_IP=6)
def test_a_sweep_over_many_accounts_from_one_ip_is_stopped(world, client):
    for name in ["a1", "a2", "a3", "a4", "a5"]:
        assert _post(client, name, "guess", ip="202.96.1.2").status_code == 200
    assert _post(client, "a6", "guess", ip="202.96.1.2").status_code == 429
    assert _post(Client(), "teacher", DEMO_PASSWORD, ip="202.96.1.2").status_code == 429
    assert _post(Client(), "teacher", DEMO_PASSWORD, ip="202.96.1.3").status_code == 302


@override_settings(LOGIN_FAILURES_PER_USER=3, LOGIN_FAILURES_PER_IP=10)
def test_the_lock_ends_after_the_lockout_time_and_trying_on_does_not_extend_it(world, client):
    for _ in range(3):
        _post(client, "principal", "wrong")
    for _ in range(3):  # hammering while locked out is not counted
        _post(client, "principal", "wrong")
    assert AccessAttempt.objects.get(username="principal").failures_since_start == 3
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=15, seconds=1))
    assert _post(client, "principal", DEMO_PASSWORD).status_code == 302


@override_settings(LOGIN_FAILURES_PER_USER=3, LOGIN_FAILURES_PER_IP=6)
def test_a_successful_login_forgets_the_accounts_failures_but_not_the_addresss(world, client):
    for _ in range(2):
        _post(client, "teacher", "typo", ip="202.96.1.4")
    for name in ["a1", "a2", "a3"]:
        _post(Client(), name, "guess", ip="202.96.1.4")
    assert _post(client, "teacher", DEMO_PASSWORD, ip="202.96.1.4").status_code == 302
    assert not AccessAttempt.objects.filter(username="teacher").exists()
    # The sweep's three failures still count against the address: three more lock it.
    for name in ["a4", "a5", "a6"]:
        _post(Client(), name, "guess", ip="202.96.1.4")
    assert _post(Client(), "director", DEMO_PASSWORD, ip="202.96.1.4").status_code == 429


@override_settings(LOGIN_FAILURES_PER_USER=3, LOGIN_FAILURES_PER_IP=10)
def test_the_admin_login_goes_through_the_same_throttle(world, client, django_user_model):
    django_user_model.objects.create_superuser("root", "root@example.com", "Root-pass-123")
    for _ in range(2):
        _post(client, "root", "wrong")  # our login page and the admin's share the count
    third = client.post(
        "/admin/login/", {"username": "root", "password": "wrong", "next": "/admin/"}
    )
    assert third.status_code == 429 and LOCKED in third.content.decode()
    right = client.post(
        "/admin/login/", {"username": "root", "password": "Root-pass-123", "next": "/admin/"}
    )
    assert right.status_code == 429
    assert client.get("/admin/").status_code == 302  # still not logged in


@override_settings(LOGIN_FAILURES_PER_USER=100, LOGIN_FAILURES_PER_IP=200)
def test_parallel_failures_are_all_counted(transactional_db, world):
    import threading

    from django.db import connection

    barrier = threading.Barrier(6)

    def attempt():
        barrier.wait()
        try:
            _post(Client(), "director", "wrong", ip="202.96.1.5")
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    counted = AccessAttempt.objects.filter(username="director").aggregate(
        n=Sum("failures_since_start")
    )["n"]
    # The counter is incremented in the database under a row lock: no failure is lost.
    assert counted == 6


def _through_proxy(username, password, forwarded_for, proxy="10.0.0.2"):
    return Client().post(
        LOGIN,
        {"username": username, "password": password},
        REMOTE_ADDR=proxy,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


@override_settings(
    LOGIN_FAILURES_PER_USER=3, LOGIN_FAILURES_PER_IP=6, TRUSTED_PROXIES=[ip_network("10.0.0.0/8")]
)
def test_behind_a_trusted_proxy_each_client_address_is_counted_on_its_own(world):
    for name in ["a1", "a2", "a3", "a4", "a5", "a6"]:
        _through_proxy(name, "guess", "202.96.1.6")
    assert _through_proxy("teacher", DEMO_PASSWORD, "202.96.1.6").status_code == 429
    # Another school behind the same proxy is not locked out by the sweep.
    assert _through_proxy("teacher", DEMO_PASSWORD, "202.96.1.7").status_code == 302
    # A client cannot escape its count by writing another address in front of its own.
    assert _through_proxy("teacher", DEMO_PASSWORD, "1.2.3.4, 202.96.1.6").status_code == 429


@override_settings(LOGIN_FAILURES_PER_USER=3, LOGIN_FAILURES_PER_IP=6, TRUSTED_PROXIES=[])
def test_without_trusted_proxies_a_forwarded_for_header_is_ignored(world):
    for i, name in enumerate(["a1", "a2", "a3", "a4", "a5", "a6"]):
        _through_proxy(name, "guess", f"202.96.2.{i}", proxy="202.96.1.8")
    spoofed = _through_proxy("teacher", DEMO_PASSWORD, "8.8.8.8", proxy="202.96.1.8")
    assert spoofed.status_code == 429


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


@pytest.mark.parametrize(
    ("remote", "forwarded", "client"),
    [
        ("202.96.1.9", "", "202.96.1.9"),
        ("10.0.0.2", "", "10.0.0.2"),
        ("10.0.0.2", "202.96.1.9", "202.96.1.9"),
        ("10.0.0.2", "202.96.1.9, 10.0.0.7", "202.96.1.9"),  # two proxies of ours
        ("10.0.0.2", "6.6.6.6, 202.96.1.9", "202.96.1.9"),  # the client's own claim is ignored
        ("10.0.0.2", "not-an-ip", "10.0.0.2"),  # garbage counts against the proxy
        ("10.0.0.2", "2001:db8::1", "2001:db8::1"),
        ("202.96.1.9", "6.6.6.6", "202.96.1.9"),  # not through a trusted proxy
    ],
)
def test_the_client_address_is_read_from_the_right_past_trusted_proxies_only(
    rf, settings, remote, forwarded, client
):
    from logistics.throttle import client_ip

    settings.TRUSTED_PROXIES = [ip_network("10.0.0.0/8")]
    request = rf.get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == client
