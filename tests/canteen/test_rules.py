"""The national rules, each at its boundary, enforced by the services (and the database)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from canteen import services
from canteen.legal import LEGAL_BASIS
from canteen.models import CanteenDay, MorningCheck, ReceivingLine, Sample
from logistics.audit import events_for
from logistics.services import record_void
from tests.canteen.conftest import TODAY, clean_png, line, staff, supplier

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_scope():
    with scopes_disabled():
        yield


def _samples(world, kitchen, grams="125", dishes=None, **kw):
    return services.samples_record(
        school=world.school,
        actor=world.user("cook"),
        date=TODAY(),
        meal="lunch",
        sampler=kw.pop("sampler", kitchen.cook),
        reviewer=kw.pop("reviewer", kitchen.manager),
        entries=[services.SampleInput(d, Decimal(grams)) for d in (dishes or kitchen.dishes)],
        **kw,
    )


# ---------------------------------------------------------------- settings and legal basis


def test_settings_default_to_the_national_numbers(world):
    s = services.settings_for(world.school)
    assert (s.sample_min_grams, s.sample_hours) == (125, 48)
    assert (s.fridge_min, s.fridge_max, s.freezer_max, s.hot_min) == (0, 8, -12, 60)
    assert s.warning_days == [30, 14, 7]
    assert s.dishwasher_min_celsius == 85 and s.chlorine_min_mgl == 250


def test_a_school_may_raise_a_number_but_not_go_below_the_national_rule(world):
    with pytest.raises(ValidationError) as exc:
        services.settings_update(
            school=world.school, actor=world.user("director"), sample_min_grams=100
        )
    assert "sample_min_grams" in exc.value.message_dict
    services.settings_update(
        school=world.school, actor=world.user("director"), sample_min_grams=150
    )
    assert services.settings_for(world.school).sample_min_grams == 150


def test_every_record_type_names_its_legal_basis_from_one_table():
    for key in (
        "sample",
        "receiving",
        "morning_check",
        "disinfection",
        "temperature",
        "accompanied",
        "staff",
        "supplier",
    ):
        assert "第" in LEGAL_BASIS[key]


# ---------------------------------------------------------------- people


def test_an_expired_health_certificate_refuses_the_person_for_samples(world, kitchen):
    expired = staff(world, "过期者", "cook", expires=TODAY() - datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as exc:
        _samples(world, kitchen, sampler=expired)
    assert "健康证明" in exc.value.message_dict["sampler"][0]


def test_a_certificate_valid_through_today_is_accepted(world, kitchen):
    today_only = staff(world, "今天到期", "cook", expires=TODAY())
    assert len(_samples(world, kitchen, sampler=today_only)) == 3


def test_a_failed_morning_check_takes_the_person_off_duty_for_the_day(world, kitchen):
    check = services.morning_check_record(
        school=world.school,
        actor=world.user("canteen"),
        staff=kitchen.cook,
        date=TODAY(),
        temperature=Decimal("36.5"),
        hand_wound=True,
    )
    assert not check.passed
    with pytest.raises(ValidationError) as exc:
        _samples(world, kitchen)
    assert "晨检" in exc.value.message_dict["sampler"][0]
    with pytest.raises(ValidationError):
        services.disinfection_record(
            school=world.school,
            actor=world.user("cook"),
            date=TODAY(),
            meal="lunch",
            method="dishwasher",
            celsius=Decimal("85"),
            seconds=40,
            operator=kitchen.cook,
            checker=kitchen.manager,
        )


def test_a_temperature_of_37_3_fails_the_check_and_37_2_passes(world, kitchen):
    hot = services.morning_check_record(
        school=world.school,
        actor=world.user("canteen"),
        staff=kitchen.cook,
        date=TODAY(),
        temperature=Decimal("37.3"),
    )
    ok = services.morning_check_record(
        school=world.school,
        actor=world.user("canteen"),
        staff=kitchen.helper,
        date=TODAY(),
        temperature=Decimal("37.2"),
    )
    assert (hot.passed, ok.passed) == (False, True)


def test_the_database_refuses_a_passed_check_with_a_failed_item(world, kitchen):
    with pytest.raises(IntegrityError), transaction.atomic():
        MorningCheck.objects.create(
            school=world.school,
            staff=kitchen.cook,
            date=TODAY(),
            temperature=Decimal("36.5"),
            vomiting=True,
            passed=True,
            checked_by=world.user("canteen"),
        )


def test_a_person_is_checked_once_a_day(world, kitchen):
    args = {
        "school": world.school,
        "actor": world.user("canteen"),
        "staff": kitchen.cook,
        "date": TODAY(),
        "temperature": Decimal("36.5"),
    }
    services.morning_check_record(**args)
    with pytest.raises(ValidationError):
        services.morning_check_record(**args)


# ---------------------------------------------------------------- suppliers and receiving


def _receive(world, kitchen, lines=None, **kw):
    kw.setdefault("supplier", kitchen.supplier)
    kw.setdefault("inspector", kitchen.manager)
    kw.setdefault("second_inspector", kitchen.helper)
    return services.receiving_create(
        school=world.school,
        actor=world.user("canteen"),
        date=kw.pop("date", TODAY()),
        lines=lines or [line()],
        **kw,
    )


def test_a_supplier_not_on_an_approved_list_is_refused(world, kitchen):
    other = supplier(world, "未批准菜店", "91440700MA00000002", approve=False)
    with pytest.raises(ValidationError) as exc:
        _receive(world, kitchen, supplier=other)
    assert "定点" in exc.value.message_dict["supplier"][0]


def test_a_list_waiting_for_the_principal_does_not_approve_yet(world, kitchen):
    other = supplier(world, "待批菜店", "91440700MA00000003", approve=False)
    services.supplier_list_submit(
        school=world.school,
        actor=world.user("director"),
        title="补充名单",
        valid_from=TODAY(),
        valid_until=TODAY(),
        suppliers=[other],
    )
    with pytest.raises(ValidationError):
        _receive(world, kitchen, supplier=other)


def test_a_supplier_with_an_expired_licence_is_refused(world, kitchen):
    kitchen.supplier.licence_expires = TODAY() - datetime.timedelta(days=1)
    kitchen.supplier.save()
    with pytest.raises(ValidationError) as exc:
        _receive(world, kitchen)
    assert "许可证" in exc.value.message_dict["supplier"][0]


def test_a_category_the_supplier_is_not_approved_for_is_refused(world, kitchen):
    with pytest.raises(ValidationError) as exc:
        _receive(world, kitchen, lines=[line(name="猪肉", category="meat")])
    assert "肉" in exc.value.message_dict["supplier"][0]


def test_bulk_foods_need_two_distinct_inspectors(world, kitchen):
    with pytest.raises(ValidationError) as exc:
        _receive(world, kitchen, second_inspector=None)
    assert "second_inspector" in exc.value.message_dict
    with pytest.raises(ValidationError):
        _receive(world, kitchen, second_inspector=kitchen.manager)
    # Vegetables alone are not bulk: one inspector is enough.
    _receive(
        world,
        kitchen,
        second_inspector=None,
        lines=[line(name="白菜", category="vegetables", unit_price=Decimal("2.30"))],
    )


def test_an_off_duty_inspector_is_refused(world, kitchen):
    services.morning_check_record(
        school=world.school,
        actor=world.user("canteen"),
        staff=kitchen.helper,
        date=TODAY(),
        temperature=Decimal("38.0"),
    )
    with pytest.raises(ValidationError) as exc:
        _receive(world, kitchen)
    assert "second_inspector" in exc.value.message_dict


def test_amounts_are_weighed_quantity_times_price_in_decimal(world, kitchen):
    receiving = _receive(
        world,
        kitchen,
        lines=[
            line(quantity=Decimal("50"), weighed=Decimal("49.85"), unit_price=Decimal("5.15")),
            line(
                name="白菜",
                category="vegetables",
                quantity=Decimal("3"),
                unit_price=Decimal("0.10"),
            ),
        ],
    )
    amounts = [ln.amount for ln in receiving.lines.order_by("id")]
    assert amounts == [Decimal("256.73"), Decimal("0.30")]


def test_retain_until_follows_shelf_life_plus_six_months_two_years_or_six_months(world, kitchen):
    day = TODAY()
    receiving = _receive(
        world,
        kitchen,
        lines=[
            line(shelf_life_days=365, production_date=day - datetime.timedelta(days=5)),
            line(name="散装米"),
            line(name="白菜", category="vegetables", shelf_life_days=3),
        ],
    )
    shelf, none, farm = receiving.lines.order_by("id")
    expiry = day - datetime.timedelta(days=5) + datetime.timedelta(days=365)
    assert shelf.retain_until == services.add_months(expiry, 6)
    assert none.retain_until == services.add_months(day, 24)
    assert farm.retain_until == services.add_months(day, 6)
    assert services.add_months(datetime.date(2026, 8, 31), 6) == datetime.date(2027, 2, 28)


def test_a_rejected_line_needs_its_disposal(world, kitchen):
    with pytest.raises(ValidationError):
        _receive(world, kitchen, lines=[line(accepted=False)])
    receiving = _receive(world, kitchen, lines=[line(accepted=False, disposal="退回供应商")])
    assert receiving.lines.get().disposal == "退回供应商"


def test_accepted_meat_needs_its_quarantine_certificate_photo(world, kitchen):
    butcher = supplier(world, "石道肉联厂", "91440700MA00000004", categories=("meat",))
    meat = [line(name="猪肉", category="meat", unit_price=Decimal("28.00"))]
    with pytest.raises(ValidationError) as exc:
        _receive(world, kitchen, supplier=butcher, lines=meat)
    assert "quarantine_photo" in exc.value.message_dict
    receiving = _receive(
        world, kitchen, supplier=butcher, lines=meat, quarantine_photo=clean_png("检疫合格证.png")
    )
    assert receiving.quarantine_photo is not None


# ---------------------------------------------------------------- menu


def test_copy_last_week_fills_the_empty_days_in_one_action(world, kitchen):
    week = TODAY() - datetime.timedelta(days=TODAY().weekday())
    last_monday = week - datetime.timedelta(days=7)
    services.menu_set(
        school=world.school,
        actor=world.user("canteen"),
        date=last_monday,
        meal="breakfast",
        dishes=[("馒头", 100), ("豆浆", 250)],
    )
    copied = services.menu_copy_last_week(
        school=world.school, actor=world.user("canteen"), week_start=week
    )
    assert copied >= 2
    from canteen.selectors import menu_week

    assert [d.name for d in menu_week(world.school, week)[(week, "breakfast")]] == ["馒头", "豆浆"]


# ---------------------------------------------------------------- samples


def test_a_sample_of_124_9_g_is_refused_and_125_g_accepted(world, kitchen):
    with pytest.raises(ValidationError) as exc:
        _samples(world, kitchen, grams="124.9")
    assert any("125" in m for msgs in exc.value.message_dict.values() for m in msgs)
    assert len(_samples(world, kitchen, grams="125")) == 3


def test_the_database_refuses_a_sample_under_125_g(world, kitchen):
    with pytest.raises(IntegrityError), transaction.atomic():
        Sample.objects.create(
            school=world.school,
            date=TODAY(),
            meal="lunch",
            dish=kitchen.dishes[0],
            grams=Decimal("100"),
            taken_at=timezone.now(),
            sampler=kitchen.cook,
            reviewer=kitchen.manager,
            recorded_by=world.user("cook"),
        )


def test_a_dish_is_sampled_once_and_the_sampler_does_not_check_their_own(world, kitchen):
    with pytest.raises(ValidationError):
        _samples(world, kitchen, reviewer=kitchen.cook)
    _samples(world, kitchen, dishes=kitchen.dishes[:1])
    with pytest.raises(ValidationError):
        _samples(world, kitchen, dishes=kitchen.dishes[:1])


def test_disposal_is_refused_before_48_hours_and_recorded_with_who(world, kitchen):
    taken = timezone.now() - datetime.timedelta(hours=48)
    samples = _samples(world, kitchen, taken_at=taken)
    ids = [s.pk for s in samples]
    with pytest.raises(ValidationError):
        services.sample_dispose(
            school=world.school,
            actor=world.user("cook"),
            sample_ids=ids,
            now=taken + datetime.timedelta(hours=47, minutes=59),
        )
    assert (
        services.sample_dispose(
            school=world.school,
            actor=world.user("cook"),
            sample_ids=ids,
            now=taken + datetime.timedelta(hours=48),
        )
        == 3
    )
    sample = Sample.objects.get(pk=ids[0])
    assert sample.disposed_by == world.user("cook")
    assert events_for(sample).filter(action="canteen.sample.disposed").exists()


# ---------------------------------------------------------------- disinfection, temperatures


@pytest.mark.parametrize(
    ("method", "params", "ok"),
    [
        ("boiling", {"celsius": Decimal("100"), "seconds": 600}, True),
        ("boiling", {"celsius": Decimal("100"), "seconds": 599}, False),
        ("infrared", {"celsius": Decimal("119"), "seconds": 600}, False),
        ("infrared", {"celsius": Decimal("120"), "seconds": 600}, True),
        ("dishwasher", {"celsius": Decimal("85"), "seconds": 40}, True),
        ("dishwasher", {"celsius": Decimal("84.9"), "seconds": 40}, False),
        ("dishwasher", {"celsius": Decimal("90"), "seconds": 39}, False),
        ("chlorine", {"mg_per_litre": 250, "seconds": 300}, True),
        ("chlorine", {"mg_per_litre": 249, "seconds": 300}, False),
        ("chlorine", {"seconds": 300}, False),
    ],
)
def test_disinfection_parameters_meet_the_methods_minimum(world, kitchen, method, params, ok):
    def record():
        return services.disinfection_record(
            school=world.school,
            actor=world.user("cook"),
            date=TODAY(),
            meal="lunch",
            method=method,
            operator=kitchen.cook,
            checker=kitchen.manager,
            **params,
        )

    if ok:
        assert record().pk
    else:
        with pytest.raises(ValidationError):
            record()


@pytest.mark.parametrize(
    ("equipment", "celsius", "in_range"),
    [
        ("fridge", "0", True),
        ("fridge", "8", True),
        ("fridge", "8.1", False),
        ("fridge", "-0.5", False),
        ("freezer", "-12", True),
        ("freezer", "-11.9", False),
        ("hot", "60", False),
        ("hot", "60.1", True),
    ],
)
def test_an_out_of_range_reading_needs_its_corrective_action(world, equipment, celsius, in_range):
    def record(action=""):
        return services.temperature_record(
            school=world.school,
            actor=world.user("cook"),
            equipment=equipment,
            celsius=Decimal(celsius),
            corrective_action=action,
        )

    if in_range:
        assert record().in_range
    else:
        with pytest.raises(ValidationError) as exc:
            record()
        assert "corrective_action" in exc.value.message_dict
        assert not record("调低温控，转移食材").in_range


# ---------------------------------------------------------------- accompanied meals


def test_an_accompanied_meal_rates_each_dish_and_a_problem_becomes_a_follow_up(world, kitchen):
    ratings = {d.pk: 5 for d in kitchen.dishes}
    meal = services.accompanied_record(
        school=world.school,
        actor=world.user("principal"),
        date=TODAY(),
        meal="lunch",
        ratings=ratings,
        problems="白菜偏咸",
    )
    assert meal.ratings.count() == 3
    from canteen.models import FollowUp

    assert FollowUp.objects.get(source="accompanied").text == "白菜偏咸"
    with pytest.raises(ValidationError):
        services.accompanied_record(
            school=world.school,
            actor=world.user("principal"),
            date=TODAY(),
            meal="lunch",
            ratings={kitchen.dishes[0].pk: 6},
        )


# ---------------------------------------------------------------- the day


def _fill_day(world, kitchen):
    """Every due entry of today except breakfast and dinner, which are marked not served."""
    school, canteen = world.school, world.user("canteen")
    for person in (kitchen.cook, kitchen.manager, kitchen.helper):
        services.morning_check_record(
            school=school, actor=canteen, staff=person, date=TODAY(), temperature=Decimal("36.6")
        )
    _samples(world, kitchen)
    services.disinfection_record(
        school=school,
        actor=canteen,
        date=TODAY(),
        meal="lunch",
        method="dishwasher",
        celsius=Decimal("85"),
        seconds=40,
        operator=kitchen.cook,
        checker=kitchen.manager,
    )
    services.accompanied_record(
        school=school,
        actor=world.user("principal"),
        date=TODAY(),
        meal="lunch",
        ratings={d.pk: 4 for d in kitchen.dishes},
    )
    for c in ("4", "5"):
        services.temperature_record(
            school=school, actor=canteen, equipment="fridge", celsius=Decimal(c)
        )
    for meal in ("breakfast", "dinner"):
        services.gap_mark(
            school=school,
            actor=canteen,
            date=TODAY(),
            key=f"meal:{meal}",
            reason="本周试运行仅供午餐",
        )


def test_a_day_with_a_missing_sample_cannot_close(world, kitchen):
    _fill_day(world, kitchen)
    record_void(
        school=world.school,
        actor=world.user("canteen"),
        record=Sample.objects.filter(dish=kitchen.dishes[1]).get(),
        reason="称重错误",
    )
    with pytest.raises(ValidationError) as exc:
        services.day_close(school=world.school, actor=world.user("canteen"), date=TODAY())
    assert "清炒白菜" in exc.value.messages[0]


def test_a_gap_marked_not_applicable_with_a_reason_lets_the_day_close(world, kitchen):
    _fill_day(world, kitchen)
    with pytest.raises(ValidationError):
        services.gap_mark(
            school=world.school,
            actor=world.user("canteen"),
            date=TODAY(),
            key="temperature",
            reason=" ",
        )
    day = services.day_close(school=world.school, actor=world.user("canteen"), date=TODAY())
    assert day.status == CanteenDay.CLOSED


def test_a_closed_and_reviewed_day_is_locked_and_reopening_is_logged(world, kitchen):
    _fill_day(world, kitchen)
    services.day_close(school=world.school, actor=world.user("canteen"), date=TODAY())
    with pytest.raises(ValidationError):
        services.day_review(
            school=world.school,
            actor=world.user("committee"),
            date=TODAY() - datetime.timedelta(days=1),
        )
    day = services.day_review(
        school=world.school, actor=world.user("committee"), date=TODAY(), comment="记录齐全"
    )
    assert day.status == CanteenDay.REVIEWED
    with pytest.raises(ValidationError) as exc:
        services.temperature_record(
            school=world.school, actor=world.user("cook"), equipment="fridge", celsius=Decimal("3")
        )
    assert "总务主任" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        services.day_reopen(
            school=world.school, actor=world.user("director"), date=TODAY(), reason=""
        )
    day = services.day_reopen(
        school=world.school, actor=world.user("director"), date=TODAY(), reason="补录冰箱温度"
    )
    assert (day.status, day.reopen_count) == (CanteenDay.OPEN, 1)
    assert events_for(day).filter(action="canteen.day.reopened", summary="补录冰箱温度").exists()
    services.temperature_record(
        school=world.school, actor=world.user("cook"), equipment="fridge", celsius=Decimal("3")
    )


def test_a_concern_becomes_a_follow_up_the_manager_answers(world, kitchen):
    _fill_day(world, kitchen)
    services.day_close(school=world.school, actor=world.user("canteen"), date=TODAY())
    item = services.concern_raise(
        school=world.school,
        actor=world.user("committee"),
        date=TODAY(),
        text="留样照片不清晰",
        deadline=TODAY() + datetime.timedelta(days=2),
    )
    with pytest.raises(ValidationError):
        services.concern_raise(
            school=world.school,
            actor=world.user("committee"),
            date=TODAY(),
            text="x",
            deadline=TODAY() - datetime.timedelta(days=1),
        )
    item = services.concern_reply(
        school=world.school,
        actor=world.user("canteen"),
        followup_id=item.pk,
        reply="已更换相机，重新拍照",
    )
    assert item.replied_by == world.user("canteen")
    with pytest.raises(ValidationError):
        services.concern_reply(
            school=world.school, actor=world.user("canteen"), followup_id=item.pk, reply="again"
        )


def test_statutory_records_are_voided_never_deleted(world, kitchen):
    sample = _samples(world, kitchen)[0]
    record_void(school=world.school, actor=world.user("canteen"), record=sample, reason="录错")
    sample.refresh_from_db()
    assert sample.is_voided and sample.void_reason == "录错"
    with pytest.raises(DatabaseError), transaction.atomic():
        Sample.objects.filter(pk=sample.pk).delete()
    receiving = _receive(world, kitchen)
    with pytest.raises(DatabaseError), transaction.atomic():
        ReceivingLine.objects.filter(receiving=receiving).delete()
    # A voided sample frees its dish for the re-entered one.
    assert _samples(world, kitchen, dishes=[sample.dish])[0].pk != sample.pk


def test_leftovers_are_weighed_per_meal_and_a_collection_names_its_hauler(world):
    actor = world.user("cook")
    with pytest.raises(ValidationError) as exc:
        services.waste_record(
            school=world.school, actor=actor, date=TODAY(), kind="leftovers", kg=Decimal("12.5")
        )
    assert "meal" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        services.waste_record(
            school=world.school, actor=actor, date=TODAY(), kind="kitchen", kg=Decimal("40")
        )
    assert "hauler" in exc.value.message_dict
    services.waste_record(
        school=world.school,
        actor=actor,
        date=TODAY(),
        kind="leftovers",
        meal="lunch",
        kg=Decimal("12.5"),
    )
    collected = services.waste_record(
        school=world.school,
        actor=actor,
        date=TODAY(),
        kind="kitchen",
        kg=Decimal("40"),
        hauler="石道环卫公司",
    )
    assert collected.meal == ""


def test_an_exam_records_how_many_of_its_attendees_passed(world, kitchen):
    args = {
        "school": world.school,
        "actor": world.user("canteen"),
        "date": TODAY(),
        "topic": "食品安全法规",
        "trainer": "市场监管所",
        "hours": Decimal("2"),
        "attendees": [kitchen.cook, kitchen.helper],
    }
    with pytest.raises(ValidationError) as exc:
        services.training_record(kind="exam", **args)
    assert "passed" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.training_record(kind="exam", passed=3, **args)
    exam = services.training_record(kind="exam", passed=2, **args)
    session = services.training_record(kind="session", passed=2, **args)
    assert (exam.passed, session.passed) == (2, None)
    assert exam.attendees.count() == 2


def test_a_record_of_a_reviewed_day_is_voided_only_after_the_director_reopens_it(
    world, kitchen, login
):
    sample = _samples(world, kitchen)[0]
    now = timezone.now()
    CanteenDay.objects.create(
        school=world.school,
        date=sample.date,
        status=CanteenDay.REVIEWED,
        closed_at=now,
        closed_by=world.user("canteen"),
        reviewed_at=now,
        reviewed_by=world.user("committee"),
    )
    with pytest.raises(ValidationError, match="总务主任"):
        record_void(school=world.school, actor=world.user("canteen"), record=sample, reason="录错")
    # From its page too: refused with the message, nothing voided.
    url = reverse("record_void", args=["sdcz", "canteen.sample", sample.pk])
    page = login("canteen").post(url, {"reason": "录错", "next": "/s/sdcz/"}, follow=True)
    assert "总务主任" in page.content.decode()
    sample.refresh_from_db()
    assert not sample.is_voided
    services.day_reopen(
        school=world.school, actor=world.user("director"), date=sample.date, reason="更正留样"
    )
    record_void(school=world.school, actor=world.user("canteen"), record=sample, reason="录错")
    sample.refresh_from_db()
    assert sample.is_voided
