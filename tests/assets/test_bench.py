"""The bench seeder inserts consistent rows, and the benchmarked pages stay bounded on them."""

from __future__ import annotations

import random

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from assets import bench
from assets.models import Asset, RepairTicket, StockBalance, StockMove
from logistics.bench import bench_user
from logistics.models import Membership, Role
from logistics.registry import registry


def test_the_bench_seeder_fills_a_school_and_the_pages_stay_bounded(world, client, monkeypatch):
    monkeypatch.setattr(bench, "PER_SCHOOL", 3000)
    with scopes_disabled():
        bench.seed_assets([world.school], 1, random.Random(1))
        assert Asset.objects.filter(school=world.school).count() == 3000
        assert StockBalance.objects.filter(school=world.school).count() == bench.STOCK_ITEMS
        assert StockMove.objects.count() == bench.STOCK_ITEMS * bench.MOVES_PER_ITEM
        assert RepairTicket.objects.count() == bench.REPAIRS
        user = bench_user()
        Membership.objects.create(user=user, school=world.school).roles.set(Role.objects.all())
    client.force_login(user)
    pages = [p for p in registry.bench_pages if p.name.startswith("assets:")]
    assert len(pages) >= 10
    for page in pages:
        url = page.path(world.school)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200, url
        counts = [q for q in ctx.captured_queries if q["sql"].startswith("SELECT COUNT")]
        assert len(ctx.captured_queries) <= 10 and len(counts) <= 1, url


def test_the_timed_label_sheet_and_book_import_are_registered_for_make_bench():
    # Registered when the app is ready (not when its URLs first load); timed by `make bench`.
    assert {bench.label_extras, bench.import_extras} <= set(registry.bench_extras)
