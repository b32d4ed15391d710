from __future__ import annotations

from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def _swap_url(approval) -> str:
    from safety.models import SwapRequest

    swap = SwapRequest.objects.filter(pk=int(approval.object_id), school=approval.school_id)
    shift_id = swap.values_list("shift_id", flat=True).first()
    return reverse("safety:shift_detail", args=[approval.school.code, shift_id])


class SafetyConfig(AppConfig):
    name = "safety"
    verbose_name = _("Safety")

    def ready(self) -> None:
        from logistics.approvals import ApprovalType, register_type
        from logistics.registry import registry
        from safety import bench, demo, models, notices, services, todos  # noqa: F401
        from safety import capabilities as caps

        # Statutory records: voided from their page with a reason, never deleted.
        registry.voidable(models.Inspection, caps.MANAGE)
        registry.voidable(models.Hazard, caps.MANAGE)
        registry.voidable(models.EquipmentCheck, caps.MANAGE)
        registry.voidable(models.GateEntry, caps.MANAGE)
        registry.voidable(models.Drill, caps.MANAGE)
        register_type(
            ApprovalType(
                code=services.SWAP_DOC,
                label=_("Duty swap"),
                policy=services.swap_policy,
                url=_swap_url,
                on_finished=services.on_swap_finished,
            )
        )
        notices.register()
