from __future__ import annotations

import shutil

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django_scopes import scopes_disabled

from logistics.bench import (
    BENCH_PREFIX,
    Result,
    bench_user,
    reference_paths,
    run_http,
    run_pages,
)
from logistics.models import School
from logistics.registry import registry

# Issue 12's targets: CPU per request of a list page, to-do page or the dashboard at most
# 1.5× the stock 50-row page's; the kernel's fixed cost before a view at most 1 ms.
CPU_RATIO_TARGET = 1.5
LIST_QUERY_TARGET = 10
KERNEL_MS_TARGET = 1.0
# The public board (parents at the school gate) at least 0.8× the stock login page's rate.
BOARD_RATE_TARGET = 0.8


class Command(BaseCommand):
    help = (
        "Time every registered page against district-scale data in a separate database "
        "(<name>_bench, kept between runs) and print ratios to the reference pages."
    )

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=30)
        parser.add_argument("--schools", type=int, default=30)
        parser.add_argument("--years", type=int, default=3)
        parser.add_argument("--only", help="Only pages whose name contains this text.")
        parser.add_argument("--no-extras", action="store_true", help="Skip PDF/Excel benches.")
        parser.add_argument(
            "--http",
            action="store_true",
            help="Also measure requests/s with wrk against gunicorn on 127.0.0.1.",
        )
        parser.add_argument("--http-seconds", type=int, default=5, help="wrk run per page.")

    def handle(self, *args, runs, schools, years, only, no_extras, http, http_seconds, **options):
        # Its own database, so benchmark data never mixes with the demo site's.
        name = connection.settings_dict["NAME"] + "_bench"
        connection.settings_dict.setdefault("TEST", {})["NAME"] = name
        # serialize=False: the bench database is never restored from a serialized copy, and
        # serializing 2 million rows took minutes.
        connection.creation.create_test_db(
            verbosity=0, autoclobber=True, keepdb=True, serialize=False
        )
        call_command("seed_bench", schools=schools, years=years, stdout=self.stdout)
        # Fresh planner statistics, as autovacuum keeps them in production: with stale ones
        # PostgreSQL picked the school index over (school, date) and read a school's whole
        # history for a month's ledger, and plans differed from run to run.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        with scopes_disabled():
            school = School.objects.get(code=f"{BENCH_PREFIX}01")
        with override_settings(
            ROOT_URLCONF="logistics.bench_urls", DEBUG=False, ALLOWED_HOSTS=["testserver"]
        ):
            results = run_pages(school, runs, only)
        failures = self.report(results, runs, name)
        if http:
            failures += self.http(school, only, name, http_seconds)
        if not no_extras:
            for extra in registry.bench_extras:
                for row in extra():
                    self.stdout.write(
                        f"{row['name']:<40} {row['value']:.2f} vs {row['reference']:.2f} "
                        f"{row['unit']} = {row['ratio']:.2f}× (target ≤ {row['target']}×)"
                    )
        self.stdout.write(
            f"\n{failures} page(s) outside the targets"
            if failures
            else "\nAll pages within targets"
        )

    def http(self, school: School, only: str | None, database: str, seconds: int) -> int:
        if shutil.which("wrk") is None:
            self.stdout.write(
                self.style.WARNING(
                    "\n--http skipped: wrk is not installed (Debian: apt-get install wrk)."
                )
            )
            return 0
        client = Client()
        client.force_login(bench_user())
        cookie = (
            f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        )
        pages = [(name, path) for name, path, _stock in reference_paths(school)]
        pages += [
            (p.name, p.path(school)) for p in registry.bench_pages if not only or only in p.name
        ]
        self.stdout.write(f"\nOver HTTP: gunicorn, 2 sync workers, wrk -c2 {seconds} s a page")
        results = run_http(pages, cookie, database, seconds, self.stdout)
        by_name = {r.name: r for r in results}
        bare, rows = by_name["stock: login page"], by_name["stock: 50 rows"]
        header = f"{'page':<34}{'req/s':>8}{'cpu/req':>9}{'×stock':>8}{'×stock50':>9}{'errors':>7}"
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for r in results:
            self.stdout.write(
                f"{r.name:<34}{r.requests_per_s:>8.0f}{r.worker_cpu_ms:>7.1f}ms"
                f"{r.requests_per_s / bare.requests_per_s:>8.2f}"
                f"{r.requests_per_s / rows.requests_per_s:>9.2f}{r.errors:>7}"
            )
        board = by_name.get("public board")
        failures = sum(r.errors > 0 for r in results)
        if board is not None:
            ratio = board.requests_per_s / bare.requests_per_s
            ok = ratio >= BOARD_RATE_TARGET
            failures += not ok
            self.stdout.write(
                f"\nPublic board: {ratio:.2f}× the stock login page's requests/s "
                f"(target ≥ {BOARD_RATE_TARGET}×): {'ok' if ok else 'OUTSIDE'}"
            )
        return failures

    def report(self, results: list[Result], runs: int, database: str) -> int:
        by_name = {r.name: r for r in results}
        stock_bare, stock_rows = by_name["stock: login page"], by_name["stock: 50 rows"]
        ref_bare, ref_rows = by_name["reference: bare page"], by_name["reference: 50 rows"]
        self.stdout.write(
            f"\nPages (median of {runs} interleaved runs, server side, PostgreSQL {database})\n"
            "cpu: this process's CPU per request; ×stock…: CPU ratio to the stock Django pages;"
            " ×ref…: wall-time ratio to the project's reference pages (as before issue 12)"
        )
        header = (
            f"{'page':<34}{'wall':>8}{'p95':>8}{'cpu':>8}{'q':>4}"
            f"{'×stock':>8}{'×stock50':>9}{'×ref':>6}{'×ref50':>7}  verdict"
        )
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        failures = 0
        for r in results:
            cpu_ratio = r.cpu_median_ms / stock_rows.cpu_median_ms
            verdict = ""
            if not r.is_reference:
                problems = []
                if cpu_ratio > CPU_RATIO_TARGET:
                    problems.append(f"cpu > {CPU_RATIO_TARGET}× stock 50 rows")
                if r.is_list and r.queries > LIST_QUERY_TARGET:
                    problems.append(f"> {LIST_QUERY_TARGET} queries")
                if r.seq_scans:
                    problems.append("seq scan: " + ", ".join(r.seq_scans))
                verdict = "; ".join(problems) or "ok"
                failures += bool(problems)
            self.stdout.write(
                f"{r.name:<34}{r.median_ms:>6.1f}ms{r.p95_ms:>6.1f}ms{r.cpu_median_ms:>6.1f}ms"
                f"{r.queries:>4}{r.cpu_median_ms / stock_bare.cpu_median_ms:>8.2f}{cpu_ratio:>9.2f}"
                f"{r.median_ms / ref_bare.median_ms:>6.2f}{r.median_ms / ref_rows.median_ms:>7.2f}"
                f"  {verdict}"
            )
        kernel = by_name["kernel: trivial school page"]
        fixed_ms = kernel.cpu_median_ms - stock_bare.cpu_median_ms
        extra_queries = kernel.queries - stock_bare.queries
        ok = fixed_ms <= KERNEL_MS_TARGET and extra_queries <= 1
        failures += not ok
        self.stdout.write(
            f"\nKernel fixed cost before a view (trivial school page − stock login page): "
            f"{fixed_ms:.2f} ms CPU, {extra_queries:+d} queries "
            f"(target ≤ {KERNEL_MS_TARGET} ms, ≤ +1 query): {'ok' if ok else 'OUTSIDE'}"
        )
        return failures
