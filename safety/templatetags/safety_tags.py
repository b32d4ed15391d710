"""The safety pages' tabs, drawn by Python and Jinja2: as a Django include they cost a page
more than half a millisecond, mostly in eight {% url %} tags."""

from __future__ import annotations

from django import template
from django.template import engines
from django.utils.safestring import SafeString

from logistics.context_processors import school_url

register = template.Library()


@register.simple_tag(takes_context=True)
def safety_nav(context, active: str) -> str:
    """The tabs this user may open, `active` marked; each link reversed once per school and
    process (school_url)."""
    code = context["school"].code
    # Safe: the Jinja2 environment escapes every value (autoescape forced on, logistics.jinja).
    return SafeString(  # nosec B703
        engines["jinja2"]
        .get_template("safety/_nav.html")
        .template.render(
            active=active,
            capabilities=context.get("capabilities", ()),
            url=lambda name: school_url(f"safety:{name}", code),
        )
    )
