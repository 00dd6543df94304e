"""Faults survived (issue 20, R23): real processes on loopback (gunicorn with the production
settings, a Celery worker, Redis, an SMTP server, PostgreSQL), one of them failing while
requests go on. Each case asserts no 5xx outside the error shape, no lost row, and recovery
without restarting the app; the run reports "R23 fault cases N, lost 0, unrecovered 0".

The SMTP servers are in the test: aiosmtpd's Controller for the real one, and a socket that
listens and never answers for the hanging one.
"""

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth.hashers import check_password, make_password
from django.db import connection

from accounts.models import AccessToken, EmailVerificationCode, User
from bench.servers import free_port
from billing.ledger import ledger_mismatches
from billing.models import UsageLog
from config.roles import SERVICE_ACCOUNTS_GROUP, SERVICE_PERMISSIONS
from tests import figures
from tests.billing.conftest import fund
from tests.billing.factories import TEST_MODEL
from tests.conftest import granted_group
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.ops.test_two_servers import database_url, wait_until_up

ROOT = Path(__file__).resolve().parents[2]
FAST = 2.0  # seconds: what a request may take while a dependency fails
RECOVERY = 5.0  # seconds: every worker serves again within this of the dependency's return
CODE = re.compile(r"Your code is (\d{6})")

pytestmark = pytest.mark.django_db(transaction=True)


def call(base, method, path, *, body=None, token=None, timeout=10):
    """(status, JSON body, seconds); status is None when no answer came (connection reset)."""
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if method == "POST":
        headers["Idempotency-Key"] = secrets.token_hex(16)
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)  # noqa: S310
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - loopback
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw, content_type = error.code, error.read(), error.headers.get_content_type()
    except OSError:
        return None, None, time.monotonic() - started
    else:
        content_type = "application/json"
    assert content_type == "application/json", raw[:200]  # never an HTML error page
    return status, json.loads(raw or b"null"), time.monotonic() - started


def case(lost=0, unrecovered=0):
    figures.count("R23", "fault cases")
    figures.count("R23", "lost", lost)
    figures.count("R23", "unrecovered", unrecovered)


# --- processes ---------------------------------------------------------------------------------


def wait_for_port(port, seconds=10):
    deadline = time.monotonic() + seconds
    while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
        assert time.monotonic() < deadline, f"nothing listens on {port}"
        time.sleep(0.05)


class Redis:
    def __init__(self, directory):
        self.port, self.directory, self.process = free_port(), directory, None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}"

    def start(self):
        self.process = subprocess.Popen(
            [
                *(shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.directory)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


class Postgres:
    """A PostgreSQL cluster of the test's own, so that restarting it touches no other test:
    the test database's schema and rows are copied into it."""

    def __init__(self):
        self.bindir = next(
            path
            for path in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
            if (path / "initdb").exists()
        )
        self.directory = Path(tempfile.mkdtemp(prefix="studio-faults-pg-"))
        self.data = self.directory / "data"
        self.port = free_port()
        if os.getuid() == 0:
            shutil.chown(self.directory, "postgres")

    def run(self, *args, **kwargs):
        prefix = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        return subprocess.run([*prefix, *args], check=True, capture_output=True, **kwargs)

    def init(self, source_url):
        self.run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust")
        self.start()
        self.run(str(self.bindir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), "studio")
        dump = subprocess.run(
            [str(self.bindir / "pg_dump"), "--no-owner", source_url],
            check=True,
            capture_output=True,
        ).stdout
        self.run(
            str(self.bindir / "psql"), "-q", "-h", "127.0.0.1", "-p", str(self.port),
            "-d", "studio", "-v", "ON_ERROR_STOP=1", input=dump,
        )  # fmt: skip

    @property
    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/studio"

    def start(self):
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''"
        self.run(
            str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", options, "-w", "-l",
            str(self.directory / "server.log"), "start",
        )  # fmt: skip

    def stop(self):
        self.run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")

    def remove(self):
        with contextlib.suppress(subprocess.CalledProcessError):  # not running
            self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


def app_env(*, database, redis, smtp_port):
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database,
        "CACHE_URL": f"{redis.url}/0",
        "CELERY_BROKER_URL": f"{redis.url}/1",
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "EMAIL_TIMEOUT": "1",
        "MAIL_RETRY_MAX_DELAY": "1",
        "REDIS_TIMEOUT": "0.5",
        "SECURE_SSL_REDIRECT": "false",
        "WEB_CONCURRENCY": "2",
        "CONN_MAX_AGE": "60",
    }


class App:
    """gunicorn (and, with `worker=True`, a Celery worker) on the given services."""

    def __init__(self, env, directory, *, worker):
        self.env, self.directory, self.worker = env, directory, worker
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.processes = []

    def spawn(self, name, command):
        log = (self.directory / f"{name}.log").open("w")
        process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        self.processes.append(process)
        return process

    def log(self, name):
        return (self.directory / f"{name}.log").read_text()

    def __enter__(self):
        web = self.spawn(
            "web",
            [
                *(sys.executable, "-m", "gunicorn", "config.wsgi", "--config", "gunicorn.conf.py"),
                *("--bind", f"127.0.0.1:{self.port}"),
            ],
        )
        if self.worker:
            self.spawn(
                "worker",
                [
                    *(sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo"),
                    *("--without-gossip", "--without-mingle", "--loglevel=INFO"),
                ],
            )
        wait_until_up(self.base + "/healthz", web)
        self.web = web
        return self

    def __exit__(self, *exc):
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()

    def worker_pids(self):
        """gunicorn's worker processes (the children of its master)."""
        children = Path(f"/proc/{self.web.pid}/task/{self.web.pid}/children").read_text()
        return [int(pid) for pid in children.split()]


class Mailbox:
    """A real SMTP server (aiosmtpd) on `port`, holding what it receives."""

    def __init__(self, port):
        self.messages = []
        self.controller = Controller(self, hostname="127.0.0.1", port=port)

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode()))
        return "250 OK"

    def codes_for(self, email):
        return [
            match.group(1)
            for recipients, content in list(self.messages)
            if email in recipients
            for match in [CODE.search(content)]
            if match
        ]

    @classmethod
    def delivered(cls, port, email, seconds=15):
        """The codes mailed to `email` once a real server listens on `port` (the worker's
        retries find it), waiting at most `seconds`."""
        mailbox = cls(port)
        mailbox.controller.start()
        try:
            deadline = time.monotonic() + seconds
            while time.monotonic() < deadline and not mailbox.codes_for(email):
                time.sleep(0.1)
        finally:
            mailbox.controller.stop()
        return mailbox.codes_for(email)


class HangingSmtp:
    """Accepts connections (the kernel's backlog) and never says a word."""

    def __init__(self, port):
        self.socket = socket.socket()
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", port))
        self.socket.listen(64)

    def close(self):
        self.socket.close()


def stored_code_matches(user, raw):
    code = EmailVerificationCode.objects.filter(user=user, used=False).latest("created_at")
    return check_password(raw, code.code_hash)


# --- the cases ---------------------------------------------------------------------------------


def test_r23_mail_survives_smtp_refusing_and_hanging(redis, tmp_path):
    """SMTP refusing connections, then back: the request answers fast and the code arrives
    once it is back. SMTP accepting and never answering: the request and the health check
    answer fast, no gunicorn worker times out, and the code arrives once a real server is
    back on the port."""
    smtp_port = free_port()
    env = app_env(database=database_url(connection.settings_dict), redis=redis, smtp_port=smtp_port)
    refused_user, hung_user = UserFactory(), UserFactory()
    with App(env, tmp_path, worker=True) as app:
        # Refusing: nothing listens on the port.
        status, _, took = call(
            app.base, "POST", "/api/v1/auth/password-reset/", body={"email": refused_user.email}
        )
        assert (status, took < FAST) == (202, True), (status, took)
        time.sleep(1.5)  # the worker has tried and failed at least once
        codes = Mailbox.delivered(smtp_port, refused_user.email)
        assert len(codes) == 1 and stored_code_matches(refused_user, codes[0]), codes
        case(lost=0, unrecovered=0)

        # Hanging: the port accepts and never answers.
        hanging = HangingSmtp(smtp_port)
        try:
            status, _, took = call(
                app.base, "POST", "/api/v1/auth/password-reset/", body={"email": hung_user.email}
            )
            assert (status, took < FAST) == (202, True), (status, took)
            for _ in range(5):
                status, _, took = call(app.base, "GET", "/api/v1/health/")
                assert (status, took < FAST) == (200, True), (status, took)
                time.sleep(0.3)
        finally:
            hanging.close()
        codes = Mailbox.delivered(smtp_port, hung_user.email)
        assert len(codes) == 1 and stored_code_matches(hung_user, codes[0]), codes
        assert "WORKER TIMEOUT" not in app.log("web")
        case(lost=0, unrecovered=0)


def test_r23_reads_survive_redis_stopping(redis, tmp_path):
    """Redis (throttle counters, broker) stopped mid-traffic: authenticated reads keep working
    (their throttles fail open), sign-in answers 503 `throttle_unavailable` (it fails closed),
    and all is as before once Redis is back."""
    # Argon2, which the production settings read (the test settings hash with MD5).
    user = UserFactory()
    User.objects.filter(pk=user.pk).update(
        password=make_password(DEFAULT_PASSWORD, hasher="argon2")
    )
    _, token = AccessToken.issue(user=user, ttl=timedelta(hours=1), name="faults")
    env = app_env(database=database_url(connection.settings_dict), redis=redis, smtp_port=1)
    with App(env, tmp_path, worker=False) as app:
        before = [call(app.base, "GET", "/api/v1/auth/me/", token=token)[0] for _ in range(5)]
        redis.stop()
        during = []
        for _ in range(10):
            status, _, took = call(app.base, "GET", "/api/v1/auth/me/", token=token)
            during.append((status, took < FAST))
        login, body, _ = call(
            app.base,
            "POST",
            "/api/v1/auth/login/",
            body={"email": user.email, "password": DEFAULT_PASSWORD},
        )
        redis.start()
        after = [call(app.base, "GET", "/api/v1/auth/me/", token=token)[0] for _ in range(5)]
        login_after, login_after_body, _ = call(
            app.base,
            "POST",
            "/api/v1/auth/login/",
            body={"email": user.email, "password": DEFAULT_PASSWORD},
        )
    assert before == [200] * 5
    assert during == [(200, True)] * 10
    assert (login, body["code"]) == (503, "throttle_unavailable")
    assert after == [200] * 5
    assert login_after == 200, login_after_body
    case(lost=0, unrecovered=0)


def test_r23_postgresql_restart_is_503_then_every_worker_serves(redis, tmp_path):
    """PostgreSQL stopped mid-traffic: 503 `database_unavailable` in the error shape; within
    5 s of its return every gunicorn worker serves again, without restarting the app."""
    user = UserFactory()
    _, token = AccessToken.issue(user=user, ttl=timedelta(hours=1), name="faults")
    postgres = Postgres()
    try:
        postgres.init(database_url(connection.settings_dict))
        env = app_env(database=postgres.url, redis=redis, smtp_port=1)
        env["WEB_CONCURRENCY"] = "3"
        with App(env, tmp_path, worker=False) as app:
            assert [
                call(app.base, "GET", "/api/v1/auth/me/", token=token)[0] for _ in range(6)
            ] == [200] * 6
            postgres.stop()
            during = [call(app.base, "GET", "/api/v1/auth/me/", token=token) for _ in range(10)]
            postgres.start()
            back = time.monotonic()
            statuses = []
            while time.monotonic() - back < RECOVERY:
                statuses.append(call(app.base, "GET", "/api/v1/auth/me/", token=token)[0])
            # The last second: every answer, from whichever worker, is a 200.
            tail = [call(app.base, "GET", "/api/v1/auth/me/", token=token)[0] for _ in range(12)]
    finally:
        postgres.remove()
    assert {(status, body["code"]) for status, body, _ in during} == {(503, "database_unavailable")}
    assert all(took < FAST for *_, took in during)
    unrecovered = sum(status != 200 for status in tail)
    case(lost=0, unrecovered=unrecovered)
    assert unrecovered == 0, (statuses, tail)
    assert 200 in statuses


def test_r23_worker_killed_mid_charge_is_all_or_nothing(redis, tmp_path, model_catalogue):
    """gunicorn workers SIGKILLed while usage charges are in flight: each charge is recorded
    whole or not at all, every answered charge is kept, a retry with the same key charges at
    most once, and every balance equals its ledger."""
    user = fund(UserFactory(), purchased=1_000_000)
    service = UserFactory()
    service.groups.add(granted_group(SERVICE_ACCOUNTS_GROUP, SERVICE_PERMISSIONS))
    _, token = AccessToken.issue(user=service, ttl=timedelta(hours=1), name="faults")
    body = {"user": str(user.pk), "model": TEST_MODEL, "tokens_input": 30_000, "tokens_output": 0}
    env = app_env(database=database_url(connection.settings_dict), redis=redis, smtp_port=1)
    env["WEB_CONCURRENCY"] = "3"
    keys = [f"faults-{n}" for n in range(150)]

    def charge(key):
        request = urllib.request.Request(  # noqa: S310 - loopback
            app.base + "/api/v1/billing/usage/",
            data=json.dumps(body).encode(),
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {token}",
                "Idempotency-Key": key,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return key, response.status
        except urllib.error.HTTPError as error:
            return key, error.code
        except OSError:
            return key, None

    with App(env, tmp_path, worker=False) as app:
        stop = threading.Event()

        def killer():
            """Three kills, a second apart, each of a worker that is serving charges."""
            for _ in range(3):
                if stop.wait(0.5):
                    return
                pids = app.worker_pids()  # empty only while gunicorn replaces one
                if pids:
                    os.kill(pids[0], signal.SIGKILL)
                stop.wait(0.5)

        thread = threading.Thread(target=killer)
        thread.start()
        with ThreadPoolExecutor(6) as pool:
            outcomes = dict(pool.map(charge, keys))
        stop.set()
        thread.join()
        wait_until_up(app.base + "/healthz", app.web)
        unanswered = [key for key, status in outcomes.items() if status is None]
        retried = dict(map(charge, unanswered))

    assert set(outcomes.values()) <= {201, None}, outcomes
    assert set(retried.values()) <= {200, 201}, retried
    recorded = set(UsageLog.objects.filter(user=user).values_list("request_id", flat=True))
    lost = sum(1 for key, status in outcomes.items() if status == 201 and key not in recorded)
    case(lost=lost, unrecovered=len(set(keys) - recorded))
    assert lost == 0
    assert recorded == set(keys)  # every charge, answered or retried, recorded once
    assert ledger_mismatches() == []
    figures.record("R23", f"kill mid-charge: {len(unanswered)} cut off, all retried once")
