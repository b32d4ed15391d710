"""Business events: an append-only log, hash-chained per school.

Services write one event per meaningful act (`finance.expense.signed`), inside the same
transaction as the act. Each event's hash covers its content and the previous event's hash,
so changing or removing any row breaks the chain from that row on; `manage.py verify_audit`
finds the first broken link.

The chain is anchored outside the table: every hash is sealed with an HMAC whose key is not in
the database (settings.AUDIT_KEY), so a chain rewritten from some row on does not verify, and
each school's last event is recorded, sealed, in AuditHead, so a cut-off tail is found too.
`verify_audit` prints each head; kept on paper or in another system, it anchors the chain even
against someone who holds the key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.db.models import Q
from django.db.models.functions import Cast
from django.utils import timezone
from django_scopes import scopes_disabled

from logistics.models import Approval, AuditEvent, AuditHead, School

GENESIS = "0" * 64
_LOCK_NAMESPACE = 7310  # pg_advisory_xact_lock(namespace, school_id): one writer per chain


def event_digest(event: AuditEvent) -> str:
    payload = json.dumps(
        {
            "school": event.school_id,
            "seq": event.seq,
            "at": event.occurred_at.isoformat(),
            "actor": event.actor_id,
            "action": event.action,
            "object_type": event.object_type,
            "object_id": event.object_id,
            "summary": event.summary,
            "data": event.data,
            "prev": event.prev_hash,
        },
        sort_keys=True,
        ensure_ascii=False,
        cls=DjangoJSONEncoder,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def seal(text: str) -> str:
    return hmac.new(settings.AUDIT_KEY.encode(), text.encode(), hashlib.sha256).hexdigest()


def head_text(school_id: int, seq: int, digest: str) -> str:
    return f"{school_id}:{seq}:{digest}"


def record_event(
    *,
    school: School,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    summary: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one business event to the school's chain (call inside the service's transaction)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_NAMESPACE, school.pk])
        with scopes_disabled():
            last = (
                AuditEvent.objects.filter(school=school)
                .order_by("-seq")
                .values_list("seq", "hash")
                .first()
            )
        seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
        event = AuditEvent(
            school=school,
            seq=seq,
            occurred_at=timezone.now(),
            actor=actor if getattr(actor, "is_authenticated", False) else None,
            action=action,
            object_type=obj._meta.label_lower if obj is not None else "",
            object_id=str(obj.pk) if obj is not None else "",
            summary=summary[:300],
            # Round-trip through JSON so the stored value hashes the same when read back.
            data=json.loads(json.dumps(data or {}, cls=DjangoJSONEncoder)),
            prev_hash=prev,
        )
        event.hash = event_digest(event)
        event.mac = seal(event.hash)
        with scopes_disabled():
            event.save(force_insert=True)
        AuditHead.objects.update_or_create(
            school=school,
            defaults={
                "seq": seq,
                "hash": event.hash,
                "mac": seal(head_text(school.pk, seq, event.hash)),
            },
        )
        return event


@dataclass(frozen=True)
class BrokenLink:
    school_code: str
    seq: int
    event_id: int
    reason: str


def verify_chain(school: School) -> BrokenLink | None:
    """Walk one school's chain in order, then check its sealed head; return the first broken
    link, or None."""
    expected_prev, expected_seq, last_id = GENESIS, 1, 0
    for event in _iter_events(school):
        if event.seq != expected_seq:
            return BrokenLink(school.code, expected_seq, event.pk, "missing event")
        if event.prev_hash != expected_prev:
            return BrokenLink(school.code, event.seq, event.pk, "previous hash does not match")
        if event_digest(event) != event.hash:
            return BrokenLink(school.code, event.seq, event.pk, "content does not match hash")
        if not hmac.compare_digest(event.mac, seal(event.hash)):
            return BrokenLink(school.code, event.seq, event.pk, "seal does not match")
        expected_prev, expected_seq, last_id = event.hash, expected_seq + 1, event.pk
    last_seq = expected_seq - 1
    head = AuditHead.objects.filter(school=school).first()
    if head is None:
        return None if last_seq == 0 else BrokenLink(school.code, last_seq, last_id, "no head")
    if not hmac.compare_digest(head.mac, seal(head_text(school.pk, head.seq, head.hash))):
        return BrokenLink(school.code, head.seq, 0, "head seal does not match")
    if head.seq != last_seq or head.hash != expected_prev:
        return BrokenLink(school.code, last_seq + 1, 0, "events missing after the last one")
    return None


def chain_head(school: School) -> tuple[int, str]:
    """(seq, hash) of the school's last event, to be written down as an outside anchor."""
    head = AuditHead.objects.filter(school=school).values_list("seq", "hash").first()
    return head or (0, GENESIS)


def _iter_events(school: School) -> Iterator[AuditEvent]:
    with scopes_disabled():
        yield from AuditEvent.objects.filter(school=school).order_by("seq").iterator(2000)


def events_for(obj: models.Model) -> models.QuerySet[AuditEvent]:
    """Business events about one record, newest first (for its history panel), including
    those of its approval chains: signatures, returns, reminders."""
    label, pk = obj._meta.label_lower, str(obj.pk)
    approval_ids = Approval.objects.filter(
        school=obj.school_id, object_type=label, object_id=pk
    ).values_list(Cast("pk", models.CharField()), flat=True)
    return (
        AuditEvent.objects.filter(school_id=obj.school_id)
        .filter(
            Q(object_type=label, object_id=pk)
            | Q(object_type="logistics.approval", object_id__in=approval_ids)
        )
        .select_related("actor")
        .order_by("-seq")
    )
