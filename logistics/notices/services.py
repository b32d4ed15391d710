"""Every write to notices: drafts, submission, publication (on the principal's approval),
corrections that supersede, withdrawal. Published snapshots are frozen by a DB trigger."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from logistics import approvals
from logistics.audit import record_event
from logistics.models import Approval, School, Signature
from logistics.notices import tasks
from logistics.notices.kinds import FREE_TABLE, NoRecords, NoticeKind, get_kind
from logistics.notices.models import KindSetting, Notice, Rendering
from logistics.roles import users_with_capability

DOC_TYPE = "notice"
MAX_PUBLICATION_DAYS = 365


def _build(school: School, kind_code: str, start, end) -> dict[str, Any]:
    kind = get_kind(kind_code)
    if kind.build is None:
        raise ValidationError(_("This kind of notice is typed in, not built from records."))
    if start and end and start > end:
        raise ValidationError({"period_end": _("The period ends before it starts.")})
    try:
        # Printed notices are Chinese whatever the preparer's language.
        with translation.override("zh-hans"):
            return kind.build(school=school, start=start, end=end).to_json()
    except NoRecords as exc:
        raise ValidationError(str(exc) or _("There are no records for this period.")) from exc


def _check_days(days: int) -> None:
    if not 1 <= days <= MAX_PUBLICATION_DAYS:
        raise ValidationError(
            {
                "publication_days": _("The publication period is 1 to %d days.")
                % MAX_PUBLICATION_DAYS
            }
        )


def _save_new(notice: Notice, actor) -> Notice:
    notice.full_clean()
    notice.save()
    record_event(
        school=notice.school,
        actor=actor,
        action="notice.drafted",
        obj=notice,
        summary=notice.title,
        data={"kind": notice.kind, "version": notice.version},
    )
    return notice


def notice_create(
    *, school: School, actor, kind_code: str, start: datetime.date, end: datetime.date
) -> Notice:
    """A draft built from the kind's records of the period."""
    snapshot = _build(school, kind_code, start, end)
    with transaction.atomic():
        return _save_new(
            Notice(
                school=school,
                kind=kind_code,
                title=snapshot["title"][:200],
                period_start=start,
                period_end=end,
                snapshot=snapshot,
                created_by=actor,
            ),
            actor,
        )


def notice_create_table(*, school: School, actor, snapshot: dict[str, Any]) -> Notice:
    """A free-table draft (typed in or imported from Excel)."""
    if not snapshot["rows"]:
        raise ValidationError(_("The table has no rows."))
    _check_days(snapshot["publication_days"])
    with transaction.atomic():
        return _save_new(
            Notice(
                school=school,
                kind=FREE_TABLE.code,
                title=snapshot["title"][:200],
                snapshot=snapshot,
                created_by=actor,
            ),
            actor,
        )


def publish_capability(school: School, kind: NoticeKind) -> str:
    """Who publishes this kind in this school: the school's choice, else the kind's default."""
    chosen = (
        KindSetting.objects.filter(school=school, kind=kind.code)
        .values_list("publish_capability", flat=True)
        .first()
    )
    return chosen or kind.publish_capability


def notice_policy(school: School, notice: Notice) -> list[approvals.Step]:
    """One signature by the kind's publisher; when only the preparer holds that capability
    (the principal's own notice), the central school signs instead."""
    capability = publish_capability(school, get_kind(notice.kind))
    others = [u for u in users_with_capability(school, capability) if u.pk != notice.created_by_id]
    if others or school.parent_id is None:
        return [approvals.Step(capability, _("Publisher"))]
    return [approvals.Step("notices.approve_central", _("Central-school principal"))]


def _lock(school: School, notice_id: int) -> Notice:
    return Notice.objects.select_for_update().get(pk=notice_id, school=school)


def is_editable(notice: Notice) -> bool:
    if notice.status == Notice.DRAFT:
        return True
    return notice.status == Notice.SUBMITTED and (
        notice.approval is not None and notice.approval.status == Approval.RETURNED
    )


def notice_update_draft(
    *,
    school: School,
    actor,
    notice_id: int,
    notes: str,
    publication_days: int,
    refresh: bool = False,
) -> Notice:
    """Edit the notes and publication period of a draft; optionally rebuild from the records."""
    _check_days(publication_days)
    with transaction.atomic():
        notice = _lock(school, notice_id)
        if not is_editable(notice):
            raise ValidationError(_("Only a draft can be changed."))
        snapshot = dict(notice.snapshot)
        if refresh and get_kind(notice.kind).build is not None:
            snapshot = _build(school, notice.kind, notice.period_start, notice.period_end)
        snapshot["notes"] = notes
        snapshot["publication_days"] = publication_days
        notice.snapshot = snapshot
        notice.title = snapshot["title"][:200]
        notice.save(update_fields=["snapshot", "title"])
        record_event(
            school=school,
            actor=actor,
            action="notice.edited",
            obj=notice,
            summary=notice.title,
            data={"refreshed": refresh},
        )
        return notice


def notice_replace_table(
    *, school: School, actor, notice_id: int, snapshot: dict[str, Any]
) -> Notice:
    """Type in or import the table of a free-table draft again (e.g. for a correction)."""
    with transaction.atomic():
        notice = _lock(school, notice_id)
        if notice.kind != FREE_TABLE.code:
            raise ValidationError(_("Only a free-table notice is typed in."))
        if not is_editable(notice):
            raise ValidationError(_("Only a draft can be changed."))
        if not snapshot["rows"]:
            raise ValidationError(_("The table has no rows."))
        _check_days(snapshot["publication_days"])
        notice.snapshot = snapshot
        notice.title = snapshot["title"][:200]
        notice.save(update_fields=["snapshot", "title"])
        record_event(
            school=school,
            actor=actor,
            action="notice.edited",
            obj=notice,
            summary=notice.title,
            data={"rows": len(snapshot["rows"])},
        )
        return notice


def notice_submit(*, school: School, actor, notice_id: int) -> Notice:
    """Send the draft to the principal. Resubmitting a returned notice restarts its chain."""
    with transaction.atomic():
        notice = _lock(school, notice_id)
        if notice.status == Notice.SUBMITTED and notice.approval.status == Approval.PENDING:
            return notice  # a repeated POST
        if not is_editable(notice):
            raise ValidationError(_("Only a draft can be submitted."))
        # The preparer is the requester whoever presses the button, so the engine never
        # lets them publish their own notice.
        if notice.approval is None:
            notice.approval = approvals.approval_start(
                school=school,
                actor=notice.created_by,
                doc_type=DOC_TYPE,
                obj=notice,
                title=notice.title,
            )
        else:
            approvals.approval_restart(
                school=school,
                actor=actor,
                approval_id=notice.approval_id,
                obj=notice,
                reason=_("Submitted again"),
                title=notice.title,
            )
        notice.status = Notice.SUBMITTED
        notice.save(update_fields=["status", "approval"])
        return notice


def _publish(notice: Notice, actor) -> None:
    """Called by the approval engine inside the transaction that records the last signature."""
    now = timezone.now()
    notice.status = Notice.PUBLISHED
    notice.published_at = now
    days = int(notice.snapshot.get("publication_days", 7))
    notice.public_until = timezone.localdate(now) + datetime.timedelta(days=days)
    notice.save(update_fields=["status", "published_at", "public_until"])
    if notice.supersedes_id:
        Notice.objects.filter(pk=notice.supersedes_id, status=Notice.PUBLISHED).update(
            status=Notice.SUPERSEDED
        )
    Rendering.objects.get_or_create(school=notice.school, notice=notice)
    _board_changed(notice.school_id)
    record_event(
        school=notice.school,
        actor=actor,
        action="notice.published",
        obj=notice,
        summary=notice.title,
        data={"version": notice.version, "verify_code": notice.verify_code},
    )
    rendering = Rendering.objects.get(notice=notice)
    transaction.on_commit(lambda: tasks.render_notice_pdf.enqueue(rendering.pk))


def _board_changed(school_id: int) -> None:
    """A new cache key for the school's public board (views.public_board)."""
    School.objects.filter(pk=school_id).update(board_changed_at=timezone.now())


def _on_approval_finished(approval: Approval) -> None:
    notice = Notice.objects.select_for_update().get(
        pk=int(approval.object_id), school=approval.school_id
    )
    if approval.status == Approval.APPROVED:
        # The last signer is the principal who approved; the audit event names them.
        last = (
            Signature.objects.filter(
                school=approval.school_id,
                approval=approval,
                round=approval.round,
                voided_at__isnull=True,
            )
            .select_related("signer")
            .order_by("-step")
            .first()
        )
        _publish(notice, last.signer if last else approval.requested_by)
    elif approval.status == Approval.REJECTED:
        notice.status = Notice.REJECTED
        notice.save(update_fields=["status"])
    elif approval.status == Approval.WITHDRAWN:
        notice.status = Notice.DRAFT
        notice.save(update_fields=["status"])


def notice_withdraw(*, school: School, actor, notice_id: int, reason: str) -> Notice:
    """Take a published notice down, with a reason the public verification page shows."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for withdrawing the notice.")})
    with transaction.atomic():
        notice = _lock(school, notice_id)
        if notice.status == Notice.WITHDRAWN:
            return notice
        if notice.status != Notice.PUBLISHED:
            raise ValidationError(_("Only a published notice can be withdrawn."))
        notice.status = Notice.WITHDRAWN
        notice.withdrawn_reason = reason.strip()[:300]
        notice.save(update_fields=["status", "withdrawn_reason"])
        _board_changed(school.pk)
        record_event(
            school=school, actor=actor, action="notice.withdrawn", obj=notice, summary=reason
        )
        return notice


def notice_correct(*, school: School, actor, notice_id: int) -> Notice:
    """Start the next version of a published notice. Built kinds are rebuilt from the
    (corrected) records; a free table is copied for editing. The published one stays as it
    is until the correction is published and supersedes it."""
    with transaction.atomic():
        notice = _lock(school, notice_id)
        if notice.status != Notice.PUBLISHED:
            raise ValidationError(_("Only a published notice can be corrected."))
        # A correction under way is reused; a rejected one leaves the way open for another.
        existing = Notice.objects.filter(supersedes=notice).exclude(status=Notice.REJECTED).first()
        if existing is not None:
            return existing
        rejected = Notice.objects.filter(supersedes=notice, status=Notice.REJECTED).first()
        if rejected is not None:
            # supersedes is one-to-one: the rejected attempt lets go of the published notice.
            Notice.objects.filter(pk=rejected.pk).update(supersedes=None)
        last_version = (
            Notice.objects.filter(series=notice.series)
            .order_by("-version")
            .values_list("version", flat=True)[0]
        )
        if get_kind(notice.kind).build is not None:
            snapshot = _build(school, notice.kind, notice.period_start, notice.period_end)
            snapshot["notes"] = notice.snapshot.get("notes", "")
        else:
            snapshot = dict(notice.snapshot)
        return _save_new(
            Notice(
                school=school,
                kind=notice.kind,
                title=snapshot["title"][:200],
                period_start=notice.period_start,
                period_end=notice.period_end,
                snapshot=snapshot,
                created_by=actor,
                series=notice.series,
                version=last_version + 1,
                supersedes=notice,
            ),
            actor,
        )


approvals.register_type(
    approvals.ApprovalType(
        code=DOC_TYPE,
        label=_("Public notice"),
        policy=notice_policy,
        url=lambda approval: f"/s/{approval.school.code}/notices/{approval.object_id}/",
        on_finished=_on_approval_finished,
    )
)
