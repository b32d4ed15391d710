from __future__ import annotations

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.test.utils import override_settings
from django_scopes import scopes_disabled

from logistics.bench import BENCH_PREFIX, run_pages
from logistics.models import School
from logistics.registry import registry

LIST_RATIO_TARGET = 2.0
LIST_QUERY_TARGET = 10


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

    def handle(self, *args, runs, schools, years, only, no_extras, **options):
        # Its own database, so benchmark data never mixes with the demo site's.
        name = connection.settings_dict["NAME"] + "_bench"
        connection.settings_dict.setdefault("TEST", {})["NAME"] = name
        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=True)
        call_command("seed_bench", schools=schools, years=years, stdout=self.stdout)
        with scopes_disabled():
            school = School.objects.get(code=f"{BENCH_PREFIX}01")
        with override_settings(
            ROOT_URLCONF="logistics.bench_urls", DEBUG=False, ALLOWED_HOSTS=["testserver"]
        ):
            results = run_pages(school, runs, only)
        ref = next(r for r in results if r.name == "reference: 50 rows")
        bare = next(r for r in results if r.name == "reference: bare page")
        self.stdout.write(f"\nPages (median of {runs} runs, server side, PostgreSQL {name})")
        header = (
            f"{'page':<40}{'median':>9}{'p95':>9}{'queries':>8}{'×50rows':>9}{'×bare':>8}  verdict"
        )
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        failures = 0
        for r in results:
            ratio = r.median_ms / ref.median_ms
            verdict = ""
            if r.is_list:
                problems = []
                if ratio > LIST_RATIO_TARGET:
                    problems.append(f"> {LIST_RATIO_TARGET}× reference")
                if r.queries > LIST_QUERY_TARGET:
                    problems.append(f"> {LIST_QUERY_TARGET} queries")
                if r.seq_scans:
                    problems.append("seq scan: " + ", ".join(r.seq_scans))
                verdict = "; ".join(problems) or "ok"
                failures += bool(problems)
            self.stdout.write(
                f"{r.name:<40}{r.median_ms:>7.1f}ms{r.p95_ms:>7.1f}ms{r.queries:>8}"
                f"{ratio:>9.2f}{r.median_ms / bare.median_ms:>8.2f}  {verdict}"
            )
        if not no_extras:
            for extra in registry.bench_extras:
                for row in extra():
                    self.stdout.write(
                        f"{row['name']:<40} {row['value']:.2f} vs {row['reference']:.2f} "
                        f"{row['unit']} = {row['ratio']:.2f}× (target ≤ {row['target']}×)"
                    )
        self.stdout.write(
            f"\n{failures} list page(s) outside the targets"
            if failures
            else "\nAll list pages within targets"
        )
