"""Every list page runs the same number of queries whatever the number of rows."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from canteen import services
from canteen.selectors import staff_choices
from tests.canteen.conftest import TODAY, clean_png, line, staff

pytestmark = pytest.mark.django_db


def _more(world, kitchen, n: int, tag: str) -> None:
    """n more rows of every kind today (and n more closed days with a concern each)."""
    school, canteen = world.school, world.user("canteen")
    with scopes_disabled():
        dishes = services.menu_set(
            school=school,
            actor=canteen,
            date=TODAY(),
            meal="dinner",
            dishes=[(f"{tag}菜{i}", 100) for i in range(n)],
        )
        new = [d for d in dishes if d.name.startswith(tag)]
        services.samples_record(
            school=school,
            actor=world.user("cook"),
            date=TODAY(),
            meal="dinner",
            sampler=kitchen.cook,
            reviewer=kitchen.manager,
            entries=[services.SampleInput(d, Decimal("130"), clean_png()) for d in new],
        )
        for i in range(n):
            person = staff(world, f"{tag}员{i}", "helper")
            services.morning_check_record(
                school=school,
                actor=canteen,
                staff=person,
                date=TODAY(),
                temperature=Decimal("36.5"),
            )
            services.temperature_record(
                school=school,
                actor=canteen,
                equipment="fridge",
                celsius=Decimal("12"),
                corrective_action="调温",
            )
            services.receiving_create(
                school=school,
                actor=canteen,
                date=TODAY(),
                supplier=kitchen.supplier,
                inspector=kitchen.manager,
                second_inspector=kitchen.helper,
                lines=[
                    line(),
                    line(name="白菜", category="vegetables", accepted=False, disposal="退货"),
                ],
            )
            services.disinfection_record(
                school=school,
                actor=canteen,
                date=TODAY(),
                meal="dinner",
                method="chlorine",
                mg_per_litre=250,
                seconds=300,
                operator=kitchen.cook,
                checker=kitchen.manager,
            )
            services.accompanied_record(
                school=school,
                actor=world.user("principal"),
                date=TODAY(),
                meal="dinner",
                ratings={d.pk: 4 for d in new},
                problems=f"{tag}问题{i}",
            )
            services.supplier_save(
                school=school,
                actor=canteen,
                name=f"{tag}供应商{i}",
                credit_code=f"91440700{tag}{i:09d}"[:18].upper().ljust(18, "0"),
                licence_no="JY1",
                licence_expires=TODAY(),
                categories=["fruit"],
            )
            services.survey_record(
                school=school,
                actor=canteen,
                semester=f"{tag}学期{i}",
                date=TODAY(),
                respondents=100,
                satisfied=96,
            )
            services.training_record(
                school=school,
                actor=canteen,
                date=TODAY(),
                kind="session",
                topic=f"{tag}{i}",
                trainer="所长",
                hours=Decimal("1"),
                attendees=[kitchen.cook, kitchen.helper],
            )
            services.waste_record(
                school=school,
                actor=canteen,
                date=TODAY(),
                kind="leftovers",
                meal="lunch",
                kg=Decimal("10"),
            )
            complaint = services.complaint_record(
                school=school,
                actor=canteen,
                received_on=TODAY(),
                channel="phone",
                content=f"{tag}投诉{i}",
            )
            services.complaint_reply(
                school=school, actor=canteen, complaint_id=complaint.pk, reply="已处理"
            )
            inspection = services.inspection_record(
                school=school,
                actor=world.user("committee"),
                kind="committee",
                date=TODAY(),
                items=[services.ItemInput(f"{tag}发现{i}", False)],
                owner=world.user("director"),
                deadline=TODAY(),
            )
            services.action_fix(
                school=school,
                actor=world.user("director"),
                action_id=inspection.items.get().action.pk,
                note="已整改",
                evidence=clean_png(),
            )
            services.incident_open(
                school=school,
                actor=world.user("principal"),
                discovered_at=timezone.now(),
                description=f"{tag}事故{i}",
                stopped="停餐",
            )
            day = TODAY() - datetime.timedelta(days=10 + i + (0 if tag == "A" else 20))
            for key in ("meal:breakfast", "meal:lunch", "meal:dinner", "temperature"):
                services.gap_mark(school=school, actor=canteen, date=day, key=key, reason="假")
            for s in staff_choices(school):
                services.gap_mark(
                    school=school, actor=canteen, date=day, key=f"morning:{s.pk}", reason="假"
                )
            services.day_close(school=school, actor=canteen, date=day)


PAGES = [
    ("today", ()),
    ("day_review", ("today",)),
    ("day_list", ()),
    ("followup_list", ()),
    ("staff_list", ()),
    ("supplier_list", ()),
    ("menu_week", ()),
    ("account", ()),
    ("complaint_list", ()),
    ("survey_list", ()),
    ("inspection_list", ()),
    ("incident_list", ()),
    ("pack_list", ()),
    *[
        ("ledger", (k,))
        for k in (
            "samples",
            "morning",
            "receiving",
            "disinfection",
            "accompanied",
            "temperatures",
            "complaints",
            "inspections",
            "actions",
            "incidents",
        )
    ],
]


def _count(client, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_list_pages_do_not_grow_with_their_rows(world, kitchen, login):
    client = login("director")
    paths = [
        reverse(
            f"canteen:{name}",
            args=[world.school.code, *[TODAY().isoformat() if a == "today" else a for a in args]],
        )
        for name, args in PAGES
    ]
    _more(world, kitchen, 1, "A")
    small = {p: _count(client, p) for p in paths}
    _more(world, kitchen, 3, "B")
    large = {p: _count(client, p) for p in paths}
    assert small == large
    # Session, user, capabilities; then the day's pages read the day's ledgers, the staff with
    # their checks and the dishes with their samples as JSON in one query.
    day_pages = [p for p in paths if "/day/" in p or p.endswith("canteen/")]
    assert {small[p] for p in day_pages} == {4}, small
    # Lists: the page and its count (the self-inspection page: actions, minutes, inspections
    # and their items).
    assert max(small.values()) <= 10, small
