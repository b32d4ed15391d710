from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from logistics.backups import BackupError, default_backup_dir, latest_archive, restore_drill


class Command(BaseCommand):
    help = (
        "Restore the newest backup into a scratch database and folder, run verify_audit on it "
        "and compare every table's row count and every file's checksum with the source; "
        "fails on any difference."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", nargs="?", type=Path, help="A backup (default: newest).")
        parser.add_argument("--dir", type=Path, help="Where the backups are (var/backups/).")
        parser.add_argument("--scratch-db", help="Scratch database name (<db>_restore_drill).")
        parser.add_argument(
            "--keep", action="store_true", help="Keep the scratch database and folder."
        )

    def handle(self, *args, archive=None, dir=None, scratch_db=None, keep=False, **options):
        try:
            archive = archive or latest_archive(dir or default_backup_dir())
            report = restore_drill(archive, scratch_db=scratch_db, keep=keep)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"backup {archive.name} taken {report.created_at}")
        self.stdout.write(f"verify_audit on the restored database:\n{report.audit_output}")
        for difference in report.differences:
            self.stdout.write(f"DIFFERS: {difference}")
        self.stdout.write(report.summary)
        if not report.ok:
            raise CommandError(f"the restore drill found {len(report.differences)} difference(s)")
