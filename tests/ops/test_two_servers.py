"""Two gunicorn app servers on loopback, one PostgreSQL and one Redis (issue 13, R15).

Nothing lives in an app server's memory: a token issued through one works on the other, a
throttle counts requests across both, and a request's log line is found by its request id.
"""

import json
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from bench.servers import free_port, redis_server

ROOT = Path(__file__).resolve().parents[2]
USER_RATE = 6

pytestmark = pytest.mark.django_db(transaction=True)


def wait_until_up(url, process, seconds=90):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5):  # noqa: S310 - loopback
                return
        except OSError:  # refused, reset or slow to answer while workers boot: not up yet
            time.sleep(0.2)
    raise TimeoutError(url)


def call(base, method, path, *, body=None, token=None, request_id=None):
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if request_id:
        headers["X-Request-ID"] = request_id
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def database_url(db):
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{quote(db['USER'], safe='')}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    )


@pytest.fixture
def redis_url():
    with redis_server() as url:
        yield url


@pytest.fixture
def app_servers(redis_url, tmp_path):
    """Two production-settings gunicorn servers on the test database and one Redis."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url(connection.settings_dict),
        "CACHE_URL": redis_url,
        "CELERY_BROKER_URL": redis_url,
        "EMAIL_URL": "consolemail://",
        "SECURE_SSL_REDIRECT": "false",
        "THROTTLE_USER": f"{USER_RATE}/min",
        "LOG_FORMAT": "json",
        "WEB_CONCURRENCY": "2",
    }
    servers = []
    for name in ("a", "b"):
        port = free_port()
        log = (tmp_path / f"{name}.log").open("w")
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--config",
                "gunicorn.conf.py",
                "--bind",
                f"127.0.0.1:{port}",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        servers.append((f"http://127.0.0.1:{port}", process, tmp_path / f"{name}.log"))
    try:
        for base, process, _ in servers:
            wait_until_up(base + "/healthz", process)
        yield servers
    finally:
        for _, process, _ in servers:
            process.terminate()
            process.wait(timeout=15)


def test_a_token_throttle_and_log_line_span_both_servers(app_servers):
    (a, _, _), (b, _, b_log) = app_servers
    status, body = call(
        a,
        "POST",
        "/api/v1/auth/register/",
        body={"email": "two-servers@example.com", "password": "spans-two-servers-9", "name": "Two"},
    )
    assert status == 201, body
    token = body["token"]

    status, me = call(b, "GET", "/api/v1/auth/me/", token=token, request_id="two-servers-check-1")
    assert status == 200
    assert me["email"] == "two-servers@example.com"

    statuses = [
        call(server, "GET", "/api/v1/auth/me/", token=token)[0] for server in (a, b, a, b, a, b)
    ]
    print(f"\nTwo servers, user rate {USER_RATE}/min: {statuses}")
    assert statuses == [200] * (USER_RATE - 1) + [429]

    time.sleep(0.5)  # let gunicorn flush its worker's output
    lines = [json.loads(line) for line in b_log.read_text().splitlines() if line.startswith("{")]
    (line,) = [entry for entry in lines if entry.get("request_id") == "two-servers-check-1"]
    assert line["logger"] == "studio.request"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/api/v1/auth/me/", 200)
    assert line["user_id"] == me["id"]
    assert line["latency_ms"] > 0
    assert token not in b_log.read_text()
