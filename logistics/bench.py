"""`make bench`: district-scale data and a timing harness for every registered page.

Times are reported as ratios to two reference pages measured in the same run (a bare
template page and a page rendering 50 rows of one indexed query), because the machine is
shared and noisy: absolute times are not comparable between runs.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scopes_disabled

from logistics.audit import GENESIS, event_digest
from logistics.models import AuditEvent, Membership, Role, School
from logistics.registry import BenchPage, registry
from logistics.roles import sync_default_roles
from logistics.scoping import requires

BENCH_PREFIX = "bench"
ACTIONS = ["finance.expense.signed", "canteen.sample.logged", "safety.hazard.closed"]


# ---------------------------------------------------------------- reference pages


@requires("dashboard.view")
def reference_bare(request: HttpRequest, school_code: str) -> HttpResponse:
    return render(request, "logistics/bench_reference.html", {"rows": None})


@requires("dashboard.view")
def reference_rows(request: HttpRequest, school_code: str) -> HttpResponse:
    rows = list(
        AuditEvent.objects.filter(school=request.school)
        .order_by("-seq")
        .values("seq", "occurred_at", "action", "summary")[:50]
    )
    return render(request, "logistics/bench_reference.html", {"rows": rows})


# ---------------------------------------------------------------- data


def _chain(school: School, start, count: int, rng: random.Random) -> list[AuditEvent]:
    prev = GENESIS
    events = []
    step = timedelta(days=365 * 3) / max(count, 1)
    for seq in range(1, count + 1):
        event = AuditEvent(
            school=school,
            seq=seq,
            occurred_at=start + step * seq,
            action=rng.choice(ACTIONS),
            summary=f"基准数据 {seq}",
            data={"n": seq},
            prev_hash=prev,
        )
        # Same digest as logistics.audit so verify_audit passes on benchmark data too.
        event.hash = event_digest(event)
        prev = event.hash
        events.append(event)
    return events


def seed(schools: int, years: int, seed_value: int = 20221, stdout=None) -> School:
    """Deterministic district: one central school, `schools` members, `years` of records."""
    rng = random.Random(seed_value)
    sync_default_roles()
    with scopes_disabled():
        central, _ = School.objects.get_or_create(
            code=f"{BENCH_PREFIX}zx", defaults={"name": "基准中心学校"}
        )
        members = [
            School(code=f"{BENCH_PREFIX}{i:02d}", name=f"基准第{i}学校", parent=central)
            for i in range(1, schools + 1)
        ]
        School.objects.bulk_create(members)
        members = list(School.objects.filter(parent=central).order_by("code"))
        user = bench_user()
        all_roles = list(Role.objects.all())
        for school in members:
            Membership.objects.create(user=user, school=school).roles.set(all_roles)
        start = timezone.now() - timedelta(days=365 * years)
        per_school = 700 * years
        for school in members:
            AuditEvent.objects.bulk_create(_chain(school, start, per_school, rng), batch_size=2000)
        for seeder in registry.bench_seeders:
            if stdout:
                stdout.write(f"  seeding {seeder.__module__} …")
            seeder(members, years, rng)
    return members[0]


def bench_user():
    user, created = get_user_model().objects.get_or_create(
        username=f"{BENCH_PREFIX}_all", defaults={"first_name": "基准"}
    )
    if created:
        user.set_unusable_password()
        user.save()
    return user


# ---------------------------------------------------------------- harness


@dataclass
class Result:
    name: str
    median_ms: float
    p95_ms: float
    queries: int
    seq_scans: list[str]
    is_list: bool = True


def _seq_scans(queries: list[dict]) -> list[str]:
    """Tables read by a sequential scan in any of the page's SELECTs (large tables only)."""
    found = set()
    with connection.cursor() as cursor:
        for q in queries:
            sql = q["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            stack = [plan[0]["Plan"]]
            while stack:
                node = stack.pop()
                if node.get("Node Type") == "Seq Scan" and node.get("Plan Rows", 0) > 1000:
                    found.add(node["Relation Name"])
                stack.extend(node.get("Plans", []))
    return sorted(found)


def measure(client: Client, name: str, url: str, runs: int, is_list: bool = True) -> Result:
    for _ in range(3):  # warm caches, connections and template loaders
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{name}: {url} answered {response.status_code}")
    timings = []
    for _ in range(runs):
        t0 = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - t0) * 1000)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    return Result(
        name,
        statistics.median(timings),
        p95,
        len(ctx.captured_queries),
        _seq_scans(ctx.captured_queries),
        is_list,
    )


def run_pages(school: School, runs: int, only: str | None = None) -> list[Result]:
    client = Client()
    client.force_login(bench_user())
    results = [
        measure(client, "reference: bare page", f"/s/{school.code}/__bench__/bare/", runs, False),
        measure(client, "reference: 50 rows", f"/s/{school.code}/__bench__/rows/", runs, False),
    ]
    pages: list[BenchPage] = registry.bench_pages
    for page in pages:
        if only and only not in page.name:
            continue
        results.append(measure(client, page.name, page.path(school), runs, page.is_list))
    return results
