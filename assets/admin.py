"""Settings-like assets tables in the admin. Register lines, stock, repairs, write-offs and
stocktakes change only through the services (rules, approvals, audit)."""

from __future__ import annotations

from django.contrib import admin

from assets.models import AssetSettings, Category


@admin.register(AssetSettings)
class AssetSettingsAdmin(admin.ModelAdmin):
    list_display = ["school", "writeoff_threshold"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["school", "code", "name"]
    list_filter = ["school"]
