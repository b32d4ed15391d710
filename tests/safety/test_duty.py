"""Duty rosters: a school leader and a staff member per shift, swaps approved by the director,
the duty log, the printed roster and the 节假日值班安排 notice with masked phone numbers."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scopes_disabled

from logistics import approvals
from logistics.models import Approval
from safety import services
from safety.models import DutyShift, SwapStatus
from safety.notices import build_duty_notice

pytestmark = pytest.mark.django_db
DAY = datetime.date(2027, 1, 20)


def roster_with_shift(world, leader="principal", staff="teacher"):
    with scopes_disabled():
        roster = services.roster_create(
            school=world.school,
            actor=world.user("safety"),
            title="2027年寒假值班护校安排",
            starts_on=DAY,
            ends_on=DAY + datetime.timedelta(days=20),
        )
        shift = services.shift_set(
            school=world.school,
            actor=world.user("safety"),
            roster=roster,
            date=DAY,
            kind="day",
            leader=world.user(leader),
            leader_phone="13912345678",
            staff=world.user(staff),
            staff_phone="13887654321",
        )
    return roster, shift


def test_the_leader_on_duty_must_be_a_school_leader(world):
    with pytest.raises(ValidationError) as exc:
        roster_with_shift(world, leader="teacher", staff="guard")
    assert "leader" in exc.value.error_dict


def test_a_shift_needs_two_people_and_a_day_within_the_roster(world):
    roster, _shift = roster_with_shift(world)
    with scopes_disabled(), pytest.raises(ValidationError) as exc:
        services.shift_set(
            school=world.school,
            actor=world.user("safety"),
            roster=roster,
            date=DAY - datetime.timedelta(days=1),
            kind="day",
            leader=world.user("director"),
            leader_phone="1",
            staff=world.user("director"),
            staff_phone="1",
        )
    assert {"date", "staff"} <= set(exc.value.error_dict)


def _swap(world, shift, who="teacher", to="guard"):
    with scopes_disabled():
        return services.swap_request(
            school=world.school,
            actor=world.user(who),
            shift=shift,
            replacement=world.user(to),
            replacement_phone="13700001111",
            reason="家中有事",
        )


def test_a_swap_approved_by_the_director_puts_the_replacement_on_the_shift(world):
    _roster, shift = roster_with_shift(world)
    swap = _swap(world, shift)
    assert swap.approval.current_capability == "safety.approve_swap"
    with scopes_disabled():
        approvals.approval_sign(
            school=world.school, actor=world.user("director"), approval_id=swap.approval_id, step=0
        )
        shift.refresh_from_db()
        swap.refresh_from_db()
    assert swap.status == SwapStatus.APPROVED
    assert shift.staff == world.user("guard") and shift.staff_phone == "13700001111"


def test_a_refused_swap_leaves_the_shift_as_it_was(world):
    _roster, shift = roster_with_shift(world)
    swap = _swap(world, shift)
    with scopes_disabled():
        approvals.approval_reject(
            school=world.school,
            actor=world.user("director"),
            approval_id=swap.approval_id,
            reason="人手不足",
        )
        shift.refresh_from_db()
        swap.refresh_from_db()
    assert swap.status == SwapStatus.REFUSED and shift.staff == world.user("teacher")


def test_only_those_on_the_shift_ask_and_a_leader_is_replaced_by_a_leader(world):
    _roster, shift = roster_with_shift(world)
    with pytest.raises(ValidationError, match="只有本班次"):
        _swap(world, shift, who="doctor")
    with pytest.raises(ValidationError) as exc:
        _swap(world, shift, who="principal", to="doctor")
    assert "replacement" in exc.value.error_dict


def test_the_directors_own_swap_goes_to_the_principal_and_the_director_cannot_sign_it(world):
    _roster, shift = roster_with_shift(world, leader="director")
    swap = _swap(world, shift, who="director", to="principal")
    assert swap.approval.current_capability == "safety.oversee"
    with scopes_disabled():
        with pytest.raises(approvals.ApprovalError):
            approvals.approval_sign(
                school=world.school,
                actor=world.user("director"),
                approval_id=swap.approval_id,
                step=0,
            )
        approvals.approval_sign(
            school=world.school,
            actor=world.user("principal"),
            approval_id=swap.approval_id,
            step=0,
        )
        assert Approval.objects.get(pk=swap.approval_id).status == Approval.APPROVED
        assert DutyShift.objects.get(pk=shift.pk).leader == world.user("principal")


def test_only_those_on_the_shift_write_its_log(world):
    _roster, shift = roster_with_shift(world)
    with scopes_disabled():
        with pytest.raises(ValidationError):
            services.duty_log_record(
                school=world.school,
                actor=world.user("doctor"),
                shift=shift,
                handover="无",
                happenings="",
            )
        logged = services.duty_log_record(
            school=world.school,
            actor=world.user("teacher"),
            shift=shift,
            handover="门窗已巡查，交接钥匙",
            happenings="无异常",
        )
    assert logged.logged_by == world.user("teacher") and logged.logged_at


def test_the_holiday_duty_notice_masks_phone_numbers_in_public(world):
    roster_with_shift(world)
    with scopes_disabled():
        snapshot = build_duty_notice(
            school=world.school, start=DAY, end=DAY + datetime.timedelta(days=20)
        )
    data = snapshot.to_json()
    personal = {c["key"]: c["personal"] for c in data["columns"]}
    assert personal["leader_phone"] == personal["staff_phone"] == "number"
    assert data["title"] == "节假日值班安排"
    assert data["rows"][0][2] == "王校长"


def test_the_roster_prints_and_the_shift_page_offers_a_swap_to_those_on_duty(world, login):
    roster, shift = roster_with_shift(world)
    url = reverse("safety:roster_detail", args=[world.school.code, roster.pk])
    assert login("teacher").get(url + "?fmt=pdf").content.startswith(b"%PDF")
    shift_url = reverse("safety:shift_detail", args=[world.school.code, shift.pk])
    assert "shift_swap" not in shift_url
    assert "/swap/" in login("teacher").get(shift_url).content.decode()
    assert "/swap/" not in login("doctor").get(shift_url).content.decode()
