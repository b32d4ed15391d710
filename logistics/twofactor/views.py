"""The second sign-in step: enrol an authenticator app, or give a code from it (or a recovery
code). Both pages are for a signed-in user who owes the step (TwoFactorMiddleware sends them
here); anyone else is sent on."""

from __future__ import annotations

from base64 import b32encode

import segno
from axes.handlers.proxy import AxesProxyHandler
from axes.utils import reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.signals import user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from logistics.throttle import LOCKED_OUT
from logistics.twofactor import services
from logistics.twofactor.forms import CodeForm
from logistics.twofactor.selectors import has_two_factor, requires_two_factor


def _next(request: HttpRequest) -> str:
    url = request.POST.get("next") or request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _signed_in_with(request: HttpRequest, device) -> None:
    # A new session key for the now fully signed-in session, as Django's login() does.
    request.session.cycle_key()
    otp_login(request, device)
    # Only now is the sign-in a success: the account's failures are forgiven (the password
    # step kept them, logistics.throttle).
    reset(username=request.user.get_username())


@never_cache
@login_required
def enrol(request: HttpRequest) -> HttpResponse:
    user = request.user
    if has_two_factor(user):  # replacing an authenticator needs the administrator's reset
        return redirect_to_login(_next(request), resolve_url("twofactor:verify"))
    if not requires_two_factor(user):
        return redirect(_next(request))
    device = services.two_factor_start(user=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.two_factor_confirm(
                user=user, device=device, code=form.cleaned_data["code"]
            )
        except ValidationError as exc:
            form.add_error("code", exc.error_dict["code"])
        else:
            _signed_in_with(request, device)
            # Shown once, in the answer to the POST, never stored in clear.
            return render(
                request,
                "registration/two_factor_recovery.html",
                {"codes": codes, "next": _next(request)},
            )
    secret = b32encode(device.bin_key).decode()
    return render(
        request,
        "registration/two_factor_enrol.html",
        {
            "form": form,
            "qr": segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "next": _next(request),
        },
    )


@never_cache
@login_required
def verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_verified():
        return redirect(_next(request))
    if not has_two_factor(user):
        return redirect_to_login(_next(request), resolve_url("twofactor:enrol"))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        credentials = {"username": user.get_username()}
        if not AxesProxyHandler.is_allowed(request, credentials):
            return _locked_out(request, form)
        try:
            device = services.two_factor_verify(user=user, code=form.cleaned_data["code"])
        except ValidationError as exc:
            form.add_error("code", exc)
        else:
            if device is not None:
                _signed_in_with(request, device)
                if isinstance(device, StaticDevice):
                    messages.warning(
                        request,
                        _("You signed in with a recovery code; %(left)s are left.")
                        % {"left": device.token_set.count()},
                    )
                return redirect(_next(request))
            # A wrong code is a failed login: axes counts it against the account and the
            # address, and locks them out at the same limits as wrong passwords.
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            if request.axes_locked_out:
                return _locked_out(request, form)
            form.add_error("code", _("The code is not right."))
    return render(
        request, "registration/two_factor_verify.html", {"form": form, "next": _next(request)}
    )


def _locked_out(request: HttpRequest, form: CodeForm) -> HttpResponse:
    """Signed out (the password step is refused too until the lockout ends); axes' middleware
    answers this page with 429, as it does the login page."""
    logout(request)
    request.axes_locked_out = True
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    form.add_error(None, LOCKED_OUT % {"minutes": minutes})
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": ""})
