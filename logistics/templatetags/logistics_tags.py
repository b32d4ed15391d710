from __future__ import annotations

import pghistory.models
from django import template
from django.template import engines
from django.utils.safestring import SafeString

from logistics import html, selectors
from logistics.approvals import may_act_on_step
from logistics.audit import events_for
from logistics.html import VoidForms
from logistics.models import Approval

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
    """A void-with-reason button for a statutory record, for those whose role may void it;
    a voided record shows its reason instead."""
    return VoidForms(
        capabilities=context.get("capabilities", ()),
        school_code=context["school"].code,
        csrf_token=context.get("csrf_token"),
        next_url=context["request"].get_full_path(),
    ).record_button(record)


@register.simple_tag(takes_context=True)
def jinja(context, template_name: str, **values) -> str:
    """templates/jinja2/<template_name> rendered by Jinja2 (logistics.jinja: why), given the
    values named here and the page's school, capabilities, CSRF token and path (for the void
    buttons' way back): a list's rows, an app's tabs, the layout's navigation bar (also on the
    public board, rendered without a request)."""
    request = context.get("request")
    school, capabilities = context.get("school"), context.get("capabilities", ())
    csrf_token = context.get("csrf_token")
    next_url = request.get_full_path() if request is not None else ""
    # Safe: the Jinja2 environment escapes every value (autoescape forced on, logistics.jinja).
    return SafeString(  # nosec B703
        engines["jinja2"]
        .get_template(template_name)
        .template.render(
            school=school,
            capabilities=capabilities,
            csrf_token=csrf_token,
            next_url=next_url,
            void_forms=VoidForms(
                capabilities=capabilities,
                school_code=school.code if school is not None else None,
                csrf_token=csrf_token,
                next_url=next_url,
            ),
            **values,
        )
    )


@register.filter
def yuan(value) -> str:
    return html.yuan(value)


@register.simple_tag(takes_context=True)
def page_link(context, number: int) -> str:
    """?<the current filters>&page=<number>: paging keeps what the list was filtered by."""
    query = context["request"].GET.copy()
    query["page"] = number
    return "?" + query.urlencode()
