"""Settings-like finance tables in the admin. Expenses and aid are changed only through the
services (chains, audit); aid data stays out of the admin entirely (personal data), and out
of its row history too (see AidApplication)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

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


class BudgetLineAdminForm(forms.ModelForm):
    """The admin builds the model form from this base per request (school-scoped querysets
    cannot be evaluated at import)."""

    def clean(self):
        data = super().clean()
        school, fund = data.get("school"), data.get("fund")
        if school is not None and fund is not None and fund.school_id != school.pk:
            self.add_error("fund", _("Choose a fund of this school."))
        if fund is not None and data.get("category") and not fund.allows(data["category"]):
            self.add_error("category", _("This fund may not pay for this category."))
        return data


@admin.register(BudgetLine)
class BudgetLineAdmin(admin.ModelAdmin):
    form = BudgetLineAdminForm
    list_display = ["school", "fund", "category", "amount"]
    list_select_related = ["school", "fund"]
