"""Finance capabilities and the roles that hold them by default (admins may change roles)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from logistics.registry import registry
from logistics.roles import STAFF_ROLES

REQUEST = "finance.request"
VIEW = "finance.view"
SIGN_FINANCE_TEAM = "finance.sign_finance_team"
SIGN_PRINCIPAL = "finance.sign_principal"
SIGN_CENTRAL = "finance.sign_central"
OVERRIDE = "finance.override"
BOOK = "finance.book"
PAY = "finance.pay"
MANAGE = "finance.manage"
FEES = "finance.fees"
AID = "finance.aid"
AID_APPROVE = "finance.aid_approve"
AID_REVIEW = "finance.aid_review"

LEADERS = ("central_principal", "principal")
OFFICE = ("director", "accountant", "cashier", "clerk", "finance_member")

registry.capability(REQUEST, _("File expense requests and follow one's own"), STAFF_ROLES)
registry.capability(VIEW, _("See every expense, fund and finance report"), LEADERS + OFFICE)
registry.capability(
    SIGN_FINANCE_TEAM, _("Sign large expenses as a finance-team member"), ("finance_member",)
)
registry.capability(SIGN_PRINCIPAL, _("Sign expenses as the principal"), ("principal",))
registry.capability(
    SIGN_CENTRAL,
    _("Sign member schools' large expenses as the central-school principal"),
    ("central_principal",),
)
registry.capability(OVERRIDE, _("Override a budget line with a reason"), ("principal",))
registry.capability(BOOK, _("Book signed-off expenses with a voucher number"), ("accountant",))
registry.capability(PAY, _("Record payments"), ("accountant", "cashier"))
registry.capability(MANAGE, _("Set up funds, budgets and finance settings"), ("accountant",))
registry.capability(
    FEES, _("Keep fees collected for parents and money paid to families"), ("accountant", "clerk")
)
registry.capability(
    AID, _("Handle student aid (sensitive personal data)"), ("principal", "accountant")
)
registry.capability(AID_APPROVE, _("Approve student aid (leading group)"), ("principal",))
# 班主任审核: class teachers check the family situation of their students' applications; they
# see an application while it waits for review, nothing else of aid.
registry.capability(
    AID_REVIEW, _("Review student aid applications as a class teacher"), ("teacher",)
)
