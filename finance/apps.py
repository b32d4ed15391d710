from __future__ import annotations

from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def _expense_url(approval) -> str:
    return reverse("finance:expense_detail", args=[approval.school.code, int(approval.object_id)])


def _aid_url(approval) -> str:
    return reverse("finance:aid_detail", args=[approval.school.code, int(approval.object_id)])


class FinanceConfig(AppConfig):
    name = "finance"
    verbose_name = _("Finance")

    def ready(self) -> None:
        from finance import bench, capabilities, demo, notices, services, todos  # noqa: F401
        from logistics.approvals import ApprovalType, register_type

        register_type(
            ApprovalType(
                code=services.EXPENSE_DOC,
                label=_("Expense"),
                policy=services.expense_policy,
                url=_expense_url,
                on_finished=services.on_expense_finished,
                own_todo=True,
            )
        )
        register_type(
            ApprovalType(
                code=services.BOOKING_DOC,
                label=_("Booking sign-off"),
                policy=services.booking_policy,
                url=_expense_url,
                on_finished=services.on_booking_finished,
                own_todo=True,
            )
        )
        register_type(
            ApprovalType(
                code=services.AID_DOC,
                label=_("Student aid"),
                policy=services.aid_policy,
                url=_aid_url,
                on_finished=services.on_aid_finished,
            )
        )
        notices.register()
