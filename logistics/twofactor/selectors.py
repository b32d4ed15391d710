from __future__ import annotations

from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from logistics.models import Membership


def requires_two_factor(user) -> bool:
    """Whether `user` must give a second factor: a system administrator, or a holder of one of
    TWO_FACTOR_ROLES at any school. No query when the setting is empty."""
    roles = settings.TWO_FACTOR_ROLES
    if not roles or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Membership.roles.through.objects.filter(
        membership__user=user, role__code__in=roles
    ).exists()


def phone_device(user) -> TOTPDevice | None:
    """The user's confirmed authenticator app, if they have enrolled one."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_two_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()
