from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from logistics.forms import StyledFormMixin
from logistics.staff.selectors import grantable_roles, role_label

MAX_IMPORT_BYTES = 1024 * 1024  # a staff list of a few hundred rows is a few tens of KB


class _RolesField(forms.ModelMultipleChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            queryset=grantable_roles(),
            to_field_name="code",
            widget=forms.CheckboxSelectMultiple,
            label=_("roles"),
            **kwargs,
        )

    def label_from_instance(self, obj):
        return role_label(obj)


_PASSWORD_HELP = _("Leave empty to get a temporary password, shown once, to hand over.")


class StaffAddForm(StyledFormMixin, forms.Form):
    username = forms.CharField(label=_("username"), max_length=150)
    full_name = forms.CharField(label=_("full name"), max_length=150)
    roles = _RolesField()
    password = forms.CharField(
        label=_("password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_PASSWORD_HELP,
    )


class RolesForm(StyledFormMixin, forms.Form):
    roles = _RolesField()


class PasswordResetForm(StyledFormMixin, forms.Form):
    password = forms.CharField(
        label=_("new password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_PASSWORD_HELP,
    )


class StaffImportForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=_("staff list (.xlsx)"),
        help_text=_(
            "First row: 用户名, 姓名, 角色 (several roles separated by 、). "
            "Every account gets a temporary password."
        ),
    )

    def clean_file(self):
        file = self.cleaned_data["file"]
        if file.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB; a staff list is much smaller."),
                params={"mb": MAX_IMPORT_BYTES // (1024 * 1024)},
            )
        return file
