"""What the notice engine registers with the kernel: capabilities, navigation, to-dos are the
approval engine's (a notice waiting for the principal is an approval), bench pages, demo."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from logistics.registry import BenchPage, NavItem, registry
from logistics.roles import STAFF_ROLES

registry.capability("notices.view", _("See the school's notices"), STAFF_ROLES)
registry.capability(
    "notices.prepare",
    _("Prepare public notices"),
    ("principal", "director", "accountant", "canteen_manager"),
)
registry.capability("notices.approve", _("Approve and withdraw public notices"), ("principal",))
# When nobody but the preparer could publish a notice (a principal's own), the central school
# signs it: nobody publishes their own notice.
registry.capability(
    "notices.approve_central",
    _("Publish member schools' notices their own publisher prepared"),
    ("central_principal",),
)
registry.nav_item(NavItem(_("Notices"), "notices:list", "notices.view", order=90))

registry.bench_page(BenchPage("notices (staff)", lambda s: f"/s/{s.code}/notices/", "notices.view"))
registry.bench_page(BenchPage("public board", lambda s: f"/public/{s.code}/", "notices.view"))
