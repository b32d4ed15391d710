"""Jinja2 for the rows of long lists and the tabs (`{% jinja %}` in logistics_tags).

The pages are Django templates; a list's row loop (and an app's tabs) is a Jinja2 template under
templates/jinja2/, rendered by `{% jinja "<app>/<name>.html" key=value … %}`. Django's template
engine spends about 5 µs on each variable and tag, so a 50-row page of a ledger or the asset
register spent more on its rows than on its queries; Jinja2 compiles a template to Python and
renders the same rows in a fraction of that (docs/performance.md).

The environment behaves like the Django templates around it: values are escaped, rendered in
local time and localized as `{{ value }}` renders them there, None renders as nothing, and the
translations are Django's (`_("…")`, `pgettext("context", "…")`), from the same catalogues.
"""

from __future__ import annotations

import datetime
from functools import lru_cache, partial

from django.conf import settings
from django.utils import formats, timezone, translation
from jinja2 import Environment, pass_context
from markupsafe import Markup

from logistics.context_processors import school_url
from logistics.html import VoidForms, yuan


def environment(**options) -> Environment:
    options.pop("autoescape", None)  # always on, whatever the settings say
    env = Environment(
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        # Read once: a setting read costs more than printing a number.
        finalize=partial(_finalize, grouping=settings.USE_THOUSAND_SEPARATOR),
        **options,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]  # added by the i18n extension
        translation.gettext,
        translation.ngettext,
        newstyle=True,
        pgettext=translation.pgettext,
        npgettext=translation.npgettext,
    )
    env.filters.update(date=date, yuan=yuan)
    env.globals.update(void_form=_void_form, url=_url)
    return env


def _finalize(value, *, grouping: bool):
    """What `{{ value }}` prints, as in a Django template (where None needs |default:"")."""
    kind = type(value)
    if kind is str or kind is Markup:  # most cells, and markup made in Python: as they are
        return value
    if value is None:
        return ""
    if kind is int and not grouping:  # numbers, keys
        return str(value)
    if kind is datetime.date:  # a ledger's date column repeats a few dates down the page
        return _local_date(value, translation.get_language())
    return formats.localize(timezone.template_localtime(value))


@lru_cache(maxsize=2048)
def _local_date(value: datetime.date, language: str | None) -> str:
    return formats.localize(value)


def date(value, format_string: str | None = None) -> str:
    """Django's |date: a format name or characters, in local time; nothing for None."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        value = timezone.localtime(value)  # what template_localtime does, without its checks
    if pattern := _numeric_pattern(format_string):  # "Y-m-d H:i": the same in every language
        return value.strftime(pattern)
    return formats.date_format(value, format_string)


@lru_cache(maxsize=64)
def _numeric_pattern(format_string: str | None) -> str | None:
    """The strftime pattern of a Django date format made only of numeric fields and
    punctuation, which strftime writes ten times faster; None for anything else."""
    fields = {"Y": "%Y", "m": "%m", "d": "%d", "H": "%H", "i": "%M", "s": "%S"}
    if not format_string or not all(c in fields or not c.isalnum() for c in format_string):
        return None
    if "%" in format_string or "\\" in format_string:
        return None
    return "".join(fields.get(c, c) for c in format_string)


@pass_context
def _void_form(context, record, pk=None, void_reason: str = "") -> Markup:
    """{{ void_form(record) }} for a model instance; {{ void_form("app.model", row.pk,
    row.void_reason) }} for a list's plain row (the page's `void_forms`, from the tag)."""
    forms: VoidForms = context["void_forms"]
    if pk is None:
        return forms.record_button(record)
    return forms.button(record, pk, void_reason)


@pass_context
def _url(context, name: str, *args) -> str:
    """{{ url("assets:asset_list") }}: reverse(name, args=[the page's school, *args]), made
    once per school and process (a {% url %} costs about as much as a small query)."""
    return school_url(name, context["school"].code, *args)
