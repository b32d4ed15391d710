from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django_otp.middleware import OTPMiddleware

from logistics.twofactor.selectors import has_two_factor, requires_two_factor

# Pages a signed-in user who still owes a second factor may open: the sign-in steps, signing
# out, the language switch and the load balancer's probe.
_OPEN = {"login", "logout", "set_language", "healthz"}


class TwoFactorMiddleware(OTPMiddleware):
    """django-otp's middleware (request.user.is_verified()) that also holds back, on every other
    page, a signed-in user whose roles require a second factor and who has not given one:
    to enrolment when they have no authenticator yet, else to the code page; `next` brings
    them back.

    With TWO_FACTOR_ROLES empty it costs no query. Otherwise one: a verified user's device
    (django-otp), or whether an unverified user's roles require it."""

    def process_view(
        self, request: HttpRequest, view: Callable, args: tuple, kwargs: dict[str, Any]
    ) -> HttpResponse | None:
        if not settings.TWO_FACTOR_ROLES:
            return None
        match = request.resolver_match
        if match.namespace == "twofactor" or match.url_name in _OPEN:
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified() or not requires_two_factor(user):
            return None
        step = "twofactor:verify" if has_two_factor(user) else "twofactor:enrol"
        return redirect_to_login(request.get_full_path(), reverse(step))
