"""Tenant in the URL, resolved once.

Every school-owned page lives under /s/<school_code>/. This middleware resolves the school
and the user's capabilities there before any view runs, answers 404 when either is missing
(another school's data must not even be confirmed to exist), sends anonymous users to the
login page, and activates the django-scopes guard so that every query of a school-owned
model is limited to this school.

It works in `process_view`, on the URL Django has already resolved (resolving it a second
time cost more than the rest of the middleware), and reads the school, the capabilities and
the switcher's schools in one query (logistics.access). See docs/performance.md.
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
from django_scopes import scope, scopes_disabled

from logistics.access import NOBODY, access_for

M = TypeVar("M", bound=Model)


class SchoolMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.school = None
        request.capabilities = frozenset()
        request.access = NOBODY
        request._school_scope = None
        try:
            return self.get_response(request)
        finally:
            # The scope opened in process_view covers the view and the rendering of its
            # response, and is closed whatever happened.
            if request._school_scope is not None:
                request._school_scope.__exit__(None, None, None)

    def process_view(
        self, request: HttpRequest, view: Callable, args: tuple, kwargs: dict[str, Any]
    ) -> HttpResponse | None:
        code = kwargs.get("school_code")
        if code is None:
            if request.resolver_match.app_name == "admin":
                # System administrators work across schools in the Django admin.
                self._enter(request, scopes_disabled())
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        access = access_for(request.user, code)
        if access.school is None:
            raise Http404
        request.access = access
        request.school = access.school
        request.capabilities = access.capabilities
        self._enter(request, scope(school=access.school.pk))
        return None

    @staticmethod
    def _enter(request: HttpRequest, context: Any) -> None:
        context.__enter__()
        request._school_scope = context


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
