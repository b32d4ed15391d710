"""Form helpers shared by every app."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting


class FormRenderer(TemplatesSetting):
    """Renders every field with its label, help text and errors beside it (templates/forms/)."""

    form_template_name = "forms/div.html"
    field_template_name = "forms/field.html"


class StyledFormMixin:
    """Adds Bootstrap classes to widgets so templates can render `{{ form }}` as is."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()


class ApprovalActionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[(a, a) for a in ("sign", "return", "reject", "withdraw", "remind")]
    )
    step = forms.IntegerField(min_value=0, required=False)
    to_step = forms.IntegerField(min_value=0, required=False)
    comment = forms.CharField(max_length=300, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == "sign" and cleaned.get("step") is None:
            raise forms.ValidationError("step")
        return cleaned


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: beside its field when the form has that
    field, above the form otherwise. What the user typed stays in the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
