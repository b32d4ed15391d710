"""Canteen capabilities and the roles holding them by default (admins may change roles)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from logistics.registry import registry

VIEW = "canteen.view"
RECORD = "canteen.record"
MANAGE = "canteen.manage"
CHECK = "canteen.check"
CLOSE = "canteen.close"
REVIEW = "canteen.review"
REPLY = "canteen.reply"
REOPEN = "canteen.reopen"
ACCOMPANY = "canteen.accompany"
APPROVE_SUPPLIERS = "canteen.approve_suppliers"
NOTICES = "canteen.notices"
PUBLISH = "canteen.publish"
ACCOUNT = "canteen.account"
INSPECT = "canteen.inspect"
SIGN_MINUTES = "canteen.sign_minutes"
INCIDENT = "canteen.incident"

KITCHEN = ("canteen_manager", "food_safety_officer", "canteen_staff")
LEADERS = ("principal", "director")

registry.capability(
    VIEW, _("See the canteen's ledgers"), (*KITCHEN, *LEADERS, "committee", "doctor")
)
registry.capability(RECORD, _("Record samples, temperatures, disinfection, receiving"), KITCHEN)
registry.capability(
    MANAGE, _("Keep canteen staff, suppliers, menus and settings"), ("canteen_manager", "director")
)
registry.capability(CHECK, _("Do the staff's morning checks"), ("food_safety_officer",))
registry.capability(CLOSE, _("Close the canteen day"), ("food_safety_officer",))
registry.capability(REVIEW, _("Review canteen days (committee)"), ("committee", "doctor"))
registry.capability(REPLY, _("Answer the committee's concerns"), ("canteen_manager",))
registry.capability(REOPEN, _("Reopen a closed or reviewed canteen day"), ("director",))
registry.capability(
    ACCOMPANY, _("Record accompanied meals"), (*LEADERS, "canteen_manager", "committee")
)
registry.capability(APPROVE_SUPPLIERS, _("Approve the designated-supplier list"), ("principal",))
registry.capability(
    NOTICES, _("Prepare the canteen's notices"), ("canteen_manager", "food_safety_officer")
)
# The daily and weekly notices are published every day or week: the food-safety officer and
# the director may sign them instead of the principal.
registry.capability(
    PUBLISH,
    _("Publish the canteen's daily and weekly notices"),
    ("food_safety_officer", "director"),
)
registry.capability(
    ACCOUNT,
    _("See the canteen account and print supplier statements"),
    ("canteen_manager", "director", "principal", "accountant"),
)
registry.capability(
    INSPECT,
    _("Do the daily and weekly self-inspections and verify corrective actions"),
    ("food_safety_officer", "director"),
)
registry.capability(SIGN_MINUTES, _("Sign the monthly food-safety meeting minutes"), ("principal",))
registry.capability(
    INCIDENT,
    _("Record food-safety incidents and their report"),
    ("principal", "director", "food_safety_officer"),
)
