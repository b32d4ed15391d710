"""Checklists, inspections item by item, and failed items becoming hazards."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scopes_disabled

from safety import services
from safety.defaults import DEFAULTS
from safety.models import Area, Hazard, HazardSource, InspectionStatus, ItemKind, Result
from tests.safety.conftest import answer_all, clean_png, finished_inspection, soon

pytestmark = pytest.mark.django_db


def test_defaults_cover_every_area_with_a_basis_for_each_item():
    assert set(DEFAULTS) == set(Area.values)
    for _name, items in DEFAULTS.values():
        assert items and all(i.basis for i in items)


def test_installing_defaults_twice_copies_them_once(world, checklists):
    with scopes_disabled():
        again = services.checklists_install_defaults(
            school=world.school, actor=world.user("safety")
        )
    assert again == 0
    assert len(checklists) == 8


def test_editing_a_checklist_never_changes_an_inspection_already_started(world, checklists):
    fire = checklists[Area.FIRE]
    with scopes_disabled():
        inspection = services.inspection_start(
            school=world.school, actor=world.user("safety"), checklist=fire
        )
        first = fire.items.first()
        services.checklist_item_save(
            school=world.school,
            actor=world.user("safety"),
            checklist=fire,
            item=first,
            text="改过的检查项",
            kind=ItemKind.PASS_FAIL,
        )
        services.checklist_item_save(
            school=world.school,
            actor=world.user("safety"),
            checklist=fire,
            text="新增检查项",
            kind=ItemKind.PASS_FAIL,
        )
        texts = list(inspection.items.values_list("text", flat=True))
    assert "改过的检查项" not in texts and "新增检查项" not in texts
    assert texts[0] == DEFAULTS[Area.FIRE][1][0].text
    assert len(texts) == len(DEFAULTS[Area.FIRE][1])


def test_a_number_item_needs_a_limit_and_ordered_limits(world, checklists):
    fire = checklists[Area.FIRE]
    with scopes_disabled(), pytest.raises(ValidationError) as exc:
        services.checklist_item_save(
            school=world.school,
            actor=world.user("safety"),
            checklist=fire,
            text="压力",
            kind=ItemKind.NUMBER,
            min_value=Decimal("2"),
            max_value=Decimal("1"),
        )
    assert "max_value" in exc.value.error_dict
    with scopes_disabled(), pytest.raises(ValidationError):
        services.checklist_item_save(
            school=world.school,
            actor=world.user("safety"),
            checklist=fire,
            text="压力",
            kind=ItemKind.NUMBER,
        )


def _number_item(world, checklists):
    with scopes_disabled():
        inspection = services.inspection_start(
            school=world.school, actor=world.user("safety"), checklist=checklists[Area.FIRE]
        )
        return inspection, inspection.items.get(kind=ItemKind.NUMBER)


@pytest.mark.parametrize(
    ("reading", "result"),
    [("0.35", Result.PASS), ("0.50", Result.PASS), ("0.34", Result.FAIL), ("0.51", Result.FAIL)],
)
def test_a_reading_outside_the_limits_fails_by_itself(world, checklists, reading, result):
    _inspection, item = _number_item(world, checklists)  # 0.35 – 0.50 MPa
    with scopes_disabled():
        saved = services.inspection_item_answer(
            school=world.school,
            actor=world.user("safety"),
            item=item,
            result=Result.PASS,
            number=Decimal(reading),
            note="读数",
            owner=world.user("director"),
            deadline=soon(),
        )
    assert saved.result == result


def test_a_failed_item_names_who_fixes_it_by_when_and_what_is_wrong(world, checklists):
    inspection, _item = _number_item(world, checklists)
    with scopes_disabled():
        item = inspection.items.get(position=1)
        with pytest.raises(ValidationError) as exc:
            services.inspection_item_answer(
                school=world.school, actor=world.user("safety"), item=item, result=Result.FAIL
            )
    assert {"owner", "deadline", "note"} <= set(exc.value.error_dict)


def test_a_photo_item_is_refused_without_a_photo(world, checklists):
    with scopes_disabled():
        inspection = services.inspection_start(
            school=world.school, actor=world.user("safety"), checklist=checklists[Area.FIRE]
        )
        item = inspection.items.get(kind=ItemKind.PHOTO)
        with pytest.raises(ValidationError) as exc:
            services.inspection_item_answer(
                school=world.school, actor=world.user("safety"), item=item, result=Result.PASS
            )
        assert "photo" in exc.value.error_dict
        saved = services.inspection_item_answer(
            school=world.school,
            actor=world.user("safety"),
            item=item,
            result=Result.PASS,
            photo=clean_png(),
        )
    assert saved.photo_id is not None


def test_answers_saved_so_far_survive_and_signing_needs_every_item(world, checklists):
    with scopes_disabled():
        inspection = services.inspection_start(
            school=world.school, actor=world.user("safety"), checklist=checklists[Area.FIRE]
        )
        first = inspection.items.get(position=1)
        services.inspection_item_answer(
            school=world.school, actor=world.user("safety"), item=first, result=Result.PASS
        )
        with pytest.raises(ValidationError, match="项未检查"):
            services.inspection_finish(
                school=world.school,
                actor=world.user("safety"),
                inspection=inspection,
                signed_name="冯安全",
            )
        first.refresh_from_db()
    assert first.result == Result.PASS and first.answered_at is not None


def test_signing_turns_each_failed_item_into_a_hazard_with_its_photo(world, checklists):
    inspection = finished_inspection(world, checklists, fail_first=True)
    with scopes_disabled():
        hazards = list(Hazard.objects.filter(school=world.school))
        assert inspection.status == InspectionStatus.DONE and inspection.failed_count == 1
        assert len(hazards) == 1
        hazard = hazards[0]
        assert hazard.source == HazardSource.INSPECTION
        assert hazard.owner == world.user("director") and hazard.deadline == soon()
        assert hazard.item.inspection_id == inspection.pk
        assert "压力不足" in hazard.description


def test_signing_twice_is_a_no_op_and_answers_are_then_frozen(world, checklists):
    inspection = finished_inspection(world, checklists, fail_first=True)
    with scopes_disabled():
        again = services.inspection_finish(
            school=world.school,
            actor=world.user("safety"),
            inspection=inspection,
            signed_name="冯安全",
        )
        assert Hazard.objects.count() == 1 and again.pk == inspection.pk
        with pytest.raises(ValidationError, match="此检查已完成"):
            services.inspection_item_answer(
                school=world.school,
                actor=world.user("safety"),
                item=inspection.items.first(),
                result=Result.PASS,
            )


def test_signing_needs_a_name(world, checklists):
    with scopes_disabled():
        inspection = services.inspection_start(
            school=world.school, actor=world.user("safety"), checklist=checklists[Area.WATER]
        )
    answer_all(world, inspection)
    with scopes_disabled(), pytest.raises(ValidationError) as exc:
        services.inspection_finish(
            school=world.school, actor=world.user("safety"), inspection=inspection, signed_name=" "
        )
    assert "signed_name" in exc.value.error_dict


def test_a_planned_inspection_started_twice_is_one_inspection(world, checklists):
    with scopes_disabled():
        (plan,) = services.plan_create(
            school=world.school,
            actor=world.user("safety"),
            checklist=checklists[Area.FIRE],
            kind="term_start",
            due_on=soon(),
        )
        a = services.inspection_start(
            school=world.school, actor=world.user("safety"), checklist=plan.checklist, plan=plan
        )
        b = services.inspection_start(
            school=world.school, actor=world.user("safety"), checklist=plan.checklist, plan=plan
        )
    assert a.pk == b.pk and a.kind == "term_start"


def test_monthly_plans_repeat_on_the_same_day_clamped_to_month_end(world, checklists):
    import datetime

    with scopes_disabled():
        plans = services.plan_create(
            school=world.school,
            actor=world.user("safety"),
            checklist=checklists[Area.FIRE],
            kind="monthly",
            due_on=datetime.date(2027, 1, 31),
            repeat=3,
        )
    assert [p.due_on for p in plans] == [
        datetime.date(2027, 1, 31),
        datetime.date(2027, 2, 28),
        datetime.date(2027, 3, 31),
    ]
