"""The bench seeder fills a school, and the benchmarked pages stay within 10 queries on it."""

from __future__ import annotations

import random

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from logistics.bench import bench_user
from logistics.models import Membership, Role
from logistics.registry import registry
from safety.bench import seed_safety
from safety.models import EquipmentCheck, GateEntry, Hazard, Inspection


def test_the_bench_seeder_fills_a_school_and_the_pages_stay_bounded(world, client):
    with scopes_disabled():
        seed_safety([world.school], 1, random.Random(1))
        assert Inspection.objects.filter(school=world.school).count() == 24
        assert Hazard.objects.filter(school=world.school).count() == 60
        assert EquipmentCheck.objects.filter(school=world.school).count() == 40 * 12
        assert GateEntry.objects.filter(school=world.school).count() == 365 * 4
        user = bench_user()
        Membership.objects.create(user=user, school=world.school).roles.set(Role.objects.all())
    client.force_login(user)
    pages = [p for p in registry.bench_pages if p.name.startswith("safety:")]
    assert len(pages) == 4
    for page in pages:
        url = page.path(world.school)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200, url
        assert len(ctx.captured_queries) <= 10, (url, len(ctx.captured_queries))
