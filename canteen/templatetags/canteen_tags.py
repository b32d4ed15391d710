"""The canteen pages' tabs, drawn by Jinja2: as a Django include with a {% url %} per tab they
cost every canteen page more than half a millisecond."""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.conf import settings
from django.template import engines
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.safestring import SafeString

from logistics.context_processors import school_url

register = template.Library()


@register.simple_tag(takes_context=True)
def canteen_nav(context, active: str = "") -> str:
    """The tabs this user may open, `active` marked; each link reversed once per school and
    process (school_url)."""
    code = context["school"].code
    # Safe: the Jinja2 environment escapes every value (autoescape forced on, logistics.jinja).
    return SafeString(  # nosec B703
        engines["jinja2"]
        .get_template("canteen/_nav.html")
        .template.render(
            active=active,
            capabilities=context.get("capabilities", ()),
            url=lambda name: school_url(f"canteen:{name}", code),
            ledgers=_ledgers_url(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), code),
        )
    )


@lru_cache(maxsize=1024)
def _ledgers_url(urlconf: str, prefix: str, code: str) -> str:
    # urlconf and prefix are part of the key: reverse() depends on both.
    return reverse("canteen:ledger", urlconf=urlconf, args=[code, "samples"])
