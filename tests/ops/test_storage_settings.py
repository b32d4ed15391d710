"""Where uploaded files and the cache live is chosen by the environment alone.

The settings module is imported in a fresh interpreter with the variables set, as a server
would start; nothing connects to S3 or Redis (building the storage and the cache objects does
not open a connection).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from django.conf import settings

PROBE = """
import json
from django.core.cache import caches
from django.core.files.storage import storages
from django.conf import settings
storage = storages["default"]
print(json.dumps({
    "storage": settings.STORAGES["default"]["BACKEND"],
    "options": settings.STORAGES["default"].get("OPTIONS", {}),
    "storage_class": type(storage).__name__,
    "bucket": getattr(storage, "bucket_name", None),
    "endpoint": getattr(storage, "endpoint_url", None),
    "cache": settings.CACHES["default"]["BACKEND"],
    "cache_location": settings.CACHES["default"]["LOCATION"],
    "cache_class": type(caches["default"]).__name__,
}, default=str))
"""

CONFIG_VARIABLES = (
    "S3_BUCKET",
    "S3_ENDPOINT_URL",
    "S3_REGION",
    "S3_ACCESS_KEY",
    "S3_SECRET_KEY",
    "REDIS_URL",
    "MEDIA_ROOT",
)


def production_settings(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in CONFIG_VARIABLES}
    env.update(
        DJANGO_SETTINGS_MODULE="logistics.settings",
        DEBUG="false",
        SECRET_KEY="storage-settings-test",  # nosec B106  # not a real key
        **extra,
    )
    out = subprocess.run(  # nosec B603  # our interpreter, our probe
        [sys.executable, "-c", f"import django; django.setup(); {PROBE}"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_without_s3_variables_uploads_go_to_the_local_media_folder(tmp_path):
    conf = production_settings(MEDIA_ROOT=str(tmp_path / "media"))
    assert conf["storage_class"] == "FileSystemStorage"
    assert conf["options"] == {"location": str(tmp_path / "media")}


def test_with_s3_bucket_set_uploads_go_private_to_that_bucket_at_that_endpoint():
    conf = production_settings(
        S3_BUCKET="county-logistics",
        S3_ENDPOINT_URL="https://minio.county.lan:9000",
        S3_ACCESS_KEY="AKIA-LOAD",
        S3_SECRET_KEY="secret-for-test",
    )
    assert conf["storage_class"] == "S3Storage"
    assert conf["bucket"] == "county-logistics"
    assert conf["endpoint"] == "https://minio.county.lan:9000"
    options = conf["options"]
    assert options["access_key"] == "AKIA-LOAD"
    assert options["secret_key"] == "secret-for-test"  # nosec B105
    # Never world-readable; a name already taken is not overwritten by a second upload.
    assert options["default_acl"] == "private"
    assert options["file_overwrite"] is False


def test_with_only_a_bucket_set_the_endpoint_and_keys_fall_back_to_boto3s_own_lookup():
    options = production_settings(S3_BUCKET="county-logistics")["options"]
    # None (not ""): boto3 then reads AWS_* variables, its config files or the host's role.
    assert options["endpoint_url"] is None
    assert options["access_key"] is None
    assert options["secret_key"] is None


def test_without_redis_url_the_cache_is_the_postgresql_table():
    conf = production_settings()
    assert conf["cache_class"] == "DatabaseCache"
    assert conf["cache_location"] == "cache_entries"


def test_with_redis_url_set_the_cache_is_djangos_redis_cache_at_that_address():
    conf = production_settings(REDIS_URL="redis://cache.county.lan:6379/2")
    assert conf["cache_class"] == "RedisCache"
    assert conf["cache_location"] == "redis://cache.county.lan:6379/2"
