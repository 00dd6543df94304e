"""The API through PgBouncer in transaction mode (issue 25): Debian's pgbouncer on loopback in
front of the test database, with a pool of 2 server connections, and gunicorn (production
settings, `PGBOUNCER_TRANSACTION_MODE=true`, persistent connections) with more workers than
that. Every request answers correctly, nothing needs a prepared statement or a server-side
cursor, no session state is left on a server connection, and PostgreSQL never sees more than
the pool. The message list (W1) is timed through PgBouncer against a direct connection.
"""

import os
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connection

from bench.servers import free_port
from tests.chat.utils import messages_url
from tests.factories import UserFactory
from tests.ops.conftest import token_for
from tests.ops.test_faults import App, app_env, call, wait_for_port
from tests.ops.test_two_servers import database_url

POOL = 2
WORKERS = 4
CLIENT_THREADS = 8
REQUESTS = 120

pytestmark = pytest.mark.django_db(transaction=True)


class PgBouncer:
    """pgbouncer in transaction mode in front of the test database. As root it runs as the
    `postgres` account (it refuses root), in a directory that account owns."""

    def __init__(self, settings_dict, pool_size):
        self.directory = Path(tempfile.mkdtemp(prefix="studio-pgbouncer-"))
        self.port = free_port()
        self.database = settings_dict["NAME"]
        (self.directory / "users.txt").write_text(f'"{settings_dict["USER"]}" ""\n')
        (self.directory / "pgbouncer.ini").write_text(
            "[databases]\n"
            f"{self.database} = host={settings_dict['HOST']} port={settings_dict['PORT']}"
            f" dbname={self.database}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {self.directory / 'users.txt'}\n"
            f"admin_users = {settings_dict['USER']}\n"
            f"pool_mode = transaction\ndefault_pool_size = {pool_size}\nmin_pool_size = 0\n"
            "reserve_pool_size = 0\nmax_client_conn = 200\nserver_reset_query =\n"
            "ignore_startup_parameters = extra_float_digits,options\n"
            f"logfile = {self.directory / 'pgbouncer.log'}\n"
        )
        self.user = settings_dict["USER"]
        if os.getuid() == 0:
            for path in (self.directory, *self.directory.iterdir()):
                shutil.chown(path, "postgres")
        self.psql = shutil.which("psql") or next(
            str(path) for path in sorted(Path("/usr/lib/postgresql").glob("*/bin/psql"))
        )

    @property
    def url(self):
        return f"postgres://{self.user}@127.0.0.1:{self.port}/{self.database}"

    def __enter__(self):
        prefix = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
        self.process = subprocess.Popen(
            [*prefix, shutil.which("pgbouncer"), str(self.directory / "pgbouncer.ini")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        wait_for_port(self.port)
        return self

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=10)
        shutil.rmtree(self.directory, ignore_errors=True)

    def query(self, sql, database=None):
        """Rows of `sql` as lists of strings, through pgbouncer (the admin console for
        `SHOW ...`, whose simple query protocol psql speaks)."""
        output = subprocess.run(
            [
                *(self.psql, "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user),
                *("-d", database or self.database, "-AtF", "\t", "-c", sql),
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        return [line.split("\t") for line in output.splitlines()]

    def servers(self):
        return len(self.query("SHOW SERVERS", "pgbouncer"))

    def clients(self):
        return len(self.query("SHOW CLIENTS", "pgbouncer"))

    def log(self):
        return (self.directory / "pgbouncer.log").read_text()


def messages_page(base, chat, token):
    return call(base, "GET", messages_url(chat) + "?page_size=50", token=token)


def production_env(database, redis):
    env = app_env(database=database, redis=redis, smtp_port=1)
    env.update(THROTTLE_USER="100000/min", WEB_CONCURRENCY=str(WORKERS))
    return env


def test_the_api_through_pgbouncer_in_transaction_mode(member, redis, tmp_path):
    """8 client threads on 4 gunicorn workers (4 persistent client connections) share 2
    server connections: every answer is right, and the pool bounds PostgreSQL's side."""
    token, chat = member
    # Each rename is another user's, so that no two race for one row.
    writers = [token_for(UserFactory()) for _ in range(REQUESTS // 4)]
    with PgBouncer(connection.settings_dict, POOL) as bouncer:
        env = {**production_env(bouncer.url, redis), "PGBOUNCER_TRANSACTION_MODE": "true"}
        with App(env, tmp_path, worker=False) as app:
            servers, clients, stop = [], [], threading.Event()

            def sample():
                while not stop.is_set():
                    servers.append(bouncer.servers())
                    clients.append(bouncer.clients())
                    time.sleep(0.2)

            def one(index):
                if index % 4 == 0:
                    name = f"Renamed {index}"
                    status, body, _ = call(
                        app.base,
                        "PATCH",
                        "/api/v1/auth/me/",
                        body={"name": name},
                        token=writers[index // 4],
                    )
                    return (status, body and body["name"]) == (200, name) or (status, body)
                status, body, _ = messages_page(app.base, chat, token)
                return (status, len(body["results"])) == (200, 50) or (status, body)

            sampler = threading.Thread(target=sample)
            sampler.start()
            try:
                with ThreadPoolExecutor(CLIENT_THREADS) as pool:
                    answers = list(pool.map(one, range(REQUESTS)))
            finally:
                stop.set()
                sampler.join()
            web_log = app.log("web")
        # Each of the pool's server connections, reached through fresh client connections:
        # no session setting and no lock outlives the transaction that made it.
        leftovers = [
            bouncer.query(
                "SELECT coalesce(current_setting('pghistory.context_id', true), ''),"
                " (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'),"
                " current_setting('statement_timeout')"
            )[0]
            for _ in range(2 * POOL)
        ]
        bouncer_log = bouncer.log()
    print(
        f"\nPgBouncer pool {POOL}: {len(answers)} requests, {answers.count(True)} right; "
        f"clients seen up to {max(clients) - 1}, server connections up to {max(servers)}"
    )
    assert [answer for answer in answers if answer is not True] == []
    assert "prepared statement" not in web_log + bouncer_log
    assert "Traceback" not in web_log
    assert leftovers == [["", "0", "0"]] * (2 * POOL)
    assert max(servers) <= POOL
    # The admin console's own client is among those listed: more app clients than servers.
    assert max(clients) - 1 > POOL


def test_w1_through_pgbouncer_against_direct(member, redis, tmp_path):
    """The message list timed through PgBouncer and directly, one request each in turn (each
    going first every other round), one gunicorn worker each with its persistent connection:
    the ratio of medians."""
    token, chat = member
    rounds = 150
    with PgBouncer(connection.settings_dict, POOL) as bouncer:
        # Only the connection's path differs: the same settings (no server-side cursors) on both.
        direct_env = production_env(database_url(connection.settings_dict), redis)
        pooled_env = production_env(bouncer.url, redis)
        for env in (direct_env, pooled_env):
            env.update(PGBOUNCER_TRANSACTION_MODE="true", WEB_CONCURRENCY="1")
        (tmp_path / "direct").mkdir()
        (tmp_path / "pooled").mkdir()
        with (
            App(direct_env, tmp_path / "direct", worker=False) as direct,
            App(pooled_env, tmp_path / "pooled", worker=False) as pooled,
        ):
            times = {direct.base: [], pooled.base: []}
            for round_ in range(rounds + 10):
                for base in list(times)[:: 1 if round_ % 2 else -1]:
                    status, _, took = messages_page(base, chat, token)
                    assert status == 200
                    times[base].append(took)
    direct_ms = statistics.median(times[direct.base][10:]) * 1000
    pooled_ms = statistics.median(times[pooled.base][10:]) * 1000
    ratio = pooled_ms / direct_ms
    print(
        f"\nW1 over HTTP, median of {rounds}: direct {direct_ms:.2f} ms, "
        f"through PgBouncer {pooled_ms:.2f} ms, ratio {ratio:.2f}"
    )
    assert ratio < 1.5
