"""Test settings: the same as production apart from speed-ups that do not change behaviour."""

from __future__ import annotations

import os

# Tests run with production settings (DEBUG off) and need only a throwaway key.
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")

from logistics.settings import *  # noqa: F403

# Hashing with Argon2 at full cost makes every login in the suite slow; behaviour is the same.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
