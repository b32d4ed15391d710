"""`make bench`'s harness: references measured in the same run, CPU time, the report."""

from __future__ import annotations

from io import StringIO

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from logistics.bench import Page, Result, bench_user, measure, reference_paths, stock_client
from logistics.management.commands.bench import Command
from logistics.models import Membership, Role

pytestmark = pytest.mark.urls("logistics.bench_urls")


def test_reference_pages_are_timed_with_cpu_and_query_counts_and_reported(world):
    user = bench_user()
    with scopes_disabled():
        Membership.objects.create(user=user, school=world.school).roles.set(Role.objects.all())
    project, stock = Client(), stock_client()
    project.force_login(user)
    stock.force_login(user)
    pages = [
        Page(name, path, stock if is_stock else project, Result(name, is_reference=True))
        for name, path, is_stock in reference_paths(world.school)
    ]
    measure(pages, runs=2)
    results = {p.name: p.result for p in pages}
    assert all(len(r.wall_ms) == len(r.cpu_ms) == 2 for r in results.values())
    assert results["stock: login page"].queries == 2
    assert results["kernel: trivial school page"].queries == 3
    assert results["stock: 50 rows"].queries == 3

    out = StringIO()
    command = Command(stdout=out)
    command.report(list(results.values()), 2, "test")
    text = out.getvalue()
    assert "×stock50" in text
    assert "Kernel fixed cost before a view" in text
    assert "+1 queries" in text


def test_http_measure_is_skipped_with_a_clear_message_without_wrk(world, monkeypatch):
    monkeypatch.setattr("logistics.management.commands.bench.shutil.which", lambda name: None)
    out = StringIO()
    assert Command(stdout=out).http(world.school, None, "test", 1) == 0
    assert "--http skipped: wrk is not installed" in out.getvalue()
