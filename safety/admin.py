"""Checklists and equipment in the admin; inspections, hazards and the gate register change
only through the services (audit, closed loop)."""

from __future__ import annotations

from django.contrib import admin

from safety.models import Checklist, Equipment


@admin.register(Checklist)
class ChecklistAdmin(admin.ModelAdmin):
    list_display = ["school", "area", "name", "is_active"]
    list_filter = ["area"]


@admin.register(Equipment)
class EquipmentAdmin(admin.ModelAdmin):
    list_display = ["school", "kind", "code", "location", "next_check_on", "expires_on"]
    list_filter = ["kind"]
