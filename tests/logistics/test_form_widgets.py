"""The form renderer writes inputs and selects in Python: the markup must be Django's own."""

from __future__ import annotations

import datetime

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting

from logistics.forms import FormRenderer

HOSTILE = '"><script>alert(1)</script>'


class Everything(forms.Form):
    text = forms.CharField(max_length=20, widget=forms.TextInput(attrs={"placeholder": HOSTILE}))
    number = forms.IntegerField(min_value=0)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    agree = forms.BooleanField(required=False)
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True))
    hidden = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(widget=forms.Textarea)
    choice = forms.ChoiceField(
        choices=[("", "全部"), ("食堂", [("rice", "大米"), ("oil", HOSTILE)]), ("x", "其他")]
    )
    many = forms.MultipleChoiceField(choices=[("a", "甲"), ("b", "乙"), ("c", "丙")])


@pytest.mark.parametrize(
    "data",
    [
        {},
        {
            "text": HOSTILE,
            "number": "12",
            "day": datetime.date(2022, 9, 1),
            "agree": "on",
            "secret": "p&w",
            "hidden": "<b>",
            "note": HOSTILE,
            "choice": "oil",
            "many": ["a", "c"],
        },
    ],
)
def test_every_widget_renders_exactly_as_djangos_templates(data):
    form = Everything(data or None)
    for name in form.fields:
        field = form[name]
        ours = field.as_widget()
        field.form.renderer = TemplatesSetting()
        theirs = field.as_widget()
        field.form.renderer = FormRenderer()
        assert ours == theirs, name
    assert "<script>" not in str(form)


def test_inputs_and_selects_skip_the_template_engine(monkeypatch):
    rendered = []
    original = TemplatesSetting.render

    def recording(self, template_name, context, request=None):
        rendered.append(template_name)
        return original(self, template_name, context, request)

    monkeypatch.setattr(TemplatesSetting, "render", recording)
    form = Everything()
    for name in ("text", "number", "day", "agree", "choice", "many"):
        form[name].as_widget()
    assert rendered == []
    form["note"].as_widget()  # a textarea still goes through its template
    assert rendered == ["django/forms/widgets/textarea.html"]
