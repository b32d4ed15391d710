from __future__ import annotations

from functools import lru_cache
from types import MappingProxyType

from django.conf import settings
from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language_info

from logistics.access import access_for
from logistics.registry import registry


def school_url(url_name: str, code: str | None = None, *args) -> str:
    """reverse(url_name, args=[code, *args]), remembered: the layout links every page to the
    same few URLs per school, and each reverse() costs about as much as a small query."""
    return _reverse(
        get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), url_name, code, args
    )


@lru_cache(maxsize=4096)
def _reverse(urlconf: str, prefix: str, url_name: str, code: str | None, args: tuple) -> str:
    # urlconf and prefix are part of the key: reverse() depends on both.
    return reverse(url_name, urlconf=urlconf, args=[code, *args] if code else list(args))


def layout_urls(code: str | None) -> MappingProxyType:
    """The links, assets and language buttons of the base layout, made once per school and
    configuration: {% url %} and {% static %} cost the layout more than half a millisecond a
    page."""
    return _layout(
        get_urlconf() or settings.ROOT_URLCONF,
        get_script_prefix(),
        settings.STATIC_URL,
        settings.STORAGES["staticfiles"]["BACKEND"],
        code,
    )


@lru_cache(maxsize=1024)
def _layout(
    urlconf: str, prefix: str, static_url: str, storage: str, code: str | None
) -> MappingProxyType:
    # Everything the result depends on is in the key.
    urls = {
        name: school_url(name) for name in ("home", "password_change", "logout", "set_language")
    }
    if code:
        urls |= {name: school_url(name, code) for name in ("dashboard", "audit_log")}
    assets = {
        "bootstrap_css": "vendor/bootstrap/bootstrap.min.css",
        "app_css": "css/app.css",
        "bootstrap_js": "vendor/bootstrap/bootstrap.bundle.min.js",
        "htmx_js": "vendor/htmx/htmx.min.js",
    }
    languages = tuple(
        (code, get_language_info(code)["name_local"]) for code, _name in settings.LANGUAGES
    )
    # Read-only: one mapping serves every request of the process.
    return MappingProxyType(
        urls | {name: static(path) for name, path in assets.items()} | {"languages": languages}
    )


def school(request: HttpRequest) -> dict:
    """The current school, the navigation the user's capabilities allow, and the switcher.

    On a school page everything comes from `request.access`, read by SchoolMiddleware in its
    one query; elsewhere (password change) the switcher's schools are read lazily, so pages
    that never show it (login, public board) run no query.
    """
    current = getattr(request, "school", None)
    caps = getattr(request, "capabilities", frozenset())
    access = getattr(request, "access", None)
    nav = []
    if current is not None:
        nav = [
            {"label": item.label, "url": school_url(item.url_name, current.code)}
            for item in registry.nav
            if item.capability in caps
        ]
    if access is not None and access.school is not None:
        schools = access.schools
    else:
        schools = SimpleLazyObject(lambda: access_for(request.user, None).schools)
    return {
        "school": current,
        "capabilities": caps,
        "nav_items": nav,
        "layout": layout_urls(current.code if current is not None else None),
        "my_schools": SimpleLazyObject(lambda: _switcher(schools, current)),
    }


def _switcher(schools: list, current) -> list[dict]:
    # A central school's staff see every member school: the URLconf is looked up once.
    urlconf, prefix = get_urlconf() or settings.ROOT_URLCONF, get_script_prefix()
    return [
        {
            "name": s.name,
            "url": _reverse(urlconf, prefix, "dashboard", s.code, ()),
            "active": current is not None and s.pk == current.pk,
        }
        for s in schools
    ]
