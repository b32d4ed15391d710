"""Pieces of pages written in Python because a list draws one per row; the Django tags in
logistics_tags and the Jinja2 row templates (logistics.jinja) share them."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language, gettext
from markupsafe import Markup, escape

from logistics.registry import registry


def yuan(value) -> str:
    """12345.6 -> '12,345.60': money always with two decimals and thousands separators."""
    if value is None or value == "":
        return ""
    try:
        return f"{Decimal(value):,.2f}"
    except (InvalidOperation, TypeError, ValueError):
        return str(value)


class VoidForms:
    """The void buttons of one rendered page. A ledger draws fifty: the form of each model is
    made once, and only the record's key is put in per row."""

    def __init__(self, *, capabilities, school_code: str | None, csrf_token, next_url: str):
        self._page = (capabilities, school_code, csrf_token, next_url)
        self._forms: dict[str, tuple[Markup, Markup] | None] = {}

    def record_button(self, record) -> Markup:
        """The button of a model instance (a voided one shows its reason)."""
        # A list may show records that are not Voidable.
        reason = record.void_reason if getattr(record, "is_voided", False) else ""
        return self.button(record._meta.label_lower, record.pk, reason)

    def button(self, label: str, pk, void_reason: str = "") -> Markup:
        """By the model's label ("canteen.sample"), key and void reason, so that a list of
        plain rows needs no model instance: a voided record always has its reason
        (logistics.services.record_void refuses a blank one)."""
        if void_reason:
            return _VOIDED.format(why=void_reason, voided=_texts(get_language())[0])
        if label not in self._forms:
            self._forms[label] = self._form(label)
        form = self._forms[label]
        if form is None:
            return Markup("")
        head, tail = form
        return head + escape(pk) + tail

    def _form(self, label: str) -> tuple[Markup, Markup] | None:
        """The button's markup before and after the record's key; None for those whose role
        may not void this model's records."""
        capabilities, school_code, csrf_token, next_url = self._page
        capability = registry.voidables.get(label)
        if capability is None or capability not in capabilities:
            return None
        _voided, void, reason = _texts(get_language())
        form = _VOID_FORM.format(
            base=_void_base(
                get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), school_code, label
            ),
            csrf_token=str(csrf_token),
            next_url=next_url,
            void=void,
            reason=reason,
        )
        # The first {pk} is the action's: the address back, typed by anyone, comes after it.
        head, tail = form.split("{pk}", 1)
        return head, tail


# Markup.format escapes what it is given, as Django's format_html does, at a third of the cost.
_VOIDED = Markup('<span class="badge text-bg-secondary" title="{why}">{voided}: {why}</span>')
_VOID_FORM = Markup(
    '\n<details class="d-inline-block void-form">\n'
    '  <summary class="btn btn-sm btn-outline-danger">{void}</summary>\n'
    '  <form method="post" action="{base}{{pk}}/" class="mt-2 d-flex gap-2">\n'
    '    <input type="hidden" name="csrfmiddlewaretoken" value="{csrf_token}">\n'
    '    <input type="hidden" name="next" value="{next_url}">\n'
    '    <input class="form-control form-control-sm" name="reason" required maxlength="200"'
    ' placeholder="{reason}" aria-label="{reason}">\n'
    '    <button class="btn btn-sm btn-danger">{void}</button>\n'
    "  </form>\n"
    "</details>"
)


@lru_cache(maxsize=16)
def _texts(language: str | None) -> tuple[Markup, Markup, Markup]:
    """The button's words, translated once per language rather than three times a row."""
    return escape(gettext("Voided")), escape(gettext("Void")), escape(gettext("Reason for voiding"))


@lru_cache(maxsize=1024)
def _void_base(urlconf: str, prefix: str, code: str, label: str) -> str:
    """The kernel void view's URL up to the record's key, once per school and model (the
    URLconf and script prefix are in the key: reverse() depends on both)."""
    return reverse("record_void", urlconf=urlconf, args=[code, label, 0])[: -len("0/")]
