"""`make backup` and `make restore-drill` against the demo data in the test database."""

from __future__ import annotations

import json
import tarfile

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from logistics.backups import MANIFEST, BackupError, latest_archive, restore_drill


@pytest.fixture
def media(tmp_path):
    """Uploaded files go to a folder of this test's own."""
    root = tmp_path / "media"
    storages = {**settings.STORAGES, "default": {**settings.STORAGES["default"]}}
    storages["default"]["OPTIONS"] = {"location": str(root)}
    with override_settings(STORAGES=storages):
        yield root


def _drill(capsys, backups) -> tuple[bool, str]:
    try:
        call_command("restore_drill", dir=backups)
    except CommandError:
        return False, capsys.readouterr().out
    return True, capsys.readouterr().out


def test_the_demo_data_restores_with_no_row_and_no_file_lost(
    transactional_db, media, tmp_path, capsys
):
    call_command("load_demo", force=True)
    assert any(p.is_file() for p in media.rglob("*")), "the demo uploads no file"
    backups = tmp_path / "backups"
    call_command("backup", dir=backups)
    archive = latest_archive(backups)
    assert (backups / f"{archive.name}.sha256").exists()
    assert archive.stat().st_mode & 0o077 == 0  # personal data: the owner's eyes only
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile(MANIFEST))
    assert "database.dump" in names
    assert manifest["tables"]["public.finance_expense"] > 0
    assert all(f"media/{rel}" in names for rel in manifest["files"])

    ok, out = _drill(capsys, backups)
    assert ok, out
    assert "0 rows lost, 0 files lost" in out
    assert "sdcz: ok" in out  # verify_audit ran on the restored database


def test_the_drill_names_a_lost_row_a_lost_file_and_a_changed_archive(
    transactional_db, world, media, tmp_path, capsys
):
    from tests.logistics.factories import AttachmentFactory

    AttachmentFactory(school=world.school, uploaded_by=world.user("principal"))
    backups = tmp_path / "backups"
    call_command("backup", dir=backups)
    archive = latest_archive(backups)
    with pytest.raises(BackupError, match="must not be the source"):
        restore_drill(archive, scratch_db=connection.settings_dict["NAME"])

    # Rewrite the archive as if one file and one membership row had gone missing from it.
    unpacked = tmp_path / "unpacked"
    with tarfile.open(archive) as tar:
        tar.extractall(unpacked, filter="data")
    manifest = json.loads((unpacked / MANIFEST).read_text())
    lost_file = next(iter(manifest["files"]))
    manifest["tables"]["public.logistics_membership"] += 1
    (unpacked / MANIFEST).write_text(json.dumps(manifest))
    with tarfile.open(archive, "w") as tar:
        for path in sorted(unpacked.rglob("*")):
            rel = path.relative_to(unpacked).as_posix()
            if path.is_file() and rel != f"media/{lost_file}":
                tar.add(path, arcname=rel)

    ok, out = _drill(capsys, backups)
    assert not ok
    assert "1 row lost, 1 file lost" in out
    assert "logistics_membership" in out and lost_file in out
    assert "does not match" in out  # the .sha256 beside it no longer fits
