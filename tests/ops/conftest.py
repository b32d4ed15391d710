"""Production servers started for real: scripts/serve.sh (gunicorn, production settings) on a
free port against the test database, and a small cookie-keeping HTTP client.

The servers read the rows the test commits (transactional_db) and are stopped before the test
database is flushed. Static files are collected once per session into a temporary STATIC_ROOT.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from logistics.backups import connection_params, database_url

ROOT = Path(settings.BASE_DIR)
START_TIMEOUT = 240  # the first start collects the static files: slow on a loaded machine


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Response:
    def __init__(self, raw: http.client.HTTPResponse) -> None:
        self.status = raw.status
        self.headers = raw.headers
        self.body = raw.read()

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Browser:
    """Keeps cookies like a browser; follows no redirects (the tests look at them)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, data: dict | None = None, headers: dict | None = None
    ) -> Response:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Host": "127.0.0.1", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode({"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **data})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = Response(conn.getresponse())
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response

    def get(self, path: str, headers: dict | None = None) -> Response:
        return self.request("GET", path, headers=headers)

    def post(self, path: str, data: dict) -> Response:
        return self.request("POST", path, data)

    def login(self, username: str, password: str) -> Response:
        self.get("/accounts/login/")  # the CSRF cookie
        return self.post("/accounts/login/", {"username": username, "password": password})


class Server:
    def __init__(self, log: Path, env: dict[str, str]) -> None:
        self.port = free_port()
        self.log_path = log
        self._log = log.open("wb")
        # Its own session (process group): stopping it stops gunicorn, its workers and the
        # task worker, and nothing else.
        self.process = subprocess.Popen(
            [str(ROOT / "scripts" / "serve.sh")],
            cwd=ROOT,
            env={**env, "BIND": f"127.0.0.1:{self.port}"},
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"serve.sh exited with {self.process.returncode}:\n{self.output}")
            try:
                if Browser(self.port).get("/healthz").status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.5)
        pytest.fail(f"the server did not answer /healthz within {timeout} s:\n{self.output}")

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=45)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self._log.close()


@pytest.fixture(scope="session")
def static_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("staticfiles")


@pytest.fixture
def server_env(transactional_db, static_root, tmp_path) -> dict[str, str]:
    """Production settings (DEBUG off, the production static storage and password hashers)
    against the test database; the same SECRET_KEY as the tests, so audit seals agree."""
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DJANGO_SETTINGS_MODULE="logistics.settings",
        DEBUG="false",
        SECRET_KEY=settings.SECRET_KEY,
        DATABASE_URL=database_url(connection_params("default")),
        STATIC_ROOT=str(static_root),
        MEDIA_ROOT=str(tmp_path / "media"),
        WEB_CONCURRENCY="2",
        MIGRATE="false",  # the test database is migrated already
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.fixture
def start_server(server_env, tmp_path):
    """start_server(**env) -> a running Server; every one started is stopped afterwards."""
    servers: list[Server] = []

    def _start(**extra: str) -> Server:
        server = Server(tmp_path / f"server{len(servers)}.log", {**server_env, **extra})
        servers.append(server)
        server.wait_ready()
        return server

    yield _start
    for server in servers:
        server.stop()


def set_password(user, password: str) -> None:
    """Hash with a hasher the production settings know (the tests' MD5 is not one of them);
    few iterations, since the hash's strength is not under test."""
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(password, hasher.salt(), iterations=1000)
    user.save(update_fields=["password"])
