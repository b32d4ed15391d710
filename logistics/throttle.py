"""Login throttling with django-axes: one account and one client address have separate limits.

Axes keeps one row per (username, address) with a failure counter that it increments under a
row lock in PostgreSQL, so parallel attempts and several web processes count exactly. Its
backend refuses a locked-out login before the password is checked, on our login page and on
the admin's. What axes lacks is a second limit: it compares the larger of the per-username
and per-address counts with one number. A school needs two, because a whole school often
shares one public address: a few failures lock one account, while the address is locked only
after many (a pupil guessing must not lock every teacher out). `LoginFailureHandler` adds that.
"""

from __future__ import annotations

import ipaddress

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.db.models import Q, Sum
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from logistics.forms import StyledFormMixin
from logistics.twofactor.selectors import has_two_factor

LOCKED_OUT = _(
    "Too many failed attempts. Please wait %(minutes)s minutes and try again, "
    "or ask the administrator to reset your password."
)


def failure_limit(request: HttpRequest | None = None, credentials: dict | None = None) -> int:
    """AXES_FAILURE_LIMIT: the account's limit (the address's is applied by the handler)."""
    return settings.LOGIN_FAILURES_PER_USER


class LoginFailureHandler(AxesDatabaseHandler):
    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        """Failures to compare with the account's limit, in one query.

        The address may fail LOGIN_FAILURES_PER_IP times: its count is shifted down by the
        difference of the two limits, so axes' single comparison (`>= failure_limit`) holds
        exactly when the account reached its limit or the address reached its own.
        """
        username = get_client_username(request, credentials)
        address = request.axes_ip_address
        counts = AccessAttempt.objects.filter(
            Q(username=username) | Q(ip_address=address),
            attempt_time__gte=get_cool_off_threshold(request),
        ).aggregate(
            account=Sum("failures_since_start", filter=Q(username=username), default=0),
            address=Sum("failures_since_start", filter=Q(ip_address=address), default=0),
        )
        head_start = settings.LOGIN_FAILURES_PER_IP - settings.LOGIN_FAILURES_PER_USER
        return max(counts["account"], counts["address"] - head_start)

    def user_logged_in(self, sender, request, user, **kwargs):
        # With a second factor to come, the password alone is not a successful sign-in: the
        # account's failures are forgiven when the code is given (twofactor.views), or a
        # stolen password would wipe the count of code guesses before each new round.
        request.axes_second_factor_pending = has_two_factor(user)
        super().user_logged_in(sender, request, user, **kwargs)

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        """After a successful login forget the account's own failures, not the address's:
        otherwise anyone sweeping accounts could clear the address's count by logging in to
        their own account now and then."""
        if getattr(request, "axes_second_factor_pending", False):
            return 0
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count


def client_ip(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, unless that is one of TRUSTED_PROXIES.

    Then X-Forwarded-For is read from the right, skipping further trusted proxies; the first
    address not among them is the client. Entries left of it were written by the client and
    are never believed, so nobody can pose as another address to lock it out or to escape
    their own count.
    """
    address = request.META.get("REMOTE_ADDR", "")
    trusted = settings.TRUSTED_PROXIES
    if not _is_among(address, trusted):
        return address
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        try:
            ip = ipaddress.ip_address(hop.strip())
        except ValueError:
            break  # garbage from the client: count it against the last proxy that vouched
        address = str(ip)
        if not _is_among(address, trusted):
            break
    return address


def _is_among(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


class _LockoutMessageMixin:
    """Say why a locked-out login is refused, instead of "wrong password"."""

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            if getattr(self.request, "axes_locked_out", False):
                minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
                raise ValidationError(
                    LOCKED_OUT, code="throttled", params={"minutes": minutes}
                ) from None
            raise


class ThrottledAuthenticationForm(_LockoutMessageMixin, StyledFormMixin, AuthenticationForm):
    pass


class AdminLoginForm(_LockoutMessageMixin, AdminAuthenticationForm):
    pass


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the login page as rendered (its form says why), as a 429."""
    if original_response is not None and original_response.status_code == 200:
        original_response.status_code = 429
        return original_response
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return HttpResponse(
        gettext(LOCKED_OUT) % {"minutes": minutes},
        status=429,
        content_type="text/plain; charset=utf-8",
    )
