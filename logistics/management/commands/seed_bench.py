from __future__ import annotations

import time

from django.core.management.base import BaseCommand
from django.db import connection

from logistics.bench import BENCH_PREFIX, seed
from logistics.models import School


class Command(BaseCommand):
    help = "Generate deterministic district-scale benchmark data (bulk inserts)."

    def add_arguments(self, parser):
        parser.add_argument("--schools", type=int, default=30)
        parser.add_argument("--years", type=int, default=3)
        parser.add_argument("--seed", type=int, default=20221, dest="seed_value")

    def handle(self, *args, schools: int, years: int, seed_value: int, **options):
        if School.objects.filter(code=f"{BENCH_PREFIX}zx").exists():
            self.stdout.write("Benchmark data already present; nothing to do.")
            return
        t0 = time.perf_counter()
        seed(schools, years, seed_value, stdout=self.stdout)
        # Statistics for the new rows now, as autovacuum would do soon after on a real server:
        # without them the planner judges freshly filled tables empty and scans them.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {schools} schools × {years} years in {time.perf_counter() - t0:.1f} s"
            )
        )
