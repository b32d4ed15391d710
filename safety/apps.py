from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SafetyConfig(AppConfig):
    name = "safety"
    verbose_name = _("Safety")

    def ready(self) -> None:
        from logistics.registry import registry
        from safety import bench, demo, models, todos  # noqa: F401
        from safety import capabilities as caps

        # Statutory records: voided from their page with a reason, never deleted.
        registry.voidable(models.Inspection, caps.MANAGE)
        registry.voidable(models.Hazard, caps.MANAGE)
        registry.voidable(models.EquipmentCheck, caps.MANAGE)
        registry.voidable(models.GateEntry, caps.MANAGE)
