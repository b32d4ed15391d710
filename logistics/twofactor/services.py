"""Writes of two-factor sign-in. Tokens are checked by django-otp (`verify_token` locks the
device row, so a code is accepted once, and a recovery code is used up once, even when two
requests race)."""

from __future__ import annotations

import re

import django_otp
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODES = 10
_TOTP_CODE = re.compile(r"\d{6}")


def normalise(code: str) -> str:
    """What the user typed, as a device compares it: spaces and dashes (codes are read off a
    phone or a slip of paper in groups) and case do not matter."""
    return re.sub(r"[\s-]+", "", code).lower()


def two_factor_start(*, user) -> TOTPDevice:
    """The unconfirmed authenticator device the enrolment page shows; the same one (the same
    secret) on every visit until it is confirmed with a code."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
        return device or TOTPDevice.objects.create(user=user, name="phone", confirmed=False)


def two_factor_confirm(*, user, device: TOTPDevice, code: str) -> list[str]:
    """Confirm `device` with a code from the app, replacing any earlier devices, and return
    new recovery codes (shown once; django-otp stores them for comparison)."""
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
        if device.confirmed or not device.verify_token(normalise(code)):
            raise ValidationError(
                {"code": _("The code is not right. Check the phone's clock and try again.")}
            )
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        StaticDevice.objects.filter(user=user).delete()
        recovery = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=recovery, token=c) for c in codes)
    return codes


def two_factor_verify(*, user, code: str) -> Device | None:
    """The device that accepts `code` — six digits from the app, or else one of the recovery
    codes, which is used up — or None.

    After each wrong code django-otp makes the device wait twice as long before it checks
    another; a code typed during the wait is refused here with a message (and is not a wrong
    code: the right one would be refused too)."""
    code = normalise(code)
    model = TOTPDevice if _TOTP_CODE.fullmatch(code) else StaticDevice
    devices = list(model.objects.filter(user=user, confirmed=True))
    if devices and not any(d.verify_is_allowed()[0] for d in devices):
        raise ValidationError(
            _("Too many wrong codes in a row. Wait a minute, then try again."), code="throttled"
        )
    for device in devices:
        if verified := django_otp.verify_token(user, device.persistent_id, code):
            return verified
    return None


def two_factor_reset(*, user) -> int:
    """Remove the user's authenticator and recovery codes; they enrol again at their next page.
    Callers check who may do this and record it (logistics.staff.services)."""
    phones, _ = TOTPDevice.objects.filter(user=user).delete()
    recovery, _ = StaticDevice.objects.filter(user=user).delete()
    return phones + recovery
