from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from logistics.models import AuditEvent, Membership, Role, School
from logistics.registry import registry
from logistics.throttle import AdminLoginForm


@admin.register(School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "parent", "complaint_phone", "large_expense_threshold"]
    list_select_related = ["parent"]
    search_fields = ["code", "name"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    filter_horizontal = ["roles"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "school", "role_names"]
    list_filter = ["school", "roles"]
    list_select_related = ["user", "school"]
    autocomplete_fields = ["user"]
    filter_horizontal = ["roles"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("roles")

    @admin.display(description=_("roles"))
    def role_names(self, obj: Membership) -> str:
        return "、".join(r.name for r in obj.roles.all())


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "reaches_members"]
    search_fields = ["code", "name"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "capabilities":
            choices = [(c.code, f"{c.label} ({c.code})") for c in registry.capabilities.values()]
            return forms.TypedMultipleChoiceField(
                choices=choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                label=db_field.verbose_name,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the log is append-only (the database refuses updates and deletes too)."""

    list_display = ["school", "seq", "occurred_at", "action", "actor", "summary"]
    list_filter = ["school", "action"]
    list_select_related = ["school", "actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# The admin's login goes through the same throttle as ours (axes' backend refuses it before
# the password is checked); this form only says why, in the site's language.
admin.site.login_form = AdminLoginForm
