"""List rows rendered by Jinja2 ({% rows %}) print what the Django templates around them would."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.template import engines
from django.utils import timezone, translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy

from logistics.html import VoidForms
from logistics.models import Approval
from logistics.selectors import display
from tests.logistics.factories import AttachmentFactory

HOSTILE = '"><script>alert(1)</script>&'

VALUES = [
    "大米 50kg",
    HOSTILE,
    SafeString("<b>已核</b>"),  # safe markup passes unescaped
    gettext_lazy("Voided"),
    None,
    0,
    1234567,
    Decimal("12345.60"),
    3.5,
    True,
    datetime.date(2026, 9, 1),
    datetime.datetime(2026, 9, 1, 23, 30, tzinfo=datetime.UTC),  # the next day in Beijing
    datetime.time(7, 5),
]


def _jinja(source: str, **context) -> str:
    # MarkupSafe spells the escaped quotes &#34; and &#39;, Django &quot; and &#x27;.
    html = engines["jinja2"].from_string(source).render(context)
    return html.replace("&#34;", "&quot;").replace("&#39;", "&#x27;")


def _django(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_a_value_prints_as_a_django_template_prints_it(value, language):
    with translation.override(language), timezone.override("Asia/Shanghai"):
        assert _jinja("{{ v }}", v=value) == _django('{{ v|default_if_none:"" }}', v=value)


@pytest.mark.parametrize(
    "value, fmt",
    [
        (VALUES[10], "Y-m-d"),
        (VALUES[10], "DATE_FORMAT"),
        (VALUES[11], "Y-m-d H:i"),
        (VALUES[11], "m-d"),
        (VALUES[11], "H:i"),
        (VALUES[11], "Y-m-d"),
        (VALUES[10], "Y年m月d日"),
        (VALUES[11], "DATETIME_FORMAT"),
        (None, "Y-m-d"),
    ],
)
def test_the_date_filter_is_djangos(value, fmt):
    with translation.override("zh-hans"), timezone.override("Asia/Shanghai"):
        jinja = _jinja("{{ v|date(f) }}", v=value, f=fmt)
        assert jinja == _django("{{ v|date:f }}", v=value, f=fmt)


def test_translations_and_money():
    with translation.override("zh-hans"):
        assert _jinja('{{ _("Voided") }}') == _django('{% load i18n %}{% translate "Voided" %}')
        assert _jinja('{{ _("Voided") }}') != "Voided"
        assert _jinja("{{ v|yuan }}", v=Decimal("1234567.5")) == "1,234,567.50"
        assert _django("{% load logistics_tags %}{{ v|yuan }}", v="") == ""


def _buttons(source: str, capabilities, next_url="/s/sdcz/", **rows) -> str:
    """`source` drawn with one page's void buttons (what the {% jinja %} tag gives a row
    template)."""
    forms = VoidForms(
        capabilities=capabilities, school_code="sdcz", csrf_token="tok", next_url=next_url
    )
    return _jinja(source, void_forms=forms, **rows)


def test_the_void_button_is_for_those_who_may_void_and_escapes_the_reason(world):
    attachment = AttachmentFactory(school=world.school, uploaded_by=world.user("director"))
    may, back = {"attachments.void"}, '/s/sdcz/?a="b"&k={pk}'
    button = _buttons("{{ void_form(r) }}", may, back, r=attachment)
    assert f'action="/s/sdcz/void/logistics.attachment/{attachment.pk}/"' in button
    assert 'value="tok"' in button and 'value="/s/sdcz/?a=&quot;b&quot;&amp;k={pk}"' in button
    assert _buttons("{{ void_form(r) }}", set(), back, r=attachment) == ""
    attachment.voided_at, attachment.void_reason = timezone.now(), HOSTILE
    badge = _buttons("{{ void_form(r) }}", may, back, r=attachment)
    assert "<script>" not in badge and "&lt;script&gt;" in badge


def test_a_plain_rows_void_button_is_the_model_instances(world):
    """A prepared list's row (no model instance) gets the same button by label and key, and
    the same struck-through reason once voided."""
    attachment = AttachmentFactory(school=world.school, uploaded_by=world.user("director"))
    may = {"attachments.void"}
    by_row = '{{ void_form("logistics.attachment", r.pk, r.void_reason) }}'
    assert _buttons(by_row, may, r=attachment) == _buttons("{{ void_form(r) }}", may, r=attachment)
    assert _buttons(by_row, set(), r=attachment) == ""
    attachment.voided_at, attachment.void_reason = timezone.now(), HOSTILE
    badge = _buttons(by_row, set(), r=attachment)
    assert badge == _buttons("{{ void_form(r) }}", set(), r=attachment)
    assert "&lt;script&gt;" in badge


def test_the_rows_of_one_page_differ_only_in_their_keys(world):
    """A page's form is made once per model: each row's button is its own record's, and a
    second model on the page gets the form of its own void view."""
    a, b = (
        AttachmentFactory(school=world.school, uploaded_by=world.user("director")) for _ in "ab"
    )
    page = _buttons(
        '{{ void_form("logistics.attachment", a.pk) }}|'
        '{{ void_form("logistics.attachment", b.pk) }}|'
        '{{ void_form("canteen.sample", 7) }}',
        {"attachments.void", "canteen.record"},
        a=a,
        b=b,
    )
    first, second, sample = page.split("|")
    assert f"logistics.attachment/{a.pk}/" in first and f"logistics.attachment/{b.pk}/" in second
    assert first.replace(f"/{a.pk}/", "/KEY/") == second.replace(f"/{b.pk}/", "/KEY/")
    assert 'action="/s/sdcz/void/canteen.sample/7/"' in sample


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_display_is_get_foo_display(language):
    with translation.override(language):
        for status, _label in Approval.STATUS_CHOICES:
            approval = Approval(status=status)
            assert display(approval, "status") == approval.get_status_display()
        assert display(Approval(status="unknown"), "status") == "unknown"
