"""The bench seeder inserts consistent rows, and the benchmarked pages stay bounded on them."""

from __future__ import annotations

import random

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from finance.bench import seed_finance
from finance.models import Expense, ExpenseStatus
from logistics.bench import bench_user
from logistics.models import Membership, Role


def test_the_bench_seeder_fills_a_school_and_the_pages_stay_bounded(world, client):
    with scopes_disabled():
        seed_finance([world.school], 1, random.Random(1))
        assert Expense.objects.filter(school=world.school).count() == 300
        paid = Expense.objects.filter(status=ExpenseStatus.PAID).select_related(
            "approval", "booking_approval"
        )[0]
        assert paid.approval.object_id == str(paid.pk) == paid.booking_approval.object_id
        user = bench_user()
        Membership.objects.create(user=user, school=world.school).roles.set(Role.objects.all())
    client.force_login(user)
    pages = ("", "sign/", "funds/", "students/", "fees/", "aid/")
    for url in (f"/s/sdcz/finance/{page}" for page in pages):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        assert len(ctx.captured_queries) <= 10, url
