"""Backups and the restore drill (`manage.py backup`, `manage.py restore_drill`).

A backup is one file, `logistics-<UTC time>.tar`, holding
    manifest.json   when, which database, the row count of every table, and the SHA-256 of
                    the dump and of every uploaded file
    database.dump   `pg_dump --format=custom`
    media/…         the uploaded files (MEDIA_ROOT)
with `<name>.tar.sha256` beside it (`sha256sum -c` format), so a copy can be checked anywhere.

Consistency: the row counts and the dump come from one exported snapshot, so they describe the
same instant whatever is written meanwhile. Uploaded files are written once under new names,
so copying them after the dump keeps every file the dump refers to (a file uploaded meanwhile
comes along unreferenced, which is harmless).

The drill restores the newest backup into a scratch database and folder, runs verify_audit
there, and compares every table's row count and every file's checksum with the manifest: the
source as it was at the instant of the backup.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import re
import shutil
import subprocess  # nosec B404  # pg_dump, pg_restore, manage.py: argument lists
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import psycopg
from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import connections, transaction
from psycopg import sql
from psycopg.conninfo import make_conninfo

ARCHIVE_GLOB = "logistics-*.tar"
MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA = "media"
_CHUNK = 1024 * 1024


class BackupError(Exception):
    pass


def default_backup_dir() -> Path:
    return Path(settings.BASE_DIR) / "var" / "backups"


def pg_program(name: str) -> str:
    """A PostgreSQL client program: from PATH, else the newest /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: [int(x) for x in re.findall(r"\d+", p)],
    )
    if not versions:
        raise BackupError(f"{name} not found (install the PostgreSQL client programs)")
    return versions[-1]


def connection_params(using: str, dbname: str | None = None) -> dict[str, str]:
    """libpq connection parameters of a database alias (HOST, OPTIONS… as Django uses them),
    optionally for another database on the same server."""
    params = {
        key: str(value)
        for key, value in connections[using].get_connection_params().items()
        if isinstance(value, str | int) and not isinstance(value, bool) and value != ""
    }
    if dbname:
        params["dbname"] = dbname
    return params


def _pg_args(params: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    """`--dbname <conninfo>` for pg_dump/pg_restore and their environment; the password goes
    in PGPASSWORD, never on a command line other users can read."""
    env = dict(os.environ)
    rest = dict(params)
    if "password" in rest:
        env["PGPASSWORD"] = rest.pop("password")
    return ["--dbname", make_conninfo(**rest)], env


def _connect(params: dict[str, str]) -> psycopg.Connection:
    return psycopg.connect(autocommit=True, **params)


def database_url(params: dict[str, str]) -> str:
    """A DATABASE_URL (django-environ) for the database these parameters name."""
    auth = quote(params.get("user", ""), safe="")
    if params.get("password"):
        auth += ":" + quote(params["password"], safe="")
    host = params.get("host", "")
    name = quote(params["dbname"], safe="")
    if host.startswith("/"):  # a Unix socket directory
        return f"postgres://{auth}@/{name}?host={quote(host)}"
    port = f":{params['port']}" if params.get("port") else ""
    return f"postgres://{auth}@{host}{port}/{name}"


def _run(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True)  # noqa: S603  # nosec B603
    if result.returncode:
        raise BackupError(f"{Path(args[0]).name} failed: {result.stderr.strip()[-2000:]}")


def table_counts(cursor) -> dict[str, int]:
    """Row count of every ordinary table outside the system schemas."""
    cursor.execute(
        """
        SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
          AND n.nspname NOT LIKE 'pg\\_%%'
        ORDER BY 1
        """
    )
    tables = [row[0] for row in cursor.fetchall()]
    counts = {}
    for table in tables:
        # The names come from the catalogue, quoted by quote_ident above.
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608
        counts[table] = cursor.fetchone()[0]
    return counts


def media_root() -> Path | None:
    """The uploaded files' folder, or None when they live in object storage."""
    storage = storages["default"]
    return Path(storage.location) if isinstance(storage, FileSystemStorage) else None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def file_checksums(root: Path) -> dict[str, str]:
    """SHA-256 of every regular file under root, by path relative to root (POSIX form)."""
    found = {}
    if root.is_dir():
        for path in sorted(root.rglob("*")):
            if path.is_file() and not path.is_symlink():
                found[path.relative_to(root).as_posix()] = _sha256(path)
    return found


def create_backup(out_dir: Path, *, using: str = "default") -> Path:
    """Write one archive into out_dir and its .sha256 beside it; return the archive's path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    connection = connections[using]
    created = datetime.now(UTC)
    name = f"logistics-{created:%Y%m%dT%H%M%SZ}.tar"  # names sort by time
    if (out_dir / name).exists():
        raise BackupError(f"{out_dir / name} already exists; try again in a second")
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".backup-") as work:
        dump = Path(work) / DUMP
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server_version = cursor.fetchone()
            counts = table_counts(cursor)
            # pg_dump reads the very snapshot the counts were taken in (kept open meanwhile).
            dbname, env = _pg_args(connection_params(using))
            _run(
                [
                    pg_program("pg_dump"),
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    "-f",
                    dump,
                    *dbname,
                ],
                env,
            )
        media = media_root()
        files = file_checksums(media) if media else {}
        manifest = {
            "format": 1,
            "created_at": created.isoformat(),
            "database": connection.settings_dict["NAME"],
            "server_version": server_version,
            "tables": counts,
            "dump_sha256": _sha256(dump),
            "media": "local" if media else "object storage (not in this archive)",
            "files": files,
        }
        (Path(work) / MANIFEST).write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
        partial = Path(work) / name
        with tarfile.open(partial, "w") as tar:
            tar.add(Path(work) / MANIFEST, arcname=MANIFEST)
            tar.add(dump, arcname=DUMP)
            for rel in files:
                tar.add(media / rel, arcname=f"{MEDIA}/{rel}")
        # Backups hold personal data (aid applicants, ID numbers): their owner reads them only.
        partial.chmod(0o600)
        archive = out_dir / name
        os.replace(partial, archive)  # never a half-written archive under the final name
    (out_dir / f"{name}.sha256").write_text(f"{_sha256(archive)}  {name}\n")
    return archive


def latest_archive(backup_dir: Path) -> Path:
    archives = sorted(backup_dir.glob(ARCHIVE_GLOB))
    if not archives:
        raise BackupError(f"no backup ({ARCHIVE_GLOB}) in {backup_dir}")
    return archives[-1]


@dataclass
class DrillReport:
    archive: Path
    created_at: str = ""
    rows_lost: int = 0
    files_lost: int = 0
    differences: list[str] = field(default_factory=list)
    audit_output: str = ""

    @property
    def ok(self) -> bool:
        return not self.differences

    @property
    def summary(self) -> str:
        rows = "row" if self.rows_lost == 1 else "rows"
        files = "file" if self.files_lost == 1 else "files"
        return f"{self.rows_lost} {rows} lost, {self.files_lost} {files} lost"


def _check_archive_checksum(archive: Path, report: DrillReport) -> None:
    sidecar = archive.with_name(archive.name + ".sha256")
    if not sidecar.exists():
        report.differences.append(f"no checksum file {sidecar.name} beside the archive")
    elif sidecar.read_text().split()[0] != _sha256(archive):
        report.differences.append(f"the archive does not match {sidecar.name}")


def _compare_rows(source: dict[str, int], restored: dict[str, int], report: DrillReport) -> None:
    for table, count in source.items():
        got = restored.get(table)
        if got is None:
            report.rows_lost += count
            report.differences.append(f"table {table} missing ({count} rows in the source)")
        elif got != count:
            report.rows_lost += max(count - got, 0)
            report.differences.append(f"table {table}: {count} rows in the source, {got} restored")
    for table in sorted(set(restored) - set(source)):
        report.differences.append(f"table {table} restored but not in the source")


def _compare_files(source: dict[str, str], restored: dict[str, str], report: DrillReport) -> None:
    for rel, digest in source.items():
        if rel not in restored:
            report.files_lost += 1
            report.differences.append(f"file {rel} missing")
        elif restored[rel] != digest:
            report.files_lost += 1
            report.differences.append(f"file {rel} differs from the source (checksum)")
    for rel in sorted(set(restored) - set(source)):
        report.differences.append(f"file {rel} restored but not in the source")


def restore_drill(
    archive: Path, *, scratch_db: str | None = None, keep: bool = False, using: str = "default"
) -> DrillReport:
    """Restore `archive` into a scratch database and folder and compare it with its manifest."""
    source = connection_params(using)
    scratch_db = scratch_db or f"{source['dbname']}_restore_drill"[:63]
    if scratch_db == source["dbname"]:
        raise BackupError("the scratch database must not be the source database")
    scratch = connection_params(using, scratch_db)
    name = sql.Identifier(scratch_db)
    report = DrillReport(archive=archive)
    _check_archive_checksum(archive, report)
    work = Path(tempfile.mkdtemp(prefix="restore-drill-", dir=archive.parent))
    try:
        with tarfile.open(archive) as tar:
            tar.extractall(work, filter="data")  # refuses absolute paths and ../
        manifest = json.loads((work / MANIFEST).read_text())
        report.created_at = manifest["created_at"]
        if _sha256(work / DUMP) != manifest["dump_sha256"]:
            report.differences.append("the database dump does not match its checksum")

        with _connect(source) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
            admin.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(name)
            )
        try:
            dbname, env = _pg_args(scratch)
            _run(
                [
                    pg_program("pg_restore"),
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    *dbname,
                    str(work / DUMP),
                ],
                env,
            )
            with _connect(scratch) as restored, restored.cursor() as cursor:
                _compare_rows(manifest["tables"], table_counts(cursor), report)
            audit = subprocess.run(  # noqa: S603  # nosec B603  # our manage.py
                [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "verify_audit"],
                env={
                    **os.environ,
                    "DATABASE_URL": database_url(scratch),
                    "MEDIA_ROOT": str(work / MEDIA),
                },
                capture_output=True,
                text=True,
            )
            report.audit_output = (audit.stdout + audit.stderr).strip()
            if audit.returncode:
                report.differences.append("verify_audit failed on the restored database")
        finally:
            if not keep:
                with _connect(source) as admin:
                    admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        _compare_files(manifest["files"], file_checksums(work / MEDIA), report)
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    return report
