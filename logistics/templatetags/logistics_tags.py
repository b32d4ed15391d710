from __future__ import annotations

import pghistory.models
from django import template

from logistics.audit import events_for

register = template.Library()


@register.inclusion_tag("logistics/history_panel.html", takes_context=True)
def history_panel(context, obj):
    """Business events and row changes of one record; shown to holders of audit.view."""
    if "audit.view" not in context.get("capabilities", ()):
        return {"obj": obj, "events": [], "changes": [], "hidden": True}
    changes = pghistory.models.Events.objects.tracks(obj).order_by("-pgh_created_at")[:50]
    return {"obj": obj, "events": list(events_for(obj)[:50]), "changes": list(changes)}
