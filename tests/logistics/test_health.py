from __future__ import annotations

from django.db import OperationalError


def test_healthz_is_200_when_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"


def test_healthz_is_503_when_the_database_does_not(client, db, monkeypatch):
    def broken(*args, **kwargs):
        raise OperationalError("connection refused")

    with monkeypatch.context() as m:
        m.setattr("logistics.views.connection.cursor", broken)
        response = client.get("/healthz")
    assert response.status_code == 503


def test_deploy_check_passes_with_production_settings(tmp_path):
    """`manage.py check --deploy` with the documented production variables: no warnings.

    (The browser tests' DJANGO_ALLOW_ASYNC_UNSAFE is not part of a deployment.)
    """
    import os
    import subprocess
    import sys

    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "logistics.settings",
        "DEBUG": "false",
        "SECRET_KEY": "x" * 20 + "production-like-key-with-enough-entropy-9f8e7d6c5b4a",
        "SECURE_SSL": "true",
        "ALLOWED_HOSTS": "logistics.example.edu.cn",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
