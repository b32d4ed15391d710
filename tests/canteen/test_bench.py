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
        assert len(ctx.captured_queries) <= (17 if not page.is_list else 10), url
