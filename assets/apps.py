from __future__ import annotations

from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def _requisition_url(approval) -> str:
    return reverse(
        "assets:requisition_detail", args=[approval.school.code, int(approval.object_id)]
    )


def _writeoff_url(approval) -> str:
    return reverse("assets:writeoff_detail", args=[approval.school.code, int(approval.object_id)])


class AssetsConfig(AppConfig):
    name = "assets"
    verbose_name = _("Assets")

    def ready(self) -> None:
        from assets import bench, capabilities, demo, services, todos  # noqa: F401 (registries)
        from assets.models import Asset, RepairTicket
        from logistics.approvals import ApprovalType, register_type
        from logistics.registry import registry

        register_type(
            ApprovalType(
                code=services.REQUISITION_DOC,
                label=_("Requisition"),
                policy=services.requisition_policy,
                url=_requisition_url,
                on_finished=services.on_requisition_finished,
            )
        )
        register_type(
            ApprovalType(
                code=services.WRITEOFF_DOC,
                label=_("Write-off"),
                policy=services.writeoff_policy,
                url=_writeoff_url,
                on_finished=services.on_writeoff_finished,
            )
        )
        # A register line entered by mistake, a fault reported twice: voided with a reason.
        registry.voidable(Asset, capabilities.MANAGE)
        registry.voidable(RepairTicket, capabilities.REPAIR_ASSIGN)
