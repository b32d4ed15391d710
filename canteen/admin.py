"""Canteen settings in the admin. The statutory ledgers are written only through the services
(national rules, day locks, audit events), so they are not in the admin at all."""

from __future__ import annotations

from django.contrib import admin

from canteen.models import CanteenSettings


@admin.register(CanteenSettings)
class CanteenSettingsAdmin(admin.ModelAdmin):
    list_display = ["school", "sample_min_grams", "sample_hours", "fridge_max", "hot_min"]
