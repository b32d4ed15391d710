"""The builders of 代办费收支公示 and 资助名单公示, called directly."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from finance import services
from finance.models import AidApplication, Student
from logistics.approvals import approval_sign
from logistics.notices.kinds import NoRecords, get_kind

START, END = datetime.date(2026, 9, 1), datetime.date(2027, 1, 31)


@pytest.fixture
def students(world):
    with scopes_disabled():
        return [
            Student.objects.create(
                school=world.school, class_name="初一(1)班", name="张小明", number="01"
            ),
            Student.objects.create(
                school=world.school, class_name="初一(1)班", name="李华", number="02"
            ),
        ]


def test_the_fee_statement_lists_each_student_with_totals(world, students):
    accountant = world.user("accountant")
    with scopes_disabled():
        for name, direction, amount in [
            ("教辅资料费", "collect", "85.00"),
            ("作业本费", "collect", "20.00"),
            ("两免一补", "disburse", "625.00"),
        ]:
            services.fee_item_create(
                school=world.school,
                actor=accountant,
                name=name,
                direction=direction,
                term="2026年秋季学期",
                term_end=datetime.date(2027, 1, 20),
                amount=Decimal(amount),
            )
        snapshot = get_kind("finance.fees").build(school=world.school, start=START, end=END)
    assert snapshot.period == "2026年秋季学期"
    names = [c for c in snapshot.columns if c.key == "name"]
    assert names[0].personal == "name"
    assert [r["name"] for r in snapshot.rows] == ["张小明", "李华"]
    assert snapshot.rows[0]["collected"] == Decimal("105.00")
    assert snapshot.rows[0]["paid"] == Decimal("625.00")
    assert snapshot.totals["collected"] == Decimal("210.00")
    json.dumps(snapshot.to_json())  # serialisable as the engine stores it


def test_the_fee_statement_has_nothing_to_publish_outside_the_term(world, students):
    with scopes_disabled(), pytest.raises(NoRecords):
        get_kind("finance.fees").build(school=world.school, start=START, end=END)


def test_the_aid_list_masks_names_and_never_carries_id_numbers(world, students):
    with scopes_disabled():
        application = services.aid_apply(
            school=world.school,
            actor=world.user("accountant"),
            student=students[0],
            year=2026,
            category="registered",
            amount=Decimal("625.00"),
            id_number="440000201201010011",
            family_situation="父亲残疾，母亲务农",
        )
        approval_sign(
            school=world.school,
            actor=world.user("teacher"),
            approval_id=application.approval_id,
            step=0,
        )
        approval_sign(
            school=world.school,
            actor=world.user("principal"),
            approval_id=application.approval_id,
            step=1,
        )
        application.refresh_from_db()
        assert application.status == "approved"
        today = timezone.localdate()
        snapshot = get_kind("finance.aid").build(school=world.school, start=today, end=today)
    data = json.dumps(snapshot.to_json(), ensure_ascii=False)
    assert "440000201201010011" not in data and "0011" not in data and "务农" not in data
    assert snapshot.rows == [
        {
            "class": "初一(1)班",
            "name": "张小明",
            "category": "建档立卡贫困家庭",
            "amount": Decimal("625.00"),
        }
    ]
    assert {c.key: c.personal for c in snapshot.columns}["name"] == "name"
    assert snapshot.totals == {"amount": Decimal("625.00")}
    assert snapshot.publication_days == 7


def test_aid_still_under_review_is_not_published(world, students):
    with scopes_disabled():
        services.aid_apply(
            school=world.school,
            actor=world.user("accountant"),
            student=students[1],
            year=2026,
            category="other",
            amount=Decimal("300.00"),
        )
        assert AidApplication.objects.count() == 1
        with pytest.raises(NoRecords):
            get_kind("finance.aid").build(school=world.school, start=START, end=END)


def test_the_large_expense_notice_lists_what_was_paid_in_the_period(world):
    from finance.demo import load_finance_demo

    with scopes_disabled():
        load_finance_demo()
        snapshot = get_kind("finance.large").build(
            school=world.school, start=datetime.date(2022, 9, 1), end=datetime.date(2023, 8, 31)
        )
    purposes = [r["purpose"] for r in snapshot.rows]
    assert "校门口及办公楼地面硬化" in purposes and "食堂烤箱" not in purposes
    assert snapshot.totals["amount"] == Decimal("439800.00")
    json.dumps(snapshot.to_json())


def test_the_notice_engine_publishes_the_aid_list_with_masked_names(world, students):
    from logistics.notices import tables
    from logistics.notices.services import notice_create

    with scopes_disabled():
        application = services.aid_apply(
            school=world.school,
            actor=world.user("accountant"),
            student=students[0],
            year=2026,
            category="registered",
            amount=Decimal("625.00"),
            id_number="440000201201010011",
        )
        for who, step in (("teacher", 0), ("principal", 1)):
            approval_sign(
                school=world.school,
                actor=world.user(who),
                approval_id=application.approval_id,
                step=step,
            )
        today = timezone.localdate()
        notice = notice_create(
            school=world.school,
            actor=world.user("principal"),
            kind_code="finance.aid",
            start=today,
            end=today,
        )
    public = str(tables.table(notice.snapshot, public=True).rows)
    assert "张*明" in public and "张小明" not in public and "0011" not in public


def test_the_aid_list_leaves_the_public_archive_after_its_period_but_large_expenses_stay(world):
    from logistics.notices.models import Notice
    from logistics.notices.selectors import on_board

    today = timezone.localdate()
    published = timezone.now() - datetime.timedelta(days=10)
    with scopes_disabled():
        for kind in ("finance.aid", "finance.fees", "finance.large"):
            Notice.objects.create(
                school=world.school,
                kind=kind,
                title=kind,
                snapshot={},
                status=Notice.PUBLISHED,
                published_at=published,
                public_until=today - datetime.timedelta(days=3),
                created_by=world.user("accountant"),
            )
        archive = list(on_board(world.school, published.date()).values_list("kind", flat=True))
    assert archive == ["finance.large"]
