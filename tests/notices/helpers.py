"""Notices for tests, made through the services as a user would."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.management import call_command
from django_scopes import scopes_disabled

from logistics import approvals
from logistics.notices import services
from logistics.notices.kinds import Column, Snapshot

TITLE = "2022年秋季学期代办费收支公示"


def fee_snapshot(rows: int = 3, *, title: str = TITLE, first_name: str = "张三明") -> dict:
    columns = [
        Column("name", "姓名", personal="name"),
        Column("idno", "身份证号", personal="number"),
        Column("item", "项目"),
        Column("count", "人数", "integer"),
        Column("amount", "金额（元）", "money"),
        Column("day", "日期", "date"),
    ]
    data = [
        {
            "name": first_name if i == 0 else f"李{i}华",
            "idno": f"44010120100101{i:04d}",
            "item": "作业本费",
            "count": 1,
            "amount": Decimal("1234.50") + i,
            "day": datetime.date(2022, 9, 1 + i % 28),
        }
        for i in range(rows)
    ]
    total = sum((r["amount"] for r in data), Decimal("0"))
    return Snapshot(
        title, "2022年秋季学期", columns, data, {"amount": total}, notes="多退少补。"
    ).to_json()


def draft(world, school=None, *, snapshot=None, user="director"):
    school = school or world.school
    with scopes_disabled():
        return services.notice_create_table(
            school=school, actor=world.user(user), snapshot=snapshot or fee_snapshot()
        )


def publish(world, notice, *, principal="principal"):
    """Submit as the director and sign as the principal; returns the published notice."""
    with scopes_disabled():
        notice = services.notice_submit(
            school=notice.school, actor=world.user("director"), notice_id=notice.pk
        )
        approvals.approval_sign(
            school=notice.school,
            actor=world.user(principal),
            approval_id=notice.approval_id,
            step=0,
        )
        notice.refresh_from_db()
    return notice


def published(world, school=None, **kwargs):
    school = school or world.school
    principal = "principal" if school == world.school else "principal_xx"
    return publish(world, draft(world, school, **kwargs), principal=principal)


def run_worker() -> None:
    """Run the queued background tasks with the real worker, until the queue is empty."""
    call_command("db_worker", batch=True, no_startup_delay=True, verbosity=0)
