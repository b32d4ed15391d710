"""The gate register (masking, returning visitors, still inside) and equipment checks."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scopes_disabled

from safety import selectors, services
from safety.models import EquipmentCheck, EquipmentKind, GateEntry

pytestmark = pytest.mark.django_db

ID = "440781198003150018"  # a valid check character


def log_in(world, **kwargs):
    data = {"phone": "13800138000", "name": "张建国", "reason": "送货", "host": "李总务"}
    data.update(kwargs)
    with scopes_disabled():
        return services.gate_log_in(school=world.school, actor=world.user("guard"), **data)


def test_id_numbers_are_checked_by_their_check_character():
    assert services.id_number_is_valid(ID)
    assert not services.id_number_is_valid(ID[:-1] + "3")
    assert not services.id_number_is_valid("12345")


def test_a_first_visit_needs_the_id_number(world):
    with pytest.raises(ValidationError) as exc:
        log_in(world)
    assert "id_number" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        log_in(world, id_number=ID[:-1] + "3")
    assert "id_number" in exc.value.error_dict


def test_a_returning_visitor_is_found_by_phone_and_keeps_the_id_on_file(world):
    first = log_in(world, id_number=ID, unit="石道镇供销社")
    second = log_in(world, name="张建国", reason="维修", phone="138 0013 8000")
    assert second.visitor_id == first.visitor_id
    assert second.id_number == ID and second.unit == "石道镇供销社"
    with scopes_disabled():
        assert selectors.visitor_by_phone(world.school, "13800138000").name == "张建国"


def test_the_id_number_shows_only_its_last_four_digits_unless_allowed(world):
    log_in(world, id_number=ID)
    today = timezone.localdate()
    with scopes_disabled():
        masked = selectors.gate_entries(world.school, today, reveal=False)[0]
        full = selectors.gate_entries(world.school, today, reveal=True)[0]
    assert masked.id_shown == "**************0018" and full.id_shown == ID


def test_visitors_not_logged_out_are_still_inside_and_logging_out_twice_is_a_no_op(world):
    entry = log_in(world, id_number=ID)
    today = timezone.localdate()
    with scopes_disabled():
        assert list(selectors.still_inside(world.school, today)) == [entry]
        out = services.gate_log_out(school=world.school, actor=world.user("guard"), entry=entry)
        again = services.gate_log_out(school=world.school, actor=world.user("guard"), entry=entry)
        assert again.time_out == out.time_out
        assert not selectors.still_inside(world.school, today).exists()


def test_yesterdays_visitor_never_logged_out_is_still_listed_today(world):
    entry = log_in(world, id_number=ID)
    with scopes_disabled():
        GateEntry.objects.filter(pk=entry.pk).update(
            time_in=timezone.now() - datetime.timedelta(days=1)
        )
        assert list(selectors.still_inside(world.school, timezone.localdate())) == [entry]


def _equipment(world, code, **kwargs):
    with scopes_disabled():
        return services.equipment_save(
            school=world.school,
            actor=world.user("safety"),
            kind=kwargs.pop("kind", EquipmentKind.EXTINGUISHER),
            code=code,
            location="教学楼一楼",
            **kwargs,
        )


def test_a_month_is_checked_once_per_item_and_faults_need_a_note(world):
    a, b = _equipment(world, "MHQ-01"), _equipment(world, "MHQ-02")
    month = timezone.localdate().replace(day=1)
    with scopes_disabled():
        with pytest.raises(ValidationError):
            services.equipment_checks_record(
                school=world.school,
                actor=world.user("safety"),
                month=month,
                checks=[services.CheckInput(a.pk, False)],
            )
        added = services.equipment_checks_record(
            school=world.school,
            actor=world.user("safety"),
            month=month,
            checks=[services.CheckInput(a.pk, True), services.CheckInput(b.pk, False, "压力不足")],
        )
        again = services.equipment_checks_record(
            school=world.school,
            actor=world.user("safety"),
            month=month,
            checks=[services.CheckInput(a.pk, True)],
        )
        assert (added, again) == (2, 0)
        assert EquipmentCheck.objects.filter(month=month).count() == 2


def test_a_month_not_yet_begun_cannot_be_checked(world):
    a = _equipment(world, "MHQ-01")
    next_month = (timezone.localdate().replace(day=28) + datetime.timedelta(days=5)).replace(day=1)
    with scopes_disabled(), pytest.raises(ValidationError):
        services.equipment_checks_record(
            school=world.school,
            actor=world.user("safety"),
            month=next_month,
            checks=[services.CheckInput(a.pk, True)],
        )


def test_expiring_overdue_and_unchecked_equipment_are_counted(world):
    today = timezone.localdate()
    _equipment(world, "A", expires_on=today - datetime.timedelta(days=1))  # expired
    _equipment(world, "B", next_check_on=today + datetime.timedelta(days=10))  # soon
    _equipment(world, "C", expires_on=today + datetime.timedelta(days=400))
    _equipment(world, "D", expires_on=today - datetime.timedelta(days=1), is_active=False)
    with scopes_disabled():
        flags = selectors.equipment_flags(world.school)
    assert flags == {"overdue": 1, "expiring": 1, "unchecked": 3}
