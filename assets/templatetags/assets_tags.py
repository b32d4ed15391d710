"""The assets pages' tabs, drawn by Jinja2 with links reversed once per school and process:
as a Django include with a {% url %} per tab they cost every assets page about half a
millisecond."""

from __future__ import annotations

from django import template
from django.template import engines
from django.utils.safestring import SafeString

from logistics.context_processors import school_url

register = template.Library()


@register.simple_tag(takes_context=True)
def assets_nav(context, active: str = "") -> str:
    """The tabs this user may open, `active` marked."""
    code = context["school"].code
    # Safe: the Jinja2 environment escapes every value (autoescape forced on, logistics.jinja).
    return SafeString(  # nosec B703
        engines["jinja2"]
        .get_template("assets/_nav.html")
        .template.render(
            active=active,
            capabilities=context.get("capabilities", ()),
            url=lambda name: school_url(f"assets:{name}", code),
        )
    )
