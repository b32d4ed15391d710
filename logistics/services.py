"""Kernel writes shared by every app."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from logistics.audit import record_event
from logistics.models import School, Voidable
from logistics.registry import registry


def record_void(*, school: School, actor, record: Voidable, reason: str) -> Voidable:
    """Void a statutory record with a reason; voiding twice is a no-op.

    The row stays (the database refuses to delete it); lists hide or strike it through.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError({"void_reason": _("Give the reason for voiding this record.")})
    with transaction.atomic():
        locked = type(record).objects.select_for_update().get(pk=record.pk, school=school)
        if locked.voided_at is not None:
            return locked
        guard = registry.void_guards.get(locked._meta.label_lower)
        if guard is not None:
            guard(locked)
        locked.voided_at = timezone.now()
        locked.voided_by = actor
        locked.void_reason = reason[:200]
        locked.save(update_fields=["voided_at", "voided_by", "void_reason"])
        record_event(
            school=school,
            actor=actor,
            action=f"{locked._meta.label_lower}.voided",
            obj=locked,
            summary=reason[:300],
        )
        return locked
