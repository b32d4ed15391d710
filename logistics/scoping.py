"""Tenant in the URL, resolved once.

Every school-owned page lives under /s/<school_code>/. This middleware resolves the school
and the user's capabilities there before any view runs, answers 404 when either is missing
(another school's data must not even be confirmed to exist), sends anonymous users to the
login page, and activates the django-scopes guard so that every query of a school-owned
model is limited to this school.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import Resolver404, resolve
from django_scopes import scope, scopes_disabled

from logistics.models import School
from logistics.roles import capabilities_for

M = TypeVar("M", bound=Model)


class SchoolMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.school = None
        request.capabilities = frozenset()
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        code = match.kwargs.get("school_code")
        if code is None:
            if match.app_name == "admin":
                # System administrators work across schools in the Django admin.
                with scopes_disabled():
                    return self.get_response(request)
            return self.get_response(request)
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        school = School.objects.filter(code=code, is_active=True).first()
        caps = capabilities_for(request.user, school) if school else None
        if caps is None:
            raise Http404
        request.school = school
        request.capabilities = caps
        with scope(school=school.pk):
            return self.get_response(request)


V = TypeVar("V", bound=Callable[..., Any])


def requires(capability: str) -> Callable[[V], V]:
    """Guard a school view: 403 unless the user holds `capability` in the URL's school.

    The capability is kept on the view so the permission-matrix test can check that every
    school URL has one.
    """

    def decorator(view: V) -> V:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.school is None:  # a view outside /s/<code>/ — a wiring mistake
                raise Http404
            if capability not in request.capabilities:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapped.required_capability = capability  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def get_for_school(request: HttpRequest, queryset_or_model: Any, **lookup: Any) -> M:
    """Fetch one record of the request's school or 404 — explicit, besides the scope guard."""
    model_qs = getattr(queryset_or_model, "objects", queryset_or_model)
    return get_object_or_404(model_qs.filter(school=request.school), **lookup)
