"""Production static files: collectstatic with the production storage succeeds."""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.test import override_settings

PRODUCTION_STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def test_collectstatic_succeeds_with_the_production_storage(tmp_path):
    # The manifest storage rewrites every url() and sourceMappingURL it finds and fails on a
    # reference to a file that is not there (vendored source maps were such references).
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=PRODUCTION_STORAGES):
        call_command("collectstatic", interactive=False, verbosity=0)
    manifest = (tmp_path / "staticfiles.json").read_text()
    assert "vendor/bootstrap/bootstrap.min.css" in manifest
    assert any(tmp_path.glob("vendor/bootstrap/bootstrap.min.*.css.gz"))
