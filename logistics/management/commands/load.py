"""`make load`: a bounded load test of the production server on district-scale data.

It reuses `make bench`'s database (<name>_bench, seeded through the same code when missing),
starts scripts/serve.sh (gunicorn, DEBUG off) on a free port of 127.0.0.1 against it, and for
`--seconds` (60, at most 90) runs:

- 50 readers (the bench user, who holds every role in every bench school): each loops over
  the registered bench pages — dashboards, lists, to-dos, the public board — of a random bench
  school, with no pause between pages (the worst case: every user clicks the moment the page
  arrives);
- 10 signers (users of their own, principal and accountant of five bench schools, two to a
  school so they contend for its audit chain): each takes a waiting expense and carries it
  through as a browser would — sign the pre-purchase step, attach the invoice, sign the
  booking step, book it — reading the expense page after every POST (POST, redirect, GET).

Then it stops the server and reports requests per second, p50/p95/p99 per page and the errors,
and checks in the database that every signature the signers made is there (with its audit
event), every expense they finished is booked, and the audit chain of each school they wrote
to verifies. Exit status 1 on any error. Sessions are made in the database (force_login), so
the timed traffic is the pages, not password hashing.
"""

from __future__ import annotations

import http.client
import io
import os
import queue
import random
import secrets
import signal
import socket
import statistics
import subprocess  # nosec B404  # starts our own server
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_scopes import scopes_disabled
from PIL import Image

from finance import services as finance
from finance.models import Category, Expense, ExpenseStatus, Fund, FundKind
from logistics.audit import verify_chain
from logistics.backups import connection_params, database_url
from logistics.bench import BENCH_PREFIX, bench_user
from logistics.models import Approval, AuditEvent, Membership, Role, School, Signature
from logistics.registry import registry

MAX_SECONDS = 90  # with start-up and checks, `make load` ends within two minutes
SIGNER_SCHOOLS = 5
WAITING_PER_SCHOOL = 60  # more than two signers finish in one run on this machine
SIGNER_PREFIX = "load_signer"
START_TIMEOUT = 60


@dataclass
class Stats:
    """Response times (ms) per page name, and the failures; shared by all threads."""

    times: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    samples: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, name: str, ms: float | None, problem: str | None) -> None:
        with self.lock:
            if ms is not None:
                self.times[name].append(ms)
            if problem:
                self.errors[name] += 1
                if len(self.samples) < 10:
                    self.samples.append(f"{name}: {problem}")


class Session:
    """One logged-in browser: its cookies, a CSRF token, one connection per request (gunicorn's
    sync workers close the connection after each response)."""

    def __init__(self, port: int, session_key: str, stats: Stats) -> None:
        self.port, self.stats = port, stats
        self.csrf = secrets.token_hex(16)  # any 32-character secret the client holds
        self.cookie = (
            f"{settings.SESSION_COOKIE_NAME}={session_key}; {settings.CSRF_COOKIE_NAME}={self.csrf}"
        )

    def send(
        self, name: str, method: str, path: str, body: bytes = b"", ctype: str = ""
    ) -> tuple[int, bytes]:
        headers = {"Host": "127.0.0.1", "Cookie": self.cookie}
        if method == "POST":
            headers.update({"Content-Type": ctype, "X-CSRFToken": self.csrf})
        t0 = time.perf_counter()
        problem, status, content = None, 0, b""
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                conn.request(method, quote(path, safe="/?=&%:+"), body=body, headers=headers)
                response = conn.getresponse()
                content = response.read()
                status = response.status
            finally:
                conn.close()
            expected = 302 if method == "POST" else 200
            if status != expected:
                problem = f"{method} {path} answered {status}"
        except OSError as exc:
            problem = f"{method} {path}: {exc}"
        self.stats.add(name, (time.perf_counter() - t0) * 1000, problem)
        return status, content

    def get(self, name: str, path: str) -> bytes | None:
        status, content = self.send(name, "GET", path)
        return content if status == 200 else None

    def post(self, name: str, path: str, data: dict) -> bool:
        body = urlencode(data).encode()
        ctype = "application/x-www-form-urlencoded"
        return self.send(name, "POST", path, body, ctype)[0] == 302

    def upload(self, name: str, path: str, field_name: str, data: bytes) -> bool:
        boundary = secrets.token_hex(16)
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{field_name}"; '
                f'filename="{field_name}.png"\r\nContent-Type: image/png\r\n\r\n'
            ).encode()
            + data
            + f"\r\n--{boundary}--\r\n".encode()
        )
        ctype = f"multipart/form-data; boundary={boundary}"
        return self.send(name, "POST", path, body, ctype)[0] == 302

    def refused(self, name: str, page: str) -> bool:
        """After a POST, the page it redirected to: its error message (the views report a
        refusal as a message, still redirecting) is counted against the POST."""
        content = self.get("finance: expense page", page)
        if content is None or b"alert-danger" not in content:
            return content is None
        text = content.split(b"alert-danger", 1)[1].split(b"</div>", 1)[0]
        self.stats.add(name, None, text.split(b">", 1)[-1].decode(errors="replace").strip())
        return True


@dataclass
class Signed:
    """What one signer did to one expense, to be found in the database afterwards."""

    signer_id: int
    expense_id: int
    signed: int = 0  # signatures the server accepted (no error message after the POST)
    booked: bool = False


def _invoice_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 200), (250, 250, 245)).save(out, "PNG")
    return out.getvalue()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _percentile(sorted_ms: list[float], p: float) -> float:
    return sorted_ms[min(len(sorted_ms) - 1, round(p * (len(sorted_ms) - 1)))]


class Command(BaseCommand):
    help = (
        "Load-test the production server (gunicorn, DEBUG off) on 127.0.0.1 with the bench "
        "database: readers on dashboards and lists, signers signing and booking expenses."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=int, default=60, help=f"At most {MAX_SECONDS}.")
        parser.add_argument("--readers", type=int, default=50)
        parser.add_argument("--signers", type=int, default=10)

    def handle(self, *args, seconds: int, readers: int, signers: int, **options):
        if not 1 <= seconds <= MAX_SECONDS:
            raise CommandError(f"--seconds must be between 1 and {MAX_SECONDS}.")
        t0 = time.perf_counter()
        database = self.bench_database()
        with scopes_disabled():
            schools = list(School.objects.filter(parent__code=f"{BENCH_PREFIX}zx").order_by("code"))
            signer_schools = schools[:SIGNER_SCHOOLS]
            signer_users = self.signer_users(signers, signer_schools)
            waiting = self.waiting_expenses(signer_schools)
            broken = [b for b in map(verify_chain, signer_schools) if b]
            if broken:
                raise CommandError(f"The audit chain is broken before the run: {broken}")
        reader_sessions = [self.session_key(bench_user()) for _ in range(readers)]
        signer_sessions = [self.session_key(user) for user, _school in signer_users]
        pages = [(p.name, p.path) for p in registry.bench_pages]

        self.stdout.write(f"Prepared in {time.perf_counter() - t0:.1f} s; starting the server …")
        server = self.start_server(database)
        stats = Stats()
        done: list[Signed] = []
        try:
            started = time.monotonic()
            deadline = started + seconds
            threads = [
                threading.Thread(
                    target=self.reader,
                    args=(Session(server.port, key, stats), pages, schools, deadline, n),
                )
                for n, key in enumerate(reader_sessions)
            ]
            threads += [
                threading.Thread(
                    target=self.signer,
                    args=(Session(server.port, key, stats), user, school, waiting, deadline, done),
                )
                for key, (user, school) in zip(signer_sessions, signer_users, strict=True)
            ]
            self.stdout.write(
                f"\n{readers} readers and {len(signer_users)} signers for {seconds} s against "
                f"gunicorn on 127.0.0.1:{server.port} ({database}) …"
            )
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.monotonic() - started
        finally:
            self.stop_server(server)
        failures = self.report(stats, elapsed)
        failures += self.verify(done, signer_schools)
        if failures:
            raise CommandError(f"{failures} problem(s); see above.")
        self.stdout.write(self.style.SUCCESS("\nNo errors; every signature is in the database."))

    # ------------------------------------------------------------------ preparation

    def bench_database(self) -> str:
        """Switch to `make bench`'s database, creating and seeding it when missing."""
        name = connection.settings_dict["NAME"] + "_bench"
        connection.settings_dict.setdefault("TEST", {})["NAME"] = name
        # serialize=False: the default would read the whole district into a string (minutes)
        # for test rollback emulation, which a load test never uses.
        connection.creation.create_test_db(
            verbosity=0, autoclobber=True, keepdb=True, serialize=False
        )
        call_command("seed_bench", stdout=self.stdout)
        return name

    def signer_users(self, count: int, schools: list[School]) -> list[tuple]:
        """`count` (user, school): each user holds every role in one of `schools`."""
        roles = list(Role.objects.all())
        users = []
        for n in range(count):
            user, created = get_user_model().objects.get_or_create(
                username=f"{SIGNER_PREFIX}_{n + 1:02d}", defaults={"first_name": f"压测{n + 1}"}
            )
            if created:
                user.set_unusable_password()
                user.save()
            membership, _ = Membership.objects.get_or_create(
                user=user, school=schools[n % len(schools)]
            )
            membership.roles.set(roles)
            users.append((user, membership.school))
        return users

    def waiting_expenses(self, schools: list[School]) -> dict[int, queue.Queue]:
        """Per school, expenses waiting at their one principal's step, topped up to
        WAITING_PER_SCHOOL with new requests filed through finance's service."""
        requester = bench_user()
        year = timezone.localdate().year
        waiting: dict[int, queue.Queue] = {}
        for school in schools:
            ids = list(
                Expense.objects.filter(
                    school=school,
                    status=ExpenseStatus.PENDING,
                    requested_by=requester,
                    approval__status=Approval.PENDING,
                    approval__current_step=0,
                    approval__current_capability="finance.sign_principal",
                )
                .order_by("pk")
                .values_list("pk", flat=True)[:WAITING_PER_SCHOOL]
            )
            fund = Fund.objects.get(school=school, year=year, kind=FundKind.PUBLIC)
            for n in range(WAITING_PER_SCHOOL - len(ids)):
                expense = finance.expense_create(
                    school=school,
                    actor=requester,
                    fund=fund,
                    category=Category.OFFICE,
                    purpose=f"压测办公用品 {n}",
                    amount=Decimal("120.00"),
                    payee="压测供应商",
                )
                ids.append(expense.pk)
            waiting[school.pk] = queue.Queue()
            for pk in ids:
                waiting[school.pk].put(pk)
        return waiting

    def session_key(self, user) -> str:
        client = Client()
        client.force_login(user)
        return client.cookies[settings.SESSION_COOKIE_NAME].value

    # ------------------------------------------------------------------ the server

    def start_server(self, database: str) -> subprocess.Popen:
        port = _free_port()
        env = {
            **os.environ,
            "DEBUG": "false",
            # The command's own key: the sessions it made and the audit seals must agree.
            "SECRET_KEY": settings.SECRET_KEY,
            "DATABASE_URL": database_url(connection_params("default", database)),
            "BIND": f"127.0.0.1:{port}",
            "MIGRATE": "false",  # create_test_db migrated it
            "WORKER": "false",
            "MEDIA_ROOT": str(settings.BASE_DIR / "var" / "load_media"),
        }
        server = subprocess.Popen(  # noqa: S603  # nosec B603  # our own script
            [str(settings.BASE_DIR / "scripts" / "serve.sh")],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group: stopped with its workers
        )
        server.port = port  # type: ignore[attr-defined]
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise CommandError(f"serve.sh exited:\n{server.stderr.read().decode()[-3000:]}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return server
            except OSError:
                time.sleep(0.3)
        self.stop_server(server)
        raise CommandError(f"The server did not answer /healthz within {START_TIMEOUT} s.")

    def stop_server(self, server: subprocess.Popen) -> None:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()

    # ------------------------------------------------------------------ the users

    def reader(self, session: Session, pages, schools, deadline: float, n: int) -> None:
        rng = random.Random(n)  # nosec B311  # which page next, not a secret
        while time.monotonic() < deadline:
            name, path = rng.choice(pages)
            session.get(name, path(rng.choice(schools)))

    def signer(self, session: Session, user, school, waiting, deadline: float, done) -> None:
        """Carry waiting expenses through: sign, invoice, sign off, book (POST, then GET)."""
        base = f"/s/{school.code}/finance"
        invoice = _invoice_png()
        while time.monotonic() < deadline:
            try:
                pk = waiting[school.pk].get_nowait()
            except queue.Empty:
                return
            record = Signed(user.pk, pk)
            done.append(record)
            page = f"{base}/expenses/{pk}/"
            session.get("finance: sign to-do", f"{base}/sign/")
            if session.get("finance: expense page", page) is None:
                continue
            for which in ("expense", "booking"):
                data = {"step": "0", "which": which}
                if not session.post("finance: sign (POST)", f"{page}sign/", data) or (
                    session.refused("finance: sign (POST)", page)
                ):
                    break
                record.signed += 1
                if which == "expense" and (
                    not session.upload(
                        "finance: invoice (POST)", f"{page}invoice/", "invoice", invoice
                    )
                    or session.refused("finance: invoice (POST)", page)
                ):
                    break
            else:
                data = {"voucher_no": f"压-{pk}"}
                record.booked = session.post("finance: book (POST)", f"{page}book/", data) and (
                    not session.refused("finance: book (POST)", page)
                )

    # ------------------------------------------------------------------ results

    def report(self, stats: Stats, elapsed: float) -> int:
        total = sum(len(t) for t in stats.times.values())
        errors = sum(stats.errors.values())
        self.stdout.write(
            f"\n{total} requests in {elapsed:.1f} s: {total / elapsed:.1f} requests/s, "
            f"{errors} error(s)\n"
        )
        header = f"{'page':<36}{'requests':>9}{'p50':>8}{'p95':>8}{'p99':>8}{'errors':>7}"
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for name in sorted(stats.times):
            ms = sorted(stats.times[name])
            self.stdout.write(
                f"{name:<36}{len(ms):>9}{statistics.median(ms):>6.0f}ms"
                f"{_percentile(ms, 0.95):>6.0f}ms{_percentile(ms, 0.99):>6.0f}ms"
                f"{stats.errors.get(name, 0):>7}"
            )
        all_ms = sorted(t for times in stats.times.values() for t in times)
        if all_ms:
            self.stdout.write(
                f"{'all':<36}{len(all_ms):>9}{statistics.median(all_ms):>6.0f}ms"
                f"{_percentile(all_ms, 0.95):>6.0f}ms{_percentile(all_ms, 0.99):>6.0f}ms{errors:>7}"
            )
        for sample in stats.samples:
            self.stdout.write(self.style.ERROR(f"  {sample}"))
        return errors

    def verify(self, done: list[Signed], schools: list[School]) -> int:
        """Every step the signers signed has their signature and its audit event; every
        expense they carried through is booked; each school's chain verifies."""
        problems: list[str] = []
        signatures = 0
        with scopes_disabled():
            expenses = Expense.objects.in_bulk([r.expense_id for r in done])
            for record in done:
                expense = expenses[record.expense_id]
                ids = [i for i in (expense.approval_id, expense.booking_approval_id) if i]
                signed = list(
                    Signature.objects.filter(
                        approval_id__in=ids, signer_id=record.signer_id, voided_at__isnull=True
                    ).values_list("approval_id", flat=True)
                )
                signatures += len(signed)
                events = AuditEvent.objects.filter(
                    object_type="logistics.approval",
                    object_id__in=[str(i) for i in signed],
                    actor_id=record.signer_id,
                    action__endswith=".signed",
                ).count()
                if len(signed) != record.signed or events != record.signed:
                    problems.append(
                        f"expense {expense.pk}: {record.signed} signed, {len(signed)} "
                        f"signature(s) and {events} audit event(s) in the database"
                    )
                if record.booked and expense.status != ExpenseStatus.BOOKED:
                    problems.append(f"expense {expense.pk}: booked, but {expense.status}")
            broken = [b for b in map(verify_chain, schools) if b]
        finished = sum(r.booked for r in done)
        self.stdout.write(
            f"\nSigners: {finished} expense(s) signed, invoiced, signed off and booked "
            f"({len(done) - finished} not finished); {signatures} signature(s) "
            f"found in the database with their audit events."
        )
        self.stdout.write(
            f"Audit chains of the {len(schools)} schools written to: "
            + ("verified" if not broken else f"BROKEN {broken}")
        )
        for p in problems:
            self.stdout.write(self.style.ERROR(f"  {p}"))
        return len(problems) + len(broken)
