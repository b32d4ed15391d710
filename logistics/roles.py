"""The roles of docs/domain.md as capability sets, and how a user's capabilities are resolved."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from logistics.models import Membership, Role, School
from logistics.registry import registry

# code -> (name, reaches member schools). Capabilities come from the registry: each
# capability names the default roles that hold it; admins may change a role in the admin.
DEFAULT_ROLES: dict[str, tuple[str, bool]] = {
    "central_principal": (_("Central-school principal"), True),
    "principal": (_("Principal"), False),
    "director": (_("Logistics director"), False),
    "accountant": (_("Accountant"), False),
    "cashier": (_("Cashier"), False),
    "clerk": (_("Accounts clerk"), False),
    "finance_member": (_("Finance-team member"), False),
    "canteen_manager": (_("Canteen manager"), False),
    "food_safety_officer": (_("Food-safety officer"), False),
    "canteen_staff": (_("Canteen staff"), False),
    "committee": (_("Canteen committee member"), False),
    "doctor": (_("School doctor"), False),
    "safety_officer": (_("Safety officer"), False),
    "storekeeper": (_("Storekeeper"), False),
    "teacher": (_("Teacher"), False),
    "guard": (_("Guard"), False),
}
ALL_ROLES = tuple(DEFAULT_ROLES)
STAFF_ROLES = tuple(r for r in ALL_ROLES if r not in {"committee", "guard", "canteen_staff"})

registry.capability("dashboard.view", _("See the school dashboard"), ALL_ROLES)
registry.capability(
    "audit.view",
    _("Read the audit log and record history"),
    ("central_principal", "principal", "director", "accountant"),
)
registry.capability("attachments.view", _("Download attachments"), STAFF_ROLES)
registry.capability(
    "attachments.void",
    _("Void a wrongly uploaded photo or scan, with a reason"),
    ("principal", "director", "accountant"),
)


def sync_default_roles() -> None:
    """Create the default roles and give them every registered capability they default to.

    Runs after each migrate; capabilities an administrator added by hand are kept. Names are
    stored in the site's language (migrate runs untranslated otherwise).
    """
    for code, (name, reaches) in DEFAULT_ROLES.items():
        with translation.override(settings.LANGUAGE_CODE):
            local_name = str(name)
        role, _created = Role.objects.get_or_create(
            code=code, defaults={"name": local_name, "reaches_members": reaches}
        )
        with translation.override("en"):
            if role.name == str(name) != local_name:  # stored untranslated by an earlier run
                role.name = local_name
                role.save(update_fields=["name"])
        wanted = {c.code for c in registry.capabilities.values() if code in c.default_roles}
        if not wanted.issubset(role.capabilities):
            role.capabilities = sorted(wanted | set(role.capabilities))
            role.save(update_fields=["capabilities"])


def capabilities_for(user, school: School) -> frozenset[str] | None:
    """The user's capabilities in `school`, or None when the user may not see the school.

    A role held at the central school that reaches member schools applies in each member.
    One query.
    """
    if not user.is_authenticated or not user.is_active:
        return None
    rows = Membership.roles.through.objects.filter(membership__user=user).filter(
        Q(membership__school=school)
        | Q(membership__school_id=school.parent_id, role__reaches_members=True)
    )
    found = False
    caps: set[str] = set()
    for role_caps in rows.values_list("role__capabilities", flat=True):
        found = True
        caps.update(role_caps)
    return frozenset(caps) if found else None


def schools_for(user) -> list[School]:
    """Every school the user can open: their own, plus members reached from a central school.

    The same query that resolves a school page (logistics.access), central school first."""
    from logistics.access import access_for

    return access_for(user, None).schools


def users_with_capability(school: School, capability: str) -> list:
    """Active users holding `capability` in `school` (directly, or from a central role that
    reaches it). One query."""
    from django.contrib.auth import get_user_model

    holders = Membership.roles.through.objects.filter(
        role__capabilities__contains=[capability]
    ).filter(
        Q(membership__school=school)
        | Q(membership__school_id=school.parent_id, role__reaches_members=True)
    )
    return list(
        get_user_model()
        .objects.filter(is_active=True, memberships__in=holders.values("membership"))
        .distinct()
    )
