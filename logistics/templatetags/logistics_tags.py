from __future__ import annotations

from functools import lru_cache

import pghistory.models
from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.timezone import template_localtime
from django.utils.translation import gettext

from logistics import selectors
from logistics.approvals import may_act_on_step
from logistics.audit import events_for
from logistics.models import Approval
from logistics.registry import registry

register = template.Library()


@register.inclusion_tag("logistics/history_panel.html", takes_context=True)
def history_panel(context, obj):
    """Business events and row changes of one record; shown to holders of audit.view."""
    if "audit.view" not in context.get("capabilities", ()):
        return {"obj": obj, "events": [], "changes": [], "hidden": True}
    changes = pghistory.models.Events.objects.tracks(obj).order_by("-pgh_created_at")[:50]
    return {"obj": obj, "events": list(events_for(obj)[:50]), "changes": list(changes)}


@register.inclusion_tag("logistics/approval_panel.html", takes_context=True)
def approval_panel(context, approval):
    """The chain of one document: who signed what and when, and the buttons this user may use."""
    request = context["request"]
    caps = context.get("capabilities", frozenset())
    signatures = {s.step: s for s in selectors.approval_signatures(approval)}
    signed_by_me = any(s.signer_id == request.user.pk for s in signatures.values())
    steps = [
        {
            "index": i,
            "label": step["label"],
            "signature": signatures.get(i),
            "current": approval.status == Approval.PENDING and i == approval.current_step,
        }
        for i, step in enumerate(approval.steps)
    ]
    is_pending = approval.status == Approval.PENDING
    holds_current = is_pending and may_act_on_step(
        approval, approval.current_step, request.user, caps
    )
    is_requester = approval.requested_by_id == request.user.pk
    return {
        "approval": approval,
        "steps": steps,
        "csrf_token": context.get("csrf_token"),
        "school": context.get("school"),
        "can_sign": holds_current and not signed_by_me,
        "can_return": holds_current,
        "can_withdraw": is_requester
        and approval.status in (Approval.PENDING, Approval.RETURNED)
        and not any(s.signer_id != request.user.pk for s in signatures.values()),
        "can_remind": is_requester and is_pending,
    }


@register.simple_tag(takes_context=True)
def void_form(context, record) -> str:
    """A void-with-reason button for a statutory record, for those whose role may void it.

    Written in Python rather than an included template: a ledger page draws one per row."""
    if getattr(record, "is_voided", False):  # a ledger may list records that are not Voidable
        return format_html(
            '<span class="badge text-bg-secondary" title="{}">{}: {}</span>',
            record.void_reason,
            gettext("Voided"),
            record.void_reason,
        )
    label = record._meta.label_lower
    capability = registry.voidables.get(label)
    if capability is None or capability not in context.get("capabilities", ()):
        return ""
    void, reason = gettext("Void"), gettext("Reason for voiding")
    school = context["school"].code
    return format_html(
        '\n<details class="d-inline-block void-form">\n'
        '  <summary class="btn btn-sm btn-outline-danger">{}</summary>\n'
        '  <form method="post" action="{}{}/" class="mt-2 d-flex gap-2">\n'
        '    <input type="hidden" name="csrfmiddlewaretoken" value="{}">\n'
        '    <input type="hidden" name="next" value="{}">\n'
        '    <input class="form-control form-control-sm" name="reason" required maxlength="200"'
        ' placeholder="{}" aria-label="{}">\n'
        '    <button class="btn btn-sm btn-danger">{}</button>\n'
        "  </form>\n"
        "</details>",
        void,
        _void_base(get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), school, label),
        record.pk,
        context.get("csrf_token"),
        context["request"].get_full_path(),
        reason,
        reason,
        void,
    )


@lru_cache(maxsize=1024)
def _void_base(urlconf: str, prefix: str, code: str, label: str) -> str:
    """The kernel void view's URL up to the record's key, once per school and model (the
    URLconf and script prefix are in the key: reverse() depends on both)."""
    return reverse("record_void", urlconf=urlconf, args=[code, label, 0])[: -len("0/")]


@register.simple_tag(takes_context=True)
def cells(context, values) -> str:
    """A <td> for each value, rendered as {{ value|default_if_none:"" }} renders it (local
    time, localized, escaped), in one call: a ledger row has a dozen cells, and the template
    engine spends more on each than on the row's query."""
    return format_html_join(
        "",
        "<td>{}</td>",
        (("" if v is None else _localized(v, context),) for v in values),
    )


def _localized(value, context):
    return localize(template_localtime(value, context.use_tz), context.use_l10n)


@register.simple_tag(takes_context=True)
def page_link(context, number: int) -> str:
    """?<the current filters>&page=<number>: paging keeps what the list was filtered by."""
    query = context["request"].GET.copy()
    query["page"] = number
    return "?" + query.urlencode()
