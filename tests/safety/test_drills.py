"""Emergency plans with versions and review dates; drills with evacuation times, follow-ups
that become hazards, and the yearly drill plan."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from safety import selectors, services
from safety.models import Area, EmergencyPlan, HazardSource

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 1)


def plan(world, kind="evacuation", version_title="教学楼紧急疏散预案"):
    with scopes_disabled():
        return services.emergency_plan_add_version(
            school=world.school,
            actor=world.user("safety"),
            kind=kind,
            title=version_title,
            effective_on=TODAY,
            review_on=TODAY + datetime.timedelta(days=365),
        )


def drill(world, p, **kwargs):
    data = {"held_on": timezone.localdate(), "participants": 860, "evacuation_seconds": 185}
    data.update(kwargs)
    with scopes_disabled():
        return services.drill_record(
            school=world.school, actor=world.user("safety"), plan=p, **data
        )


def test_a_new_version_replaces_the_current_one(world):
    first = plan(world)
    second = plan(world, version_title="教学楼紧急疏散预案（修订）")
    with scopes_disabled():
        first.refresh_from_db()
        assert (first.version, first.is_current) == (1, False)
        assert (second.version, second.is_current) == (2, True)
        assert EmergencyPlan.objects.filter(is_current=True).count() == 1


def test_the_review_date_comes_after_the_date_in_force(world):
    with scopes_disabled(), pytest.raises(ValidationError) as exc:
        services.emergency_plan_add_version(
            school=world.school,
            actor=world.user("safety"),
            kind="fire",
            title="消防预案",
            effective_on=TODAY,
            review_on=TODAY,
        )
    assert "review_on" in exc.value.error_dict


def test_an_evacuation_drill_records_its_time_and_is_not_recorded_ahead(world):
    p = plan(world)
    with pytest.raises(ValidationError) as exc:
        drill(world, p, evacuation_seconds=None)
    assert "evacuation_seconds" in exc.value.error_dict
    with pytest.raises(ValidationError) as exc:
        drill(world, p, held_on=timezone.localdate() + datetime.timedelta(days=1))
    assert "held_on" in exc.value.error_dict
    assert drill(world, p).evacuation_seconds == 185


def test_a_follow_up_becomes_a_hazard_of_the_drill(world):
    d = drill(world, plan(world))
    with scopes_disabled():
        hazard = services.drill_follow_up(
            school=world.school,
            actor=world.user("safety"),
            drill=d,
            area=Area.BUILDINGS,
            location="教学楼东侧楼梯",
            description="疏散时楼梯口拥堵，应急灯不亮",
            owner=world.user("director"),
            deadline=timezone.localdate(),
        )
    assert hazard.source == HazardSource.DRILL and hazard.drill_id == d.pk


def test_the_yearly_plan_shows_held_due_and_overdue_drills(world):
    p = plan(world)
    today = timezone.localdate()
    last_month = today.replace(day=1) - datetime.timedelta(days=1)
    with scopes_disabled():
        for month, kind in ((today.month, "evacuation"), (last_month.month, "fire")):
            services.drill_schedule_set(
                school=world.school,
                actor=world.user("safety"),
                year=today.year if month <= today.month else today.year - 1,
                month=month,
                kind=kind,
            )
    drill(world, p)
    with scopes_disabled():
        rows = {r.kind: r for r in selectors.drill_plan(world.school, today.year)}
    assert rows["evacuation"].done and not rows["evacuation"].overdue
    if "fire" in rows:  # in January last month belongs to last year's plan
        assert rows["fire"].overdue and not rows["fire"].done


def test_a_follow_up_is_posted_from_the_drill_page(world, login):
    d = drill(world, plan(world))
    url = reverse("safety:drill_detail", args=[world.school.code, d.pk])
    response = login("safety").post(
        url,
        {
            "area": "buildings",
            "location": "东侧楼梯",
            "description": "楼梯口拥堵",
            "severity": "general",
            "owner": world.user("director").pk,
            "deadline": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    assert "楼梯口拥堵" in login("safety").get(url).content.decode()


def test_a_plan_due_for_review_is_on_the_safety_officers_dashboard(world, login):
    with scopes_disabled():
        services.emergency_plan_add_version(
            school=world.school,
            actor=world.user("safety"),
            kind="food",
            title="食品安全预案",
            effective_on=timezone.localdate() - datetime.timedelta(days=400),
            review_on=timezone.localdate() + datetime.timedelta(days=10),
        )
    page = login("safety").get(reverse("dashboard", args=[world.school.code])).content.decode()
    assert "1 项应急预案需要复审" in page
    page = login("teacher").get(reverse("dashboard", args=[world.school.code])).content.decode()
    assert "应急预案需要复审" not in page
