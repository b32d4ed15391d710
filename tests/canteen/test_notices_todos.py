"""Notices built from the records, published by the food-safety officer's stand-in; to-dos."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from canteen import services
from canteen.models import Receiving
from canteen.todos import canteen_todos
from logistics.approvals import approval_sign
from logistics.notices import services as notice_services
from logistics.notices.kinds import NoRecords, get_kind
from logistics.notices.models import Notice
from logistics.roles import capabilities_for
from logistics.selectors import todos_for
from logistics.services import record_void
from tests.canteen.conftest import TODAY, line, staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_scope():
    with scopes_disabled():
        yield


def _deliveries(world, kitchen):
    args = {
        "school": world.school,
        "actor": world.user("canteen"),
        "date": TODAY(),
        "supplier": kitchen.supplier,
        "inspector": kitchen.manager,
        "second_inspector": kitchen.helper,
    }
    services.receiving_create(
        **args,
        lines=[
            line(quantity=Decimal("50"), weighed=Decimal("49.5"), unit_price=Decimal("5.20")),
            line(
                name="白菜",
                category="vegetables",
                quantity=Decimal("20"),
                unit_price=Decimal("2.50"),
                accepted=False,
                disposal="退回",
            ),
        ],
    )
    voided = services.receiving_create(**args, lines=[line(name="错录米")])
    record_void(school=world.school, actor=world.user("canteen"), record=voided, reason="重复")


def test_the_daily_purchase_report_lists_accepted_lines_of_valid_deliveries(world, kitchen):
    _deliveries(world, kitchen)
    snapshot = get_kind("canteen.purchases").build(school=world.school, start=TODAY(), end=TODAY())
    assert [r["item"] for r in snapshot.rows] == ["大米"]
    assert snapshot.rows[0]["amount"] == Decimal("257.40")
    assert snapshot.totals["amount"] == Decimal("257.40")
    json.dumps(snapshot.to_json())
    with pytest.raises(NoRecords):
        get_kind("canteen.purchases").build(
            school=world.school,
            start=TODAY() - datetime.timedelta(1),
            end=TODAY() - datetime.timedelta(1),
        )


def test_the_food_safety_officers_daily_report_is_published_by_the_director(world, kitchen):
    _deliveries(world, kitchen)
    canteen = world.user("canteen")
    notice = notice_services.notice_create(
        school=world.school,
        actor=canteen,
        kind_code="canteen.purchases",
        start=TODAY(),
        end=TODAY(),
    )
    notice = notice_services.notice_submit(school=world.school, actor=canteen, notice_id=notice.pk)
    # The kind's publisher is canteen.publish; the preparer never publishes their own.
    assert notice.approval.current_capability == "canteen.publish"
    assert "notices.approve" not in capabilities_for(world.user("director"), world.school)
    approval_sign(
        school=world.school, actor=world.user("director"), approval_id=notice.approval_id, step=0
    )
    assert Notice.objects.get(pk=notice.pk).status == Notice.PUBLISHED


def test_the_weekly_menu_shows_grams_per_student_in_meal_order(world, kitchen):
    services.menu_set(
        school=world.school,
        actor=world.user("canteen"),
        date=TODAY(),
        meal="breakfast",
        dishes=[("馒头", 100), ("豆浆", None)],
    )
    snapshot = get_kind("canteen.menu").build(school=world.school, start=TODAY(), end=TODAY())
    assert [r["meal"] for r in snapshot.rows] == ["早餐", "午餐"]
    assert snapshot.rows[0]["dishes"] == "馒头（100克）、豆浆"


def test_the_certificate_list_masks_names_and_leaves_the_board(world, kitchen):
    kind = get_kind("canteen.certificates")
    snapshot = kind.build(school=world.school, start=TODAY(), end=TODAY())
    assert snapshot.columns[0].personal == "name"
    assert kind.personal_data


def test_to_dos_come_from_one_query_and_follow_capabilities(world, kitchen):
    staff(world, "快到期", "cook", expires=TODAY() + datetime.timedelta(days=7))
    cook_caps = capabilities_for(world.user("cook"), world.school)
    with CaptureQueriesContext(connection) as ctx:
        texts = [t.text for t in canteen_todos(world.school, world.user("cook"), cook_caps)]
    assert len(ctx.captured_queries) == 1
    assert any("3" in t and "留样" in t for t in texts)
    director = todos_for(
        world.school, world.user("director"), capabilities_for(world.user("director"), world.school)
    )
    assert any("健康证明" in t.text for t in director), [t.text for t in director]
    assert not any("留样" in t.text for t in director)


def test_closed_days_and_concerns_show_on_the_committee_and_manager_dashboards(world, kitchen):
    day = TODAY() - datetime.timedelta(days=1)
    for key in (
        "meal:breakfast",
        "meal:lunch",
        "meal:dinner",
        "temperature",
        *(f"morning:{s.pk}" for s in (kitchen.cook, kitchen.manager, kitchen.helper)),
    ):
        services.gap_mark(
            school=world.school, actor=world.user("canteen"), date=day, key=key, reason="停餐"
        )
    services.day_close(school=world.school, actor=world.user("canteen"), date=day)
    committee = world.user("committee")
    todos = todos_for(world.school, committee, capabilities_for(committee, world.school))
    assert any("等待您审核" in t.text for t in todos)
    services.concern_raise(
        school=world.school, actor=committee, date=day, text="为何停餐", deadline=TODAY()
    )
    canteen = world.user("canteen")
    todos = todos_for(world.school, canteen, capabilities_for(canteen, world.school))
    assert any("答复" in t.text for t in todos)
    assert Receiving.objects.count() == 0


def test_certificates_are_warned_at_30_14_and_7_days_each_in_its_tightest_window(world):
    for name, days in (("已过期", -1), ("七天", 7), ("八天", 8), ("十四天", 14), ("三十天", 30)):
        staff(world, name, "cook", expires=TODAY() + datetime.timedelta(days=days))
    staff(world, "三十一天", "cook", expires=TODAY() + datetime.timedelta(days=31))
    canteen = world.user("canteen")
    lines = {
        t.text: (t.count, t.level)
        for t in canteen_todos(world.school, canteen, capabilities_for(canteen, world.school))
        if "健康证明" in t.text
    }
    assert lines == {
        "2 份健康证明将在 7 天内到期或已过期": (2, "danger"),
        "2 份健康证明将在 14 天内到期": (2, "warning"),
        "1 份健康证明将在 30 天内到期": (1, "info"),
    }, lines
