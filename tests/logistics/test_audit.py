from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django_scopes import scopes_disabled

from logistics.audit import record_event, verify_chain
from logistics.models import AuditEvent


def _events(world, n=5):
    return [
        record_event(
            school=world.school,
            actor=world.user("director"),
            action="test.thing.done",
            summary=f"第{i}件事",
            data={"amount": "5000.00", "i": i},
        )
        for i in range(n)
    ]


def test_events_are_chained_per_school(world):
    mine = _events(world, 3)
    theirs = record_event(school=world.other, actor=None, action="test.other")
    assert [e.seq for e in mine] == [1, 2, 3]
    assert mine[1].prev_hash == mine[0].hash and mine[2].prev_hash == mine[1].hash
    assert theirs.seq == 1  # its own chain
    assert verify_chain(world.school) is None


def test_verify_audit_names_the_row_tampered_with_in_sql(world, capsys):
    events = _events(world)
    # A DBA edits one summary directly, bypassing the append-only trigger.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")  # bypass triggers
        cursor.execute(
            "UPDATE logistics_auditevent SET summary = '改过的' WHERE id = %s", [events[2].pk]
        )
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")
    with pytest.raises(CommandError):
        call_command("verify_audit")
    out = capsys.readouterr().out
    assert f"sdcz: BROKEN at event #3 (id {events[2].pk})" in out
    assert "sdxx: ok" in out


def test_verify_audit_finds_a_deleted_row(world):
    events = _events(world)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")  # bypass triggers
        cursor.execute("DELETE FROM logistics_auditevent WHERE id = %s", [events[1].pk])
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")
    link = verify_chain(world.school)
    assert link.seq == 2 and link.reason == "missing event"


def test_the_database_refuses_to_change_or_delete_an_event(world):
    event = _events(world, 1)[0]
    with scopes_disabled():
        with pytest.raises(Exception, match="Cannot"), transaction.atomic():
            AuditEvent.objects.filter(pk=event.pk).update(summary="x")
        with pytest.raises(Exception, match="Cannot"), transaction.atomic():
            AuditEvent.objects.filter(pk=event.pk).delete()


def test_sequence_numbers_are_unique_per_school(world):
    event = _events(world, 1)[0]
    with scopes_disabled(), pytest.raises(IntegrityError), transaction.atomic():
        AuditEvent.objects.create(
            school=world.school,
            seq=event.seq,
            occurred_at=event.occurred_at,
            action="x",
            prev_hash="",
            hash="",
        )
