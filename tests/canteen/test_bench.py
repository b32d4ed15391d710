"""The bench seeder inserts consistent rows, and the benchmarked pages stay bounded on them."""

from __future__ import annotations

import random

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from canteen.bench import seed_canteen
from canteen.models import ReceivingLine, Sample
from logistics.bench import bench_user
from logistics.models import Membership, Role
from logistics.registry import registry
from tests.factories import SchoolFactory


def test_the_bench_seeder_fills_a_school_and_the_canteen_pages_stay_bounded(world, client):
    with scopes_disabled():
        seed_canteen([world.school], 1, random.Random(1))
        assert Sample.objects.filter(school=world.school).count() == 365 * 12
        assert ReceivingLine.objects.filter(school=world.school).count() == 365 * 8
        user = bench_user()
        Membership.objects.create(user=user, school=world.school).roles.set(Role.objects.all())
    client.force_login(user)
    pages = [p for p in registry.bench_pages if p.name.startswith("canteen")]
    assert len(pages) >= 5
    for page in pages:
        url = page.path(world.school)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200, url
        assert len(ctx.captured_queries) <= 10, url


def test_the_timed_extras_are_registered_and_the_purchase_report_is_built_from_bench_data(world):
    from canteen import bench

    assert {bench.pack_extras, bench.purchase_report_extras} <= set(registry.bench_extras)
    with scopes_disabled():
        school = SchoolFactory(code="bench01", parent=world.central)
        seed_canteen([school], 1, random.Random(2))
    [row] = bench.purchase_report_extras()
    assert row["name"] == "canteen: build a daily purchase report" and row["value"] > 0
    assert row["ratio"] == row["value"] / 0.5


def test_the_pack_child_reaches_the_same_database_by_socket_or_host():
    from canteen.bench import _database_url

    socket = {"USER": "postgres", "PASSWORD": "", "HOST": "", "PORT": "", "NAME": "x_bench"}
    socket["OPTIONS"] = {"host": "/srv/run"}
    assert _database_url(socket) == "postgres://postgres@/x_bench?host=/srv/run"
    tcp = {"USER": "app", "PASSWORD": "p@ss", "HOST": "db", "PORT": "6432", "NAME": "x_bench"}
    assert _database_url(tcp) == "postgres://app:p%40ss@db:6432/x_bench"
