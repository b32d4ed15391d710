from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from logistics.registry import registry
from logistics.roles import schools_for


def school(request: HttpRequest) -> dict:
    """The current school, the navigation the user's capabilities allow, and the switcher."""
    current = getattr(request, "school", None)
    caps = getattr(request, "capabilities", frozenset())
    nav = []
    if current is not None:
        nav = [
            {"label": item.label, "url": reverse(item.url_name, args=[current.code])}
            for item in registry.nav
            if item.capability in caps
        ]
    return {
        "school": current,
        "capabilities": caps,
        "nav_items": nav,
        # Lazy: pages that never show the switcher (login, public board) run no query.
        "my_schools": SimpleLazyObject(lambda: schools_for(request.user)),
    }
