"""The kernel's own dashboard to-dos."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from logistics import selectors
from logistics.registry import Todo, registry


@registry.todo
def approvals_to_sign(school, user, capabilities):
    count = selectors.approvals_waiting_for(school, user, capabilities).count()
    if count:
        yield Todo(
            text=_("%(n)s documents wait for your signature") % {"n": count},
            url=reverse("approvals_waiting", args=[school.code]),
            count=count,
            level="danger",
        )
