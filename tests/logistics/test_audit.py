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


def _rewrite(sql, params):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")  # bypass triggers
        cursor.execute(sql, params)
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def test_a_chain_rewritten_with_correct_hashes_fails_its_seals(world):
    from logistics.audit import event_digest

    events = _events(world, 3)
    # Someone with write access edits an event and recomputes every hash after it.
    with scopes_disabled():
        tampered = AuditEvent.objects.get(pk=events[1].pk)
        tampered.summary = "改过的"
        tampered.hash = event_digest(tampered)
        _rewrite(
            "UPDATE logistics_auditevent SET summary = %s, hash = %s WHERE id = %s",
            [tampered.summary, tampered.hash, tampered.pk],
        )
        last = AuditEvent.objects.get(pk=events[2].pk)
        last.prev_hash = tampered.hash
        last.hash = event_digest(last)
        _rewrite(
            "UPDATE logistics_auditevent SET prev_hash = %s, hash = %s WHERE id = %s",
            [last.prev_hash, last.hash, last.pk],
        )
    link = verify_chain(world.school)
    assert (link.seq, link.reason) == (2, "seal does not match")


def test_a_cut_off_tail_is_found(world):
    events = _events(world, 4)
    _rewrite("DELETE FROM logistics_auditevent WHERE id = ANY(%s)", [[e.pk for e in events[2:]]])
    link = verify_chain(world.school)
    assert (link.seq, link.reason) == (3, "events missing after the last one")


def test_verify_audit_prints_each_schools_head_as_an_outside_anchor(world, capsys):
    events = _events(world, 2)
    call_command("verify_audit", school="sdcz")
    assert f"sdcz: ok (head #2 {events[-1].hash})" in capsys.readouterr().out


def test_the_site_role_cannot_lift_the_append_only_trigger_or_empty_the_log(world):
    """Run as a role that does not own the tables (docs/security.md): rows yes, DDL no."""
    events = _events(world, 1)
    role = f"app_{connection.settings_dict['NAME']}"[:60]
    with connection.cursor() as cursor:
        cursor.execute(f'DROP ROLE IF EXISTS "{role}"')
        cursor.execute(f'CREATE ROLE "{role}" NOLOGIN')
    call_command("grant_app_role", role)
    refused = [
        "ALTER TABLE logistics_auditevent DISABLE TRIGGER USER",
        "TRUNCATE logistics_auditevent",
        "UPDATE logistics_auditevent SET summary = 'x'",
        "DELETE FROM logistics_auditevent",
        "SET session_replication_role = replica",
    ]
    try:
        with connection.cursor() as cursor:
            for sql in refused:
                with (
                    pytest.raises(Exception, match=r"permission denied|must be owner"),
                    transaction.atomic(),
                ):
                    cursor.execute(f'SET LOCAL ROLE "{role}"')
                    cursor.execute(sql)
            with transaction.atomic():
                cursor.execute(f'SET LOCAL ROLE "{role}"')
                # The site's own work still goes through.
                record_event(school=world.school, actor=None, action="test.as.app")
                cursor.execute("SELECT count(*) FROM logistics_auditevent")
                assert cursor.fetchone()[0] == len(events) + 1
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")  # SET LOCAL outlives a released savepoint
            cursor.execute(f'DROP OWNED BY "{role}"')
            cursor.execute(f'DROP ROLE "{role}"')
    assert verify_chain(world.school) is None


def test_the_audit_page_names_each_actor_and_its_rows_cost_no_query_each(
    world, login, django_assert_num_queries
):
    teacher = world.user("teacher")
    teacher.first_name, teacher.last_name = "", ""
    teacher.save()
    with scopes_disabled():
        record_event(school=world.school, actor=world.user("principal"), action="a.named")
        record_event(school=world.school, actor=teacher, action="a.unnamed")
        record_event(school=world.school, actor=None, action="a.system")
    client = login("principal")
    with django_assert_num_queries(5):  # session, user, access, count, one page of rows
        page = client.get("/s/sdcz/audit/").content.decode()
    rows = {
        action: page[page.index(action) - 200 : page.index(action)]
        for action in ("a.named", "a.unnamed", "a.system")
    }
    assert world.user("principal").get_full_name() in rows["a.named"]
    assert "<td>teacher</td>" in rows["a.unnamed"]
    assert "<td>—</td>" in rows["a.system"]
