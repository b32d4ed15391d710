"""One approval engine for every document that needs signatures.

An app registers a document type with a policy: a function that turns the document (and
its school's settings, e.g. the large-expense threshold) into an ordered chain of steps,
each needing one capability. Every transition locks the approval row, checks the current
state, writes its change and the audit event in one transaction, and calls the app's hooks.
Repeating a finished transition (a double-clicked button, a re-sent POST) is a no-op.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from logistics.audit import record_event
from logistics.models import Approval, Notification, School, Signature
from logistics.roles import capabilities_for, users_with_capability


@dataclass(frozen=True)
class Step:
    capability: str
    label: str
    # Only this person may sign the step (e.g. the handler's own 经办人 step), besides holding
    # the capability.
    user_id: int | None = None


@dataclass(frozen=True)
class ApprovalType:
    code: str
    label: str
    policy: Callable[[School, Any], list[Step]]
    url: Callable[[Approval], str]
    # Called inside the transaction that finishes the chain (approved / rejected / ...).
    on_finished: Callable[[Approval], None] | None = None
    # The app lists these on the dashboard itself (with amounts and purposes), so the
    # kernel's generic "documents wait for your signature" leaves them out: no item twice.
    own_todo: bool = False


_types: dict[str, ApprovalType] = {}


def register_type(approval_type: ApprovalType) -> None:
    if approval_type.code in _types:
        raise ValueError(f"approval type {approval_type.code} registered twice")
    _types[approval_type.code] = approval_type


def get_type(code: str) -> ApprovalType:
    return _types[code]


def types_with_own_todo() -> list[str]:
    return [code for code, t in _types.items() if t.own_todo]


class ApprovalError(ValidationError):
    """A transition that is not allowed now; the message is for the user."""


def _steps_json(steps: list[Step]) -> list[dict[str, str]]:
    if not steps:
        raise ValueError("an approval chain needs at least one step")
    return [
        {"capability": s.capability, "label": str(s.label)}
        | ({"user_id": s.user_id} if s.user_id is not None else {})
        for s in steps
    ]


def _locked(school: School, approval_id: int) -> Approval:
    return Approval.objects.select_for_update().get(pk=approval_id, school=school)


def _active_signatures(approval: Approval) -> models.QuerySet[Signature]:
    return Signature.objects.filter(
        school=approval.school_id, approval=approval, round=approval.round, voided_at__isnull=True
    )


def may_act_on_step(approval: Approval, step: int, user, capabilities) -> bool:
    """Whether `user` holds step `step`: its capability, its named signer if it names one, and
    never the requester on a step that does not name them (nobody signs their own document)."""
    wanted = approval.steps[step]
    named = wanted.get("user_id")
    if named is not None:
        return named == user.pk and wanted["capability"] in capabilities
    return wanted["capability"] in capabilities and approval.requested_by_id != user.pk


def _check_holder(approval: Approval, actor, school: School, message: str) -> None:
    if approval.status != Approval.PENDING:
        raise ApprovalError(_("This document is not waiting for signatures."))
    caps = capabilities_for(actor, school) or frozenset()
    if not may_act_on_step(approval, approval.current_step, actor, caps):
        raise ApprovalError(message)


def _set_step(approval: Approval, step: int) -> None:
    # Reminders about the step that is now behind us are done with.
    Notification.objects.filter(
        school=approval.school_id, approval=approval.pk, read_at__isnull=True
    ).update(read_at=timezone.now())
    approval.current_step = step
    current = approval.steps[step] if step < len(approval.steps) else {}
    approval.current_capability = current.get("capability", "")
    approval.current_signer_id = current.get("user_id")


def _finish(approval: Approval, status: str) -> None:
    approval.status = status
    approval.current_capability = ""
    approval.current_signer_id = None
    hook = _types[approval.doc_type].on_finished
    if hook is not None:
        hook(approval)


def _void_signatures(approval: Approval, reason: str, from_step: int = 0) -> int:
    return (
        _active_signatures(approval)
        .filter(step__gte=from_step)
        .update(voided_at=timezone.now(), void_reason=reason[:200])
    )


def _log(approval: Approval, actor, verb: str, summary: str = "", **data: Any) -> None:
    record_event(
        school=approval.school,
        actor=actor,
        action=f"{approval.doc_type}.{verb}",
        obj=approval,
        summary=summary or approval.title,
        data={"round": approval.round, "step": approval.current_step, **data},
    )


def approval_start(
    *,
    school: School,
    actor,
    doc_type: str,
    obj: models.Model,
    title: str,
    amount: Decimal | None = None,
) -> Approval:
    """Open the chain for a document; the policy decides the steps."""
    kind = _types[doc_type]
    with transaction.atomic():
        approval = Approval(
            school=school,
            doc_type=doc_type,
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            title=title[:200],
            amount=amount,
            requested_by=actor,
            steps=_steps_json(kind.policy(school, obj)),
        )
        _set_step(approval, 0)
        approval.full_clean()
        approval.save()
        _log(approval, actor, "submitted", amount=amount)
        return approval


def approval_sign(
    *, school: School, actor, approval_id: int, step: int, comment: str = ""
) -> Approval:
    """Sign step `step` (the step the signer saw on screen). Repeating it is a no-op."""
    with transaction.atomic():
        approval = _locked(school, approval_id)
        mine = _active_signatures(approval).filter(signer=actor)
        if mine.filter(step=step).exists():
            return approval  # a repeated POST
        if approval.status != Approval.PENDING:
            raise ApprovalError(_("This document is not waiting for signatures."))
        if step != approval.current_step:
            raise ApprovalError(_("This step has already been handled; reload the page."))
        if not may_act_on_step(approval, step, actor, capabilities_for(actor, school) or ()):
            if approval.requested_by_id == actor.pk:
                raise ApprovalError(_("You may not sign your own document."))
            raise ApprovalError(_("You may not sign this step."))
        if mine.exists():
            raise ApprovalError(_("You have already signed another step of this document."))
        signature = Signature(
            school=school,
            approval=approval,
            round=approval.round,
            step=step,
            step_label=approval.steps[step]["label"],
            signer=actor,
            signed_at=timezone.now(),
            comment=comment[:300],
        )
        signature.full_clean()
        signature.save()
        _log(approval, actor, "signed", summary=f"{signature.step_label}: {approval.title}")
        _set_step(approval, step + 1)
        if approval.current_step >= len(approval.steps):
            _finish(approval, Approval.APPROVED)
            _log(approval, actor, "approved")
        approval.save(
            update_fields=[
                "current_step",
                "current_capability",
                "current_signer",
                "status",
                "updated_at",
            ]
        )
        return approval


def approval_return(
    *, school: School, actor, approval_id: int, to_step: int | None, comment: str
) -> Approval:
    """Send back for revision: to the requester (to_step=None) or to an earlier step."""
    if not comment.strip():
        raise ApprovalError(_("Say what needs to change."))
    with transaction.atomic():
        approval = _locked(school, approval_id)
        _check_holder(
            approval, actor, school, _("Only the holder of the current step may return it.")
        )
        if to_step is None:
            _void_signatures(approval, _("Returned for revision: %s") % comment)
            approval.status = Approval.RETURNED
            approval.round += 1
            _set_step(approval, 0)
            approval.current_capability = ""
        else:
            if not 0 <= to_step < approval.current_step:
                raise ApprovalError(_("Choose an earlier step."))
            _void_signatures(approval, _("Returned to an earlier step: %s") % comment, to_step)
            _set_step(approval, to_step)
        approval.save()
        _log(approval, actor, "returned", summary=comment, to_step=to_step)
        return approval


def approval_resubmit(*, school: School, actor, approval_id: int, obj: models.Model) -> Approval:
    """The requester sends a returned document again; the policy recomputes the chain."""
    with transaction.atomic():
        approval = _locked(school, approval_id)
        if approval.status == Approval.PENDING:
            return approval
        if approval.status != Approval.RETURNED:
            raise ApprovalError(_("Only a returned document can be submitted again."))
        approval.steps = _steps_json(_types[approval.doc_type].policy(school, obj))
        approval.status = Approval.PENDING
        _set_step(approval, 0)
        approval.save()
        _log(approval, actor, "resubmitted")
        return approval


def approval_restart(
    *,
    school: School,
    actor,
    approval_id: int,
    obj: models.Model,
    reason: str,
    title: str = "",
    amount: Decimal | None = None,
) -> Approval:
    """The document changed (amount, fund, category): void every signature, start again."""
    with transaction.atomic():
        approval = _locked(school, approval_id)
        # A withdrawn document may be submitted again; a rejected one is closed for good.
        if approval.status == Approval.REJECTED:
            raise ApprovalError(_("This document is closed."))
        voided = _void_signatures(approval, reason)
        approval.round += 1
        approval.steps = _steps_json(_types[approval.doc_type].policy(school, obj))
        approval.status = Approval.PENDING
        approval.title = (title or approval.title)[:200]
        approval.amount = amount if amount is not None else approval.amount
        _set_step(approval, 0)
        approval.save()
        _log(approval, actor, "restarted", summary=reason, voided_signatures=voided)
        return approval


def approval_reject(*, school: School, actor, approval_id: int, reason: str) -> Approval:
    """Final refusal, with a reason."""
    if not reason.strip():
        raise ApprovalError(_("Give the reason for rejecting."))
    with transaction.atomic():
        approval = _locked(school, approval_id)
        if approval.status == Approval.REJECTED:
            return approval
        _check_holder(
            approval, actor, school, _("Only the holder of the current step may reject it.")
        )
        _finish(approval, Approval.REJECTED)
        approval.save()
        _log(approval, actor, "rejected", summary=reason)
        return approval


def approval_withdraw(*, school: School, actor, approval_id: int) -> Approval:
    """The requester takes the document back, before anyone has signed it."""
    with transaction.atomic():
        approval = _locked(school, approval_id)
        if approval.status == Approval.WITHDRAWN:
            return approval
        if approval.requested_by_id != actor.pk:
            raise ApprovalError(_("Only the requester may withdraw this document."))
        if approval.status not in (Approval.PENDING, Approval.RETURNED) or (
            _active_signatures(approval).exclude(signer=actor).exists()
        ):
            raise ApprovalError(_("Someone has already signed; it can no longer be withdrawn."))
        _void_signatures(approval, _("Withdrawn by the requester"))
        _finish(approval, Approval.WITHDRAWN)
        approval.save()
        _log(approval, actor, "withdrawn")
        return approval


def approval_remind(*, school: School, actor, approval_id: int) -> Approval:
    """催办: the requester reminds whoever holds the current step; each of them gets a
    notification (dashboard, and e-mail from `send_reminders`) once the reminder is saved."""
    with transaction.atomic():
        approval = _locked(school, approval_id)
        if approval.status != Approval.PENDING:
            raise ApprovalError(_("This document is not waiting for signatures."))
        if approval.requested_by_id != actor.pk:
            raise ApprovalError(_("Only the requester may send a reminder."))
        holders = step_holders(approval)
        if not holders:
            raise ApprovalError(_("Nobody holds this step yet; ask the school's administrator."))
        label = approval.steps[approval.current_step]["label"]
        url = _types[approval.doc_type].url(approval)
        Notification.objects.bulk_create(
            Notification(
                school=school,
                user=user,
                approval=approval,
                text=_("Reminder from %(who)s: “%(title)s” waits for your signature (%(step)s)")
                % {
                    "who": actor.get_full_name() or actor.get_username(),
                    "title": approval.title,
                    "step": label,
                },
                url=url,
            )
            for user in holders
        )
        _log(
            approval,
            actor,
            "reminded",
            summary=_("Reminder to %(names)s")
            % {"names": "、".join(u.get_full_name() or u.get_username() for u in holders)},
            capability=approval.current_capability,
        )
        return approval


def step_holders(approval: Approval) -> list:
    """Who may sign the current step now: its named signer, or the holders of its capability
    other than the requester and those who signed another step."""
    step = approval.steps[approval.current_step]
    named = step.get("user_id")
    signed = set(_active_signatures(approval).values_list("signer_id", flat=True))
    return [
        u
        for u in users_with_capability(approval.school, step["capability"])
        if (u.pk == named if named is not None else u.pk != approval.requested_by_id)
        and u.pk not in signed
    ]
