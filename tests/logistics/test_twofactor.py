"""Two-factor sign-in: who must give a code, enrolment, codes and recovery codes, the
administrator's reset, and wrong codes counted like wrong passwords."""

from __future__ import annotations

import re
from base64 import b32encode

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.db.models import Sum
from django.test import Client, RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_scopes import scopes_disabled

from logistics.demo import DEMO_PASSWORD
from logistics.models import AuditEvent, Membership
from logistics.twofactor import services
from logistics.twofactor.middleware import TwoFactorMiddleware

ON = override_settings(TWO_FACTOR_ROLES=("principal", "central_principal", "accountant"))
ENROL = reverse("twofactor:enrol")
VERIFY = reverse("twofactor:verify")
IP = "10.1.1.1"


def code(device: TOTPDevice, steps_ahead: int = 0) -> str:
    """The app's code now (or in a later 30-second step: a code is accepted once, so a second
    sign-in in the same step needs the next step's code, which the device also accepts)."""
    return f"{totp(device.bin_key, step=device.step, t0=-device.step * steps_ahead):06d}"


def enrolled(user) -> tuple[TOTPDevice, list[str]]:
    device = services.two_factor_start(user=user)
    return device, services.two_factor_confirm(user=user, device=device, code=code(device))


def password_login(username: str) -> Client:
    client = Client(REMOTE_ADDR=IP)
    response = client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    return client


def failures(username: str) -> int:
    return AccessAttempt.objects.filter(username=username).aggregate(
        n=Sum("failures_since_start", default=0)
    )["n"]


def test_with_the_setting_empty_the_principal_signs_in_with_a_password_alone(world):
    client = password_login("principal")
    assert client.get("/s/sdcz/").status_code == 200


def test_with_the_setting_empty_the_check_costs_no_query(world, django_assert_num_queries):
    request = RequestFactory().get("/s/sdcz/")
    request.session = SessionStore()
    request.user = world.user("principal")
    request.resolver_match = resolve("/s/sdcz/")
    middleware = TwoFactorMiddleware(lambda r: None)
    with django_assert_num_queries(0):
        middleware(request)  # installs request.user.is_verified
        assert middleware.process_view(request, None, (), {}) is None


def _dashboard_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/s/sdcz/").status_code == 200
    return len(queries)


def test_with_the_setting_on_a_school_page_costs_one_query_more(world, login):
    """A verified user's device (django-otp), or whether an unverified user's roles need one."""
    principal, teacher = login("principal"), login("teacher")
    device, _codes = enrolled(world.user("principal"))
    before = {"principal": _dashboard_queries(principal), "teacher": _dashboard_queries(teacher)}
    with ON:
        assert principal.post(VERIFY, {"code": code(device, 1)}).status_code == 302
        assert _dashboard_queries(principal) == before["principal"] + 1
        assert _dashboard_queries(teacher) == before["teacher"] + 1


@ON
@pytest.mark.parametrize("username", ["principal", "accountant", "central", "admin"])
def test_required_roles_and_system_administrators_are_sent_to_enrol_from_every_page(
    world, login, username
):
    client = login(username)
    for page in ("/s/sdcz/", "/", "/admin/", reverse("password_change")):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(f"{ENROL}?next="), page


@ON
def test_roles_that_do_not_require_it_sign_in_as_before(world, login):
    assert login("teacher").get("/s/sdcz/").status_code == 200
    assert login("director").get("/s/sdcz/").status_code == 200


@ON
def test_the_principal_enrols_with_the_qr_code_and_is_let_in(world, login):
    client = login("principal")
    page = client.get(f"{ENROL}?next=/s/sdcz/finance/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="data:image/svg+xml' in html
    device = TOTPDevice.objects.get(user=world.user("principal"), confirmed=False)
    secret = re.search(r'data-testid="secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    assert secret == b32encode(device.bin_key).decode()
    assert client.get(ENROL).context["secret"] == page.context["secret"]  # same on reload

    wrong = client.post(ENROL, {"code": "000000", "next": "/s/sdcz/finance/"})
    assert wrong.status_code == 200
    assert "验证码不正确" in wrong.content.decode()
    assert client.get("/s/sdcz/").status_code == 302

    done = client.post(ENROL, {"code": code(device), "next": "/s/sdcz/finance/"})
    assert done.status_code == 200
    assert len(done.context["codes"]) == services.RECOVERY_CODES
    assert done.context["next"] == "/s/sdcz/finance/"
    assert client.get("/s/sdcz/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed


@ON
def test_an_enrolled_principal_gives_a_code_after_the_password(world):
    device, _codes = enrolled(world.user("principal"))
    client = password_login("principal")
    response = client.get("/s/sdcz/")
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    # With an authenticator, the enrolment page cannot replace it.
    assert client.get(ENROL)["Location"].startswith(VERIFY)
    response = client.post(VERIFY, {"code": code(device, 1), "next": "/s/sdcz/"})
    assert response.status_code == 302 and response["Location"] == "/s/sdcz/"
    assert client.get("/s/sdcz/").status_code == 200


@ON
def test_a_wrong_code_is_refused_and_counts_as_a_failed_login(world):
    enrolled(world.user("principal"))
    client = password_login("principal")
    response = client.post(VERIFY, {"code": "123456"})
    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    assert failures("principal") == 1
    assert client.get("/s/sdcz/")["Location"].startswith(VERIFY)


@ON
def test_a_code_is_accepted_only_once(world):
    device, _codes = enrolled(world.user("principal"))
    first = password_login("principal")
    assert first.post(VERIFY, {"code": code(device, 1)}).status_code == 302
    second = password_login("principal")
    assert second.post(VERIFY, {"code": code(device, 1)}).status_code == 200


@ON
def test_the_right_code_just_after_a_wrong_one_is_asked_again_and_not_counted(world):
    """django-otp makes the device wait after a wrong code; a code typed then is not checked."""
    device, _codes = enrolled(world.user("principal"))
    client = password_login("principal")
    client.post(VERIFY, {"code": "123456"})
    response = client.post(VERIFY, {"code": code(device, 1)})
    assert response.status_code == 200
    assert "请等待一分钟" in response.content.decode()
    assert failures("principal") == 1


@ON
@override_settings(LOGIN_FAILURES_PER_USER=3, LOGIN_FAILURES_PER_IP=10, OTP_TOTP_THROTTLE_FACTOR=0)
def test_wrong_codes_lock_the_account_out_like_wrong_passwords(world):
    enrolled(world.user("principal"))
    client = password_login("principal")
    for _ in range(2):
        assert client.post(VERIFY, {"code": "123456"}).status_code == 200
    third = client.post(VERIFY, {"code": "123456"})
    assert third.status_code == 429
    assert "尝试失败次数过多" in third.content.decode()
    assert "_auth_user_id" not in client.session  # signed out
    again = Client(REMOTE_ADDR="10.9.9.9").post(
        reverse("login"), {"username": "principal", "password": DEMO_PASSWORD}
    )
    assert again.status_code == 429


@ON
@override_settings(LOGIN_FAILURES_PER_USER=3, LOGIN_FAILURES_PER_IP=10, OTP_TOTP_THROTTLE_FACTOR=0)
def test_the_password_alone_does_not_forgive_wrong_codes(world):
    """Whoever has the password must not get a fresh round of code guesses by signing in
    with it again."""
    enrolled(world.user("principal"))
    client = password_login("principal")
    for _ in range(2):
        client.post(VERIFY, {"code": "123456"})
    again = password_login("principal")
    assert failures("principal") == 2
    assert again.post(VERIFY, {"code": "123456"}).status_code == 429


@ON
@override_settings(OTP_TOTP_THROTTLE_FACTOR=0)
def test_the_right_code_forgives_the_accounts_failures(world):
    device, _codes = enrolled(world.user("principal"))
    client = password_login("principal")
    client.post(VERIFY, {"code": "123456"})
    assert failures("principal") == 1
    assert client.post(VERIFY, {"code": code(device, 1)}).status_code == 302
    assert failures("principal") == 0


@ON
def test_a_recovery_code_works_once(world):
    _device, codes = enrolled(world.user("principal"))
    client = password_login("principal")
    typed = f"{codes[0][:4].upper()} {codes[0][4:].upper()}"  # as read off the slip
    response = client.post(VERIFY, {"code": typed}, follow=True)
    assert response.status_code == 200
    assert "还剩 9 个" in response.content.decode()
    again = password_login("principal")
    assert again.post(VERIFY, {"code": codes[0]}).status_code == 200
    assert again.get("/s/sdcz/").status_code == 302
    assert StaticDevice.objects.get(user=world.user("principal")).token_set.count() == 9


@ON
def test_an_anonymous_visitor_is_sent_to_the_password_step_first(world, client):
    for url in (ENROL, VERIFY):
        response = client.get(url)
        assert response["Location"].startswith(reverse("login"))


@ON
def test_the_administrators_reset_is_audited_and_forces_reenrolment(world, login):
    accountant = world.user("accountant")
    device, _codes = enrolled(accountant)
    client = password_login("accountant")
    assert client.post(VERIFY, {"code": code(device, 1)}).status_code == 302
    assert client.get("/s/sdcz/").status_code == 200

    principal = login("principal")
    enrolled(world.user("principal"))
    principal.post(VERIFY, {"code": code(TOTPDevice.objects.get(user__username="principal"), 1)})
    membership = Membership.objects.get(user=accountant, school=world.school)
    detail = principal.get(reverse("staff:detail", args=["sdcz", membership.pk]))
    assert "重置两步验证" in detail.content.decode()
    response = principal.post(reverse("staff:two_factor", args=["sdcz", membership.pk]))
    assert response.status_code == 302

    assert not TOTPDevice.objects.filter(user=accountant).exists()
    assert not StaticDevice.objects.filter(user=accountant).exists()
    with scopes_disabled():
        event = AuditEvent.objects.get(action="staff.two_factor_reset")
    assert event.school == world.school and event.actor == world.user("principal")
    # The accountant's open session is held back at once, to enrol a new phone.
    assert client.get("/s/sdcz/")["Location"].startswith(ENROL)


def test_another_schools_administrator_cannot_reset(world, login):
    accountant = world.user("accountant")
    enrolled(accountant)
    membership = Membership.objects.get(user=accountant, school=world.school)
    url = reverse("staff:two_factor", args=["sdcz", membership.pk])
    assert login("principal_xx").post(url).status_code == 404
    # Nor under their own school's address.
    url = reverse("staff:two_factor", args=["sdxx", membership.pk])
    assert login("principal_xx").post(url).status_code == 404
    assert TOTPDevice.objects.filter(user=accountant, confirmed=True).exists()
    with scopes_disabled():
        assert not AuditEvent.objects.filter(action="staff.two_factor_reset").exists()


def test_nobody_resets_their_own_two_factor_sign_in(world, login):
    principal = world.user("principal")
    enrolled(principal)
    membership = Membership.objects.get(user=principal, school=world.school)
    response = login("principal").post(
        reverse("staff:two_factor", args=["sdcz", membership.pk]), follow=True
    )
    assert "请另一位管理员" in response.content.decode()
    assert TOTPDevice.objects.filter(user=principal).exists()


@ON
@pytest.mark.parametrize(
    "typed", ["", " ", "x" * 5000, "-12345", "1e309", "９９９９９９", "'; DROP TABLE x; --"]
)
def test_hostile_codes_are_answered_next_to_the_field(world, typed):
    enrolled(world.user("principal"))
    client = password_login("principal")
    response = client.post(VERIFY, {"code": typed})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert client.get("/s/sdcz/")["Location"].startswith(VERIFY)
