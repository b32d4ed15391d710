"""`make bench`: district-scale data and a timing harness for every registered page.

The machine is shared and noisy, so absolute times are not comparable between runs: every
page is reported as a ratio to reference pages measured in the same run, with requests to
all pages interleaved round by round.

Two kinds of reference:

- stock Django (`stock: …`): Django's default middleware (startproject's list), a
  URLconf of its own, Django's default context processors and a small template of its own,
  served by a handler of its own (`StockClientHandler`, `stock_wsgi_application`) — what a
  school page would cost without the kernel. One page shows the logged-in user's name,
  one renders 50 rows of one indexed query.
- the project's own (`reference: …`, the ratios before issue 12): the same pages through the
  project's middleware and base layout.

`kernel: trivial school page` is a school page whose view renders the stock template: its
cost over `stock: login page` is the kernel's fixed cost before a view runs.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess  # nosec B404  # starts our own server and wrk
import sys
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.backends.django import DjangoTemplates
from django.test import Client
from django.test.client import ClientHandler
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django_scopes import scopes_disabled

from logistics.audit import GENESIS, event_digest, head_text, seal
from logistics.models import AuditEvent, AuditHead, Membership, Role, School
from logistics.registry import registry
from logistics.roles import sync_default_roles
from logistics.scoping import requires

BENCH_PREFIX = "bench"
ACTIONS = ["finance.expense.signed", "canteen.sample.logged", "safety.hazard.closed"]

# ---------------------------------------------------------------- stock Django

# `django-admin startproject`'s middleware and context processors, nothing of the project's.
STOCK_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
STOCK_URLCONF = "logistics.bench_stock_urls"
STOCK_PREFIX = "/__stock__/"

STOCK_TEMPLATES = SimpleLazyObject(
    lambda: DjangoTemplates(
        {
            "NAME": "stock",
            "DIRS": [settings.BASE_DIR / "templates"],
            "APP_DIRS": False,
            "OPTIONS": {
                "context_processors": [
                    "django.template.context_processors.request",
                    "django.contrib.auth.context_processors.auth",
                    "django.contrib.messages.context_processors.messages",
                ]
            },
        }
    )
)


def _stock_render(request: HttpRequest, rows: list | None) -> HttpResponse:
    template = STOCK_TEMPLATES.get_template("logistics/bench_stock.html")
    return HttpResponse(template.render({"rows": rows}, request))


@login_required
def stock_bare(request: HttpRequest) -> HttpResponse:
    return _stock_render(request, None)


@login_required
def stock_rows(request: HttpRequest, school_id: int) -> HttpResponse:
    # The plain manager, as a stock project has no tenant guard; the (school, seq) index.
    rows = list(
        AuditEvent._base_manager.filter(school_id=school_id)
        .order_by("-seq")
        .values("seq", "occurred_at", "action", "summary")[:50]
    )
    return _stock_render(request, rows)


class _StockMixin:
    """A handler with stock Django's middleware and URLconf, whatever the settings say."""

    def load_middleware(self, is_async: bool = False) -> None:
        with override_settings(MIDDLEWARE=STOCK_MIDDLEWARE):
            super().load_middleware(is_async)  # type: ignore[misc]

    def get_response(self, request: HttpRequest) -> HttpResponse:
        request.urlconf = STOCK_URLCONF
        return super().get_response(request)  # type: ignore[misc]


class StockClientHandler(_StockMixin, ClientHandler):
    pass


class StockWSGIHandler(_StockMixin, WSGIHandler):
    pass


def stock_client() -> Client:
    client = Client()
    client.handler = StockClientHandler(enforce_csrf_checks=False)
    return client


# ---------------------------------------------------------------- project references


@requires("dashboard.view")
def kernel_trivial(request: HttpRequest, school_code: str) -> HttpResponse:
    return _stock_render(request, None)


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
        # Same digest and seal as logistics.audit so verify_audit passes on benchmark data.
        event.hash = event_digest(event)
        event.mac = seal(event.hash)
        prev = event.hash
        events.append(event)
    return events


def seed(schools: int, years: int, seed_value: int = 20221, stdout=None) -> School:
    """Deterministic district: one central school, `schools` members, `years` of records."""
    rng = random.Random(seed_value)  # nosec B311  # bench rows, not secrets
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
            events = _chain(school, start, per_school, rng)
            AuditEvent.objects.bulk_create(events, batch_size=2000)
            last = events[-1]
            AuditHead.objects.create(
                school=school,
                seq=last.seq,
                hash=last.hash,
                mac=seal(head_text(school.pk, last.seq, last.hash)),
            )
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
    wall_ms: list[float] = field(default_factory=list)
    cpu_ms: list[float] = field(default_factory=list)
    queries: int = 0
    seq_scans: list[str] = field(default_factory=list)
    is_list: bool = True
    is_reference: bool = False

    @property
    def median_ms(self) -> float:
        return statistics.median(self.wall_ms)

    @property
    def p95_ms(self) -> float:
        timings = sorted(self.wall_ms)
        return timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]

    @property
    def cpu_median_ms(self) -> float:
        """This process's CPU time per request (time.process_time): Python's work, without
        PostgreSQL's and without waiting for the other agents on the machine."""
        return statistics.median(self.cpu_ms)


@dataclass
class Page:
    name: str
    url: str
    client: Client
    result: Result


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


def _get(page: Page) -> None:
    response = page.client.get(page.url)
    if response.status_code != 200:
        raise RuntimeError(f"{page.name}: {page.url} answered {response.status_code}")


def measure(pages: list[Page], runs: int) -> None:
    """Every page once per round, `runs` rounds: a slow spell of the machine hits all pages
    alike instead of whichever page was being measured then."""
    for _ in range(3):  # warm caches, connections and template loaders
        for page in pages:
            _get(page)
    for _ in range(runs):
        for page in pages:
            c0, t0 = time.process_time(), time.perf_counter()
            _get(page)
            page.result.wall_ms.append((time.perf_counter() - t0) * 1000)
            page.result.cpu_ms.append((time.process_time() - c0) * 1000)
    for page in pages:
        with CaptureQueriesContext(connection) as ctx:
            _get(page)
        page.result.queries = len(ctx.captured_queries)
        page.result.seq_scans = _seq_scans(ctx.captured_queries)


def reference_paths(school: School) -> list[tuple[str, str, bool]]:
    """(name, path, stock?) of the reference pages, stock ones first."""
    return [
        ("stock: login page", f"{STOCK_PREFIX}bare/", True),
        ("stock: 50 rows", f"{STOCK_PREFIX}rows/{school.pk}/", True),
        ("kernel: trivial school page", f"/s/{school.code}/__bench__/trivial/", False),
        ("reference: bare page", f"/s/{school.code}/__bench__/bare/", False),
        ("reference: 50 rows", f"/s/{school.code}/__bench__/rows/", False),
    ]


def run_pages(school: School, runs: int, only: str | None = None) -> list[Result]:
    """Time the reference pages and every registered page (ROOT_URLCONF: bench_urls)."""
    user = bench_user()
    project, stock = Client(), stock_client()
    project.force_login(user)
    stock.force_login(user)
    pages = [
        Page(name, path, stock if is_stock else project, Result(name, is_reference=True))
        for name, path, is_stock in reference_paths(school)
    ]
    for bench_page in registry.bench_pages:
        if only and only not in bench_page.name:
            continue
        pages.append(
            Page(
                bench_page.name,
                bench_page.path(school),
                project,
                Result(bench_page.name, is_list=bench_page.is_list),
            )
        )
    measure(pages, runs)
    return [page.result for page in pages]


# ---------------------------------------------------------------- over HTTP (--http)


@dataclass
class HttpResult:
    name: str
    requests_per_s: float
    worker_cpu_ms: float  # gunicorn workers' CPU per request (user + system)
    errors: int


def _worker_cpu_seconds(master_pid: int) -> float:
    """CPU time so far of the gunicorn master's children (the workers), from /proc."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    for pid in children:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
    return total


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_http(
    pages: list[tuple[str, str]], cookie: str, database: str, seconds: int, stdout
) -> list[HttpResult]:
    """Requests per second of each page under wrk (2 connections, `seconds` each) against
    gunicorn with 2 sync workers on 127.0.0.1, every page in the same server run."""
    port = _free_port()
    env = {**os.environ, "BENCH_DATABASE": database, "DEBUG": "true"}
    server = subprocess.Popen(  # noqa: S603  our own interpreter and arguments  # nosec B603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "logistics.bench_wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=settings.BASE_DIR,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    results = []
    try:
        for _ in range(100):  # up to 10 s for the workers to start
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1)  # noqa: S310  our server  # nosec B310
                break
            except OSError:
                time.sleep(0.1)
        for name, raw_path in pages:
            path = urllib.parse.quote(raw_path, safe="/?=&%:+")  # search pages ask in Chinese
            request = urllib.request.Request(base + path, headers={"Cookie": cookie})  # noqa: S310
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310  # nosec B310  # http://127.0.0.1, our server
                if response.status != 200 or response.url != base + path:
                    raise RuntimeError(f"{name}: {path} answered {response.status}")
            cpu0 = _worker_cpu_seconds(server.pid)
            out = subprocess.run(  # noqa: S603  # nosec B603  # wrk on our URL
                [
                    shutil.which("wrk") or "wrk",
                    "-t1",
                    "-c2",
                    f"-d{seconds}s",
                    "-H",
                    f"Cookie: {cookie}",
                    base + path,
                ],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            cpu = _worker_cpu_seconds(server.pid) - cpu0
            total = int(re.search(r"(\d+) requests in", out).group(1))
            rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
            bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
            results.append(
                HttpResult(name, rate, cpu * 1000 / max(total, 1), int(bad.group(1)) if bad else 0)
            )
            stdout.write(f"  {name}: {rate:.0f} requests/s")
    finally:
        server.terminate()
        server.wait(timeout=30)
    return results
