from __future__ import annotations

from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def _expense_url(approval) -> str:
    return reverse("finance:expense_detail", args=[approval.school.code, int(approval.object_id)])


def _aid_url(approval) -> str:
    return reverse("finance:aid_detail", args=[approval.school.code, int(approval.object_id)])


def resolve_expense(school, numbers: list[str]) -> dict:
    """Expenses by number. An expense's number is its id, shown on its page and its printed
    approval form (the voucher number comes only at booking, and other apps refer to a
    request before that)."""
    from finance.models import Expense
    from logistics.registry import DocumentRef

    keys = [int(n) for n in numbers if n.isdigit()]
    expenses = Expense.objects.filter(school=school, pk__in=keys).only("pk", "purpose", "amount")
    return {
        str(e.pk): DocumentRef(
            title=f"{e.purpose}（¥{e.amount}）",
            url=reverse("finance:expense_detail", args=[school.code, e.pk]),
        )
        for e in expenses
    }


class FinanceConfig(AppConfig):
    name = "finance"
    verbose_name = _("Finance")

    def ready(self) -> None:
        from finance import bench, capabilities, demo, notices, services, todos  # noqa: F401
        from logistics.approvals import ApprovalType, register_type
        from logistics.registry import registry

        registry.document_type(services.EXPENSE_DOC, resolve_expense)
        registry.anonymiser("finance.aid", services.aid_anonymise)

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
