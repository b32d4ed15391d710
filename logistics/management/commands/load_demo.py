from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_scopes import scopes_disabled

from logistics.demo import DEMO_PASSWORD, load_schools_and_accounts
from logistics.registry import registry


class Command(BaseCommand):
    help = "Load the demo schools, accounts and each app's demo records (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Load even with DEBUG off (never in production)."
        )

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to load demo accounts with DEBUG off; pass --force if you mean it."
            )
        with scopes_disabled():
            accounts = load_schools_and_accounts()
            for loader in registry.demo_loaders:
                loader()
        self.stdout.write(
            self.style.SUCCESS(f"Demo data loaded. Accounts (password {DEMO_PASSWORD}):")
        )
        for username, what in accounts:
            self.stdout.write(f"  {username:<14} {what}")
