"""The closed loop: report → fix with evidence → verification by someone else."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from safety import selectors, services
from safety.models import Area, Hazard, HazardPhoto, HazardStatus
from tests.safety.conftest import clean_png, finished_inspection, soon

pytestmark = pytest.mark.django_db


def report(world, *, who="teacher", owner="director", deadline=None, severity="general"):
    with scopes_disabled():
        return services.hazard_report(
            school=world.school,
            actor=world.user(who),
            area=Area.BUILDINGS,
            location="教学楼二楼走廊",
            description="栏杆松动",
            owner=world.user(owner),
            deadline=deadline or soon(),
            severity=severity,
            photos=[clean_png()],
        )


def fix(world, hazard, who="director"):
    with scopes_disabled():
        return services.hazard_rectify(
            school=world.school,
            actor=world.user(who),
            hazard=hazard,
            rectification="已更换栏杆并加固",
            evidence=[clean_png("整改后.png")],
        )


def verify(world, hazard, who="safety", accept=True, comment=""):
    with scopes_disabled():
        return services.hazard_verify(
            school=world.school,
            actor=world.user(who),
            hazard=hazard,
            accept=accept,
            comment=comment,
        )


def test_anyone_with_an_account_reports_a_hazard_with_a_photo(world):
    hazard = report(world, who="cook")
    with scopes_disabled():
        assert hazard.status == HazardStatus.OPEN
        assert hazard.photos.get().stage == HazardPhoto.FOUND


def test_the_owner_must_be_of_this_school_and_the_deadline_not_past(world):
    with pytest.raises(ValidationError) as exc:
        report(world, owner="principal_xx")
    assert "owner" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        report(world, deadline=timezone.localdate() - datetime.timedelta(days=1))
    assert "deadline" in exc.value.error_dict


def test_only_the_person_responsible_records_the_fix_and_only_with_evidence(world):
    hazard = report(world)
    with pytest.raises(ValidationError, match="只有整改责任人"):
        fix(world, hazard, who="safety")
    with scopes_disabled(), pytest.raises(ValidationError) as exc:
        services.hazard_rectify(
            school=world.school,
            actor=world.user("director"),
            hazard=hazard,
            rectification="修好了",
            evidence=[],
        )
    assert "evidence" in exc.value.error_dict
    fixed = fix(world, hazard)
    assert fixed.status == HazardStatus.FIXED and fixed.fixed_by == world.user("director")


def test_the_fixer_can_never_verify_their_own_fix(world):
    # The director is responsible and may verify fixes in general — but not this one.
    hazard = fix(world, report(world))
    with pytest.raises(ValidationError, match="整改人不能验收自己的整改"):
        verify(world, hazard, who="director")
    with scopes_disabled():
        assert Hazard.objects.get(pk=hazard.pk).status == HazardStatus.FIXED


def test_the_database_refuses_a_verifier_who_is_the_fixer(world):
    hazard = fix(world, report(world))
    with scopes_disabled(), pytest.raises(IntegrityError), transaction.atomic():
        Hazard.objects.filter(pk=hazard.pk).update(
            status="closed", verified_by=world.user("director"), closed_at=timezone.now()
        )


def test_someone_without_the_verify_capability_is_refused(world):
    hazard = fix(world, report(world))
    with pytest.raises(ValidationError, match="没有验收整改的权限"):
        verify(world, hazard, who="teacher")


def test_another_person_closes_it(world):
    closed = verify(world, fix(world, report(world)), who="safety")
    assert closed.status == HazardStatus.CLOSED
    assert closed.verified_by == world.user("safety") and closed.closed_at is not None
    assert verify(world, closed, who="safety").status == HazardStatus.CLOSED  # repeated POST


def test_sending_a_fix_back_needs_a_reason_and_reopens_it(world):
    hazard = fix(world, report(world))
    with pytest.raises(ValidationError) as exc:
        verify(world, hazard, accept=False)
    assert "comment" in exc.value.error_dict
    back = verify(world, hazard, accept=False, comment="栏杆仍有晃动")
    assert back.status == HazardStatus.OPEN and back.returned_count == 1
    assert back.fixed_by is None
    again = fix(world, back)
    assert verify(world, again).status == HazardStatus.CLOSED


def test_overdue_means_open_past_its_deadline(world, checklists):
    hazard = report(world)
    with scopes_disabled():
        Hazard.objects.filter(pk=hazard.pk).update(
            deadline=timezone.localdate() - datetime.timedelta(days=1)
        )
        assert list(selectors.overdue_hazards(world.school)) == [hazard]
        hazard = Hazard.objects.get(pk=hazard.pk)
    verify(world, fix(world, hazard))
    with scopes_disabled():
        assert not selectors.overdue_hazards(world.school).exists()


def test_the_register_counts_open_overdue_and_closed_with_days_to_close(world, checklists):
    finished_inspection(world, checklists)  # one fire hazard, open
    closed = verify(world, fix(world, report(world)))
    late = report(world)
    with scopes_disabled():
        Hazard.objects.filter(pk=closed.pk).update(
            reported_at=closed.closed_at - datetime.timedelta(days=3)
        )
        Hazard.objects.filter(pk=late.pk).update(
            deadline=timezone.localdate() - datetime.timedelta(days=2)
        )
        register = selectors.hazard_register(world.school, timezone.localdate().year)
    by_area = {r.label: r for r in register["area"]}
    buildings, fire = by_area[str(Area.BUILDINGS.label)], by_area[str(Area.FIRE.label)]
    assert (buildings.total, buildings.open, buildings.overdue, buildings.closed) == (2, 1, 1, 1)
    assert buildings.avg_days == 3.0
    assert (fire.total, fire.open, fire.closed, fire.avg_days) == (1, 1, 0, None)
    assert sum(r.total for r in register["month"]) == 3
