from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from logistics.registry import NavItem, registry

MANAGE = "staff.manage"
# Without it, a staff manager (an office administrator) hands out only roles whose rights they
# hold themselves. The principal grants any role, also rights kept apart from their own (a class
# teacher's review, a finance-team signature).
GRANT_ANY = "staff.grant_any"

registry.capability(MANAGE, _("Manage the school's staff accounts and roles"), ("principal",))
registry.capability(
    GRANT_ANY, _("Grant any of the school's roles, beyond one's own rights"), ("principal",)
)
registry.nav_item(NavItem(_("Staff"), "staff:list", MANAGE, order=95))
