"""Assets capabilities and the roles that hold them by default (admins may change roles)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from logistics.registry import registry
from logistics.roles import ALL_ROLES, STAFF_ROLES

VIEW = "assets.view"
PRICES = "assets.prices"
MANAGE = "assets.manage"
CUSTODY = "assets.custody"
STOCK = "assets.stock"
REQUEST = "assets.request"
APPROVE = "assets.approve"
SIGN_PRINCIPAL = "assets.sign_principal"
SIGN_CENTRAL = "assets.sign_central"
REPAIR_REPORT = "assets.repair_report"
REPAIR_ASSIGN = "assets.repair_assign"
REPAIR_WORK = "assets.repair_work"
WRITEOFF = "assets.writeoff"

LEADERS = ("central_principal", "principal")
OFFICE = ("director", "storekeeper")

registry.capability(VIEW, _("See the asset register, stock and repairs"), LEADERS + OFFICE)
registry.capability(
    PRICES, _("See purchase prices and values of assets"), LEADERS + OFFICE + ("accountant",)
)
registry.capability(MANAGE, _("Keep the asset register, locations and custody"), OFFICE)
registry.capability(CUSTODY, _("See the assets in one's own custody"), STAFF_ROLES)
registry.capability(STOCK, _("Take stock in and out, distribute supplies"), OFFICE)
registry.capability(REQUEST, _("Request supplies from the store"), STAFF_ROLES)
registry.capability(APPROVE, _("Approve requisitions and write-offs (logistics)"), ("director",))
registry.capability(SIGN_PRINCIPAL, _("Sign asset documents as the principal"), ("principal",))
registry.capability(
    SIGN_CENTRAL,
    _("Sign member schools' large write-offs as the central-school principal"),
    ("central_principal",),
)
registry.capability(REPAIR_REPORT, _("Report a fault for repair"), ALL_ROLES)
registry.capability(REPAIR_ASSIGN, _("Assign repair tickets"), ("director",))
registry.capability(REPAIR_WORK, _("Record repair work"), OFFICE)
registry.capability(WRITEOFF, _("File write-offs and stocktakes"), OFFICE)
