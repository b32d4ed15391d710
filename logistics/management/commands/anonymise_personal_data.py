from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone
from django_scopes import scopes_disabled

from logistics.registry import registry


class Command(BaseCommand):
    help = (
        "Blank the personal data (ID numbers, family details) of records older than the "
        "retention period; amounts and the audit chain are kept. Run daily from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--years",
            type=int,
            default=settings.PERSONAL_DATA_RETENTION_YEARS,
            help="Retention in years (default: PERSONAL_DATA_RETENTION_YEARS).",
        )

    def handle(self, *args, years: int, **options):
        today = timezone.localdate()
        try:
            before = today.replace(year=today.year - years)
        except ValueError:  # 29 February
            before = today.replace(year=today.year - years, day=28)
        with scopes_disabled():
            for label, anonymise in registry.anonymisers.items():
                self.stdout.write(f"{label}: {anonymise(before)} anonymised (before {before})")
