from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from logistics.backups import BackupError, create_backup, default_backup_dir


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump, custom format) and the uploaded files into one dated, "
        "checksummed archive (var/backups/ unless --dir is given)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, help="Where to write the archive.")

    def handle(self, *args, dir: Path | None = None, **options):
        try:
            archive = create_backup(dir or default_backup_dir())
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{archive} ({archive.stat().st_size:,} bytes)")
