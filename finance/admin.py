"""Settings-like finance tables in the admin. Expenses and aid are changed only through the
services (chains, audit); aid data stays out of the admin entirely (personal data)."""

from __future__ import annotations

from django.contrib import admin

from finance.models import BudgetLine, FinanceSettings, Fund


@admin.register(FinanceSettings)
class FinanceSettingsAdmin(admin.ModelAdmin):
    list_display = ["school", "cash_limit", "min_quotes", "aid_publication_days"]


@admin.register(Fund)
class FundAdmin(admin.ModelAdmin):
    list_display = ["school", "year", "kind", "name", "amount"]
    list_filter = ["kind", "year"]

    def get_readonly_fields(self, request, obj=None):
        # Changing a fund's kind could turn past spending unlawful (meal fees, earmarks).
        return ["kind"] if obj is not None else []


@admin.register(BudgetLine)
class BudgetLineAdmin(admin.ModelAdmin):
    list_display = ["school", "fund", "category", "amount"]
