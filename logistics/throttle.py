"""Login throttling per username and per client address.

django-axes applies one failure limit to every lockout parameter; a school needs two: a few
failures lock one account, while the per-address limit is much higher because a whole
school often shares one public IP (a pupil guessing must not lock every teacher out).
Counters live in the shared cache (the database cache by default), so every worker sees them.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from logistics.forms import StyledFormMixin


def _key(kind: str, value: str) -> str:
    return f"login-fail:{kind}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def client_ip(request: HttpRequest) -> str:
    # REMOTE_ADDR is set by the server; behind a reverse proxy, the proxy must set it
    # (e.g. gunicorn --forwarded-allow-ips) rather than us trusting a client header.
    return request.META.get("REMOTE_ADDR", "")


def _keys(username: str, ip: str) -> list[tuple[str, int]]:
    return [
        (_key("user", username.strip().lower()), settings.LOGIN_FAILURES_PER_USER),
        (_key("ip", ip), settings.LOGIN_FAILURES_PER_IP),
    ]


def is_locked(username: str, ip: str) -> bool:
    counts = cache.get_many([k for k, _limit in _keys(username, ip)])
    return any(counts.get(k, 0) >= limit for k, limit in _keys(username, ip))


def record_failure(username: str, ip: str) -> None:
    for key, _limit in _keys(username, ip):
        if not cache.add(key, 1, settings.LOGIN_LOCKOUT_SECONDS):
            try:
                cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.add(key, 1, settings.LOGIN_LOCKOUT_SECONDS)


def clear_user_failures(username: str) -> None:
    cache.delete(_key("user", username.strip().lower()))


class ThrottledAuthenticationForm(StyledFormMixin, AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _(
            "Too many failed attempts. Please wait %(minutes)s minutes and try again, "
            "or ask the administrator to reset your password."
        ),
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        ip = client_ip(self.request)
        if is_locked(username, ip):
            raise ValidationError(
                self.error_messages["throttled"],
                code="throttled",
                params={"minutes": settings.LOGIN_LOCKOUT_SECONDS // 60},
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            record_failure(username, ip)
            raise
        clear_user_failures(username)
        return cleaned
