"""Safety capabilities and the roles that hold them by default (admins may change roles)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from logistics.registry import registry
from logistics.roles import ALL_ROLES, STAFF_ROLES

VIEW = "safety.view"
INSPECT = "safety.inspect"
MANAGE = "safety.manage"
REPORT_HAZARD = "safety.report_hazard"
VERIFY = "safety.verify"
OVERSEE = "safety.oversee"
GATE = "safety.gate"
SEE_ID_NUMBERS = "safety.see_id_numbers"
DUTY = "safety.duty"
LEAD_DUTY = "safety.lead_duty"
APPROVE_SWAP = "safety.approve_swap"

LEADERS = ("central_principal", "principal")
OFFICERS = ("director", "safety_officer")

registry.capability(
    VIEW, _("See inspections, hazards, equipment and the gate register"), LEADERS + OFFICERS
)
registry.capability(INSPECT, _("Carry out inspections and equipment checks"), OFFICERS)
registry.capability(
    MANAGE, _("Edit checklists, plan inspections, keep the equipment list"), OFFICERS
)
# Anyone with an account may report a hazard and fix the ones they are responsible for.
registry.capability(REPORT_HAZARD, _("Report hazards and fix one's own"), ALL_ROLES)
registry.capability(VERIFY, _("Verify and close fixed hazards"), ("principal", *OFFICERS))
registry.capability(OVERSEE, _("Be told of overdue hazards (escalation)"), LEADERS)
registry.capability(GATE, _("Keep the gate register"), ("guard", *OFFICERS))
registry.capability(
    SEE_ID_NUMBERS, _("See visitors' full ID numbers"), ("principal", "safety_officer")
)
registry.capability(
    DUTY, _("See duty rosters, keep one's shift log, ask for a swap"), (*STAFF_ROLES, "guard")
)
registry.capability(LEAD_DUTY, _("Be the school leader on duty"), ("principal", "director"))
registry.capability(APPROVE_SWAP, _("Approve duty swaps"), ("director",))
