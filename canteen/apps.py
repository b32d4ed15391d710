from __future__ import annotations

from django.apps import AppConfig
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


def _supplier_list_url(approval) -> str:
    return reverse("canteen:supplier_list", args=[approval.school.code])


def _inspections_url(approval) -> str:
    return reverse("canteen:inspection_list", args=[approval.school.code])


class CanteenConfig(AppConfig):
    name = "canteen"
    verbose_name = _("Canteen")

    def ready(self) -> None:
        from canteen import (  # noqa: F401
            bench,
            capabilities,
            demo,
            models,
            notices,
            packs,
            services,
            statements,
            todos,
        )
        from logistics.approvals import ApprovalType, register_type
        from logistics.registry import registry

        register_type(
            ApprovalType(
                code=services.SUPPLIER_LIST_DOC,
                label=_("Designated-supplier list"),
                policy=services.supplier_list_policy,
                url=_supplier_list_url,
                on_finished=services.on_supplier_list_finished,
            )
        )
        # The canteen's own to-do lists the minutes waiting (one query for all its to-dos).
        register_type(
            ApprovalType(
                code=services.MINUTES_DOC,
                label=_("Monthly food-safety meeting minutes"),
                policy=services.minutes_policy,
                url=_inspections_url,
                on_finished=services.on_minutes_finished,
                own_todo=True,
            )
        )
        # The day's ledgers: voiding one of a closed or reviewed day needs the director to
        # reopen the day first, like any other correction.
        for model, capability in (
            (models.MorningCheck, capabilities.CHECK),
            (models.Receiving, capabilities.RECORD),
            (models.Sample, capabilities.RECORD),
            (models.Disinfection, capabilities.RECORD),
            (models.TemperatureLog, capabilities.RECORD),
            (models.AccompaniedMeal, capabilities.ACCOMPANY),
        ):
            registry.voidable(model, capability, guard=services.day_open_guard)
        for model, capability in (
            (models.Complaint, capabilities.MANAGE),
            (models.WasteRecord, capabilities.RECORD),
            (models.Training, capabilities.MANAGE),
            (models.SelfInspection, capabilities.INSPECT),
            (models.MonthlyMeeting, capabilities.MANAGE),
            (models.Incident, capabilities.INCIDENT),
        ):
            registry.voidable(model, capability)
        notices.register()
        registry.document_type("canteen.statement", statements.resolve_statements)
