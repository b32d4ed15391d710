"""Form helpers shared by every app."""

from __future__ import annotations

import html
from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django.forms.renderers import TemplatesSetting
from django.utils.safestring import SafeString

# Django's widget templates that are nothing but the <input> template.
_INPUT_TEMPLATES = {
    f"django/forms/widgets/{name}.html"
    for name in [
        *("checkbox", "color", "date", "datetime", "email", "file", "hidden", "input"),
        *("number", "password", "search", "tel", "text", "time", "url"),
    ]
}


def _escape(value) -> str:
    """Django's conditional_escape (the same entities: it calls html.escape too) without its
    lazy-string wrapper, which cost more than the rest of an <option>."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _safe(markup: str) -> SafeString:
    # Made only of literals and _escape()d values.
    return SafeString(markup)  # nosec B703


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html: `name` for True, nothing for False."""
    return "".join(
        f" {_escape(name)}" if value is True else f' {_escape(name)}="{_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _input(widget: dict) -> SafeString:
    value = "" if widget["value"] is None else f' value="{_escape(widget["value"])}"'
    return _safe(
        f'<input type="{_escape(widget["type"])}" name="{_escape(widget["name"])}"'
        f"{value}{_attrs(widget['attrs'])}>"
    )


def _select(widget: dict) -> SafeString:
    parts = [f'<select name="{_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_escape(group_name)}">')
        parts.extend(
            f'\n  <option value="{_escape(option["value"])}"{_attrs(option["attrs"])}>'
            f"{_escape(option['label'])}</option>\n"
            for option in options
        )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return _safe("".join(parts))


class FormRenderer(TemplatesSetting):
    """Renders every field with its label, help text and errors beside it (templates/forms/).

    The common widgets (inputs and selects) are written out in Python, with exactly the
    markup of Django's templates (tested): a select renders a template per option, and a
    list page's filter form cost more than its fifty rows."""

    form_template_name = "forms/div.html"
    field_template_name = "forms/field.html"

    def render(self, template_name, context, request=None):
        if template_name in _INPUT_TEMPLATES:
            return _input(context["widget"])
        if template_name == "django/forms/widgets/select.html":
            return _select(context["widget"])
        return super().render(template_name, context, request)


class _OptionsIterator(ModelChoiceIterator):
    """A select's options read by one plain query. Django's iterator reads them through a
    server-side cursor (DECLARE, FETCH, CLOSE: three round trips), meant for huge results."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset.all():
            yield self.choice(obj)


class StyledFormMixin:
    """Adds Bootstrap classes to widgets so templates can render `{{ form }}` as is."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                field.iterator = _OptionsIterator
                field.widget.choices = field.choices  # made when the field was copied
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


def perform(request, form: forms.BaseForm, action: Callable[[dict], object], success: str) -> bool:
    """A small POST action answered on the page it returns to (a button beside a record):
    the form's errors, the service's refusal, or `success`, as a message. `action` gets the
    cleaned data. True when it was done."""
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return False
    try:
        action(form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return False
    messages.success(request, success)
    return True
