"""The pages on a phone: today, sampling a meal in one form, closing, reviewing, answering."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from canteen import services
from canteen.models import CanteenDay, FollowUp, Sample
from tests.canteen.conftest import TODAY

pytestmark = pytest.mark.django_db


def url(name, world, *args):
    return reverse(f"canteen:{name}", args=[world.school.code, *args])


def test_today_lists_each_lunch_dish_as_missing_until_sampled(world, kitchen, login):
    page = login("cook").get(url("today", world)).content.decode()
    for dish in kitchen.dishes:
        assert dish.name in page
    assert "无留样" in page or "未留样" in page
    assert url("sample_meal", world, TODAY().isoformat(), "lunch") in page


def test_sampling_a_meal_is_one_form_with_a_weight_per_dish(world, kitchen, login):
    client = login("cook")
    form_url = url("sample_meal", world, TODAY().isoformat(), "lunch")
    page = client.get(form_url).content.decode()
    assert all(d.name in page for d in kitchen.dishes)
    data = {f"grams_{d.pk}": "130" for d in kitchen.dishes}
    data |= {"sampler": kitchen.cook.pk, "reviewer": kitchen.manager.pk, "fridge": "留样柜1"}
    response = client.post(form_url, data)
    assert response.status_code == 302
    with scopes_disabled():
        assert Sample.objects.filter(school=world.school, date=TODAY()).count() == 3


def test_a_light_sample_is_refused_beside_its_field_and_the_input_is_kept(world, kitchen, login):
    client = login("cook")
    form_url = url("sample_meal", world, TODAY().isoformat(), "lunch")
    data = {f"grams_{d.pk}": "130" for d in kitchen.dishes}
    data[f"grams_{kitchen.dishes[0].pk}"] = "100"
    data |= {"sampler": kitchen.cook.pk, "reviewer": kitchen.manager.pk}
    response = client.post(form_url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "125" in page and 'value="100"' in page
    with scopes_disabled():
        assert not Sample.objects.exists()


def test_an_out_of_range_temperature_without_action_shows_the_error(world, login):
    response = login("cook").post(
        url("temperature_new", world), {"equipment": "fridge", "celsius": "11"}
    )
    assert response.status_code == 200
    assert "纠偏措施" in response.content.decode()


def test_closing_with_gaps_is_refused_with_the_missing_entries(world, kitchen, login):
    response = login("canteen").post(url("day_close", world, TODAY().isoformat()), follow=True)
    assert "还缺" in response.content.decode()
    with scopes_disabled():
        assert not CanteenDay.objects.filter(status="closed").exists()


def _closed_day(world, kitchen):
    with scopes_disabled():
        for key in (
            "meal:breakfast",
            "meal:lunch",
            "meal:dinner",
            "temperature",
            *tuple(f"morning:{s.pk}" for s in (kitchen.cook, kitchen.manager, kitchen.helper)),
        ):
            services.gap_mark(
                school=world.school,
                actor=world.user("canteen"),
                date=TODAY(),
                key=key,
                reason="测试日：停餐",
            )
        services.day_close(school=world.school, actor=world.user("canteen"), date=TODAY())


def test_committee_reviews_a_closed_day_or_raises_a_concern_the_manager_answers(
    world, kitchen, login
):
    _closed_day(world, kitchen)
    day = TODAY().isoformat()
    committee = login("committee")
    page = committee.get(url("day_review", world, day)).content.decode()
    assert "不适用" in page and "sign-review" in page
    committee.post(
        url("day_concern", world, day),
        {
            "text": "午餐停餐未提前通知家长",
            "deadline": (TODAY() + datetime.timedelta(days=2)).isoformat(),
        },
    )
    with scopes_disabled():
        item = FollowUp.objects.get()
    login("canteen").post(url("followup_reply", world, item.pk), {"reply": "已通知，今后提前一天"})
    page = committee.get(url("day_review", world, day)).content.decode()
    assert "已通知，今后提前一天" in page
    committee.post(url("day_sign", world, day), {"comment": "同意"})
    with scopes_disabled():
        assert CanteenDay.objects.get().status == "reviewed"


def test_the_director_reopens_a_reviewed_day_with_a_reason(world, kitchen, login):
    _closed_day(world, kitchen)
    with scopes_disabled():
        services.day_review(school=world.school, actor=world.user("committee"), date=TODAY())
    login("director").post(url("day_reopen", world, TODAY().isoformat()), {"reason": "补录"})
    page = login("committee").get(url("day_review", world, TODAY().isoformat())).content.decode()
    assert "补录" in page


@pytest.mark.parametrize(
    "kind", ["samples", "morning", "receiving", "disinfection", "accompanied", "temperatures"]
)
@pytest.mark.parametrize("fmt", ["pdf", "xlsx"])
def test_every_ledger_prints_as_pdf_and_excel(world, kitchen, login, kind, fmt):
    with scopes_disabled():
        services.temperature_record(
            school=world.school,
            actor=world.user("cook"),
            equipment="fridge",
            celsius=Decimal("11"),
            corrective_action="维修",
        )
    response = login("director").get(url("ledger", world, kind), {"format": fmt})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'.{fmt}"')


def test_the_sample_ledger_marks_voided_rows_and_missing_samples(world, kitchen, login):
    from canteen.ledgers import LEDGERS
    from logistics.services import record_void

    with scopes_disabled():
        sample = services.samples_record(
            school=world.school,
            actor=world.user("cook"),
            date=TODAY(),
            meal="lunch",
            sampler=kitchen.cook,
            reviewer=kitchen.manager,
            entries=[services.SampleInput(kitchen.dishes[0], Decimal("130"))],
        )[0]
        record_void(school=world.school, actor=world.user("canteen"), record=sample, reason="称错")
        snapshot = LEDGERS["samples"].snapshot(world.school, TODAY(), TODAY())
    remarks = [r["remark"] for r in snapshot.rows]
    assert "【作废】称错" in remarks
    assert remarks.count("未留样：记录不完整") == 3
    page = login("director").get(url("ledger", world, "samples")).content.decode()
    assert "text-decoration-line-through" in page
