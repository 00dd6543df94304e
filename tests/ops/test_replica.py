"""A real streaming read replica (issue 25): the test database is copied into a primary of the
test's own, `pg_basebackup -R` clones it into a replica on another loopback port, and gunicorn
(production settings) runs with `DATABASE_URL` on the primary and `DATABASE_REPLICA_URL` on the
replica. Both servers log every statement, so the logs show where each read went: the marked
reads (config/replica.py) reach the replica, writes never do, a user who just wrote reads the
primary, and with the replica stopped the API answers from the primary, logged once.
"""

import re
import subprocess
import sys
import time
import urllib.request

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings

from chat.models import Message
from config.replica import ReadYourWritesMiddleware, ReplicaRouter, lag_tolerant
from tests.chat.utils import messages_url
from tests.ops.test_faults import ROOT, App, Postgres, app_env, call
from tests.ops.test_two_servers import database_url

MESSAGE_PAGE = re.compile(r'statement: SELECT .* FROM "chat_message"')
USAGE_PAGE = re.compile(r'statement: SELECT .* FROM "billing_usagelog"')
READ_YOUR_WRITES = 1  # seconds

ANY_READ = re.compile(r"statement: SELECT ")
WRITE = re.compile(r"statement: (INSERT|UPDATE|DELETE)")

pytestmark = pytest.mark.django_db(transaction=True)


def statements(server, pattern):
    return len(pattern.findall((server.directory / "server.log").read_text()))


def replica_of(primary):
    """A hot standby streaming from `primary`, started on a port of its own."""
    replica = Postgres()
    replica.run(
        str(primary.bindir / "pg_basebackup"), "-D", str(replica.data), "-h", "127.0.0.1",
        "-p", str(primary.port), "-U", "postgres", "-R", "-X", "stream", "-c", "fast",
    )  # fmt: skip
    replica.start()
    return replica


def wait_until_replayed(primary, replica):
    """Until the replica has replayed everything the primary has written so far."""
    lsn = primary.run(
        str(primary.bindir / "psql"), "-h", "127.0.0.1", "-p", str(primary.port), "-d", "studio",
        "-Atc", "SELECT pg_current_wal_lsn()", text=True,
    ).stdout.strip()  # fmt: skip
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        caught_up = replica.run(
            str(replica.bindir / "psql"), "-h", "127.0.0.1", "-p", str(replica.port),
            "-d", "studio", "-Atc", f"SELECT pg_last_wal_replay_lsn() >= '{lsn}'", text=True,
        ).stdout.strip()  # fmt: skip
        if caught_up == "t":
            return
        time.sleep(0.05)
    raise TimeoutError("the replica did not catch up")


def admin_page(base, path, session):
    """(status, final URL) of an admin page for the session cookie `session`."""
    request = urllib.request.Request(base + path, headers={"Cookie": f"sessionid={session}"})  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
        response.read()
        return response.status, response.url


def test_marked_reads_go_to_the_replica_and_everything_else_to_the_primary(
    member, superuser, redis, tmp_path
):
    token, chat = member
    # A signed-in staff session, copied with the database; the servers share the test's key.
    staff = Client()
    staff.force_login(superuser)
    session = staff.cookies["sessionid"].value
    primary = Postgres()
    replica = None
    try:
        primary.init(database_url(connection.settings_dict))
        primary.run(
            str(primary.bindir / "psql"), "-h", "127.0.0.1", "-p", str(primary.port),
            "-d", "studio", "-c", "ALTER SYSTEM SET log_statement = 'all'",
            "-c", "SELECT pg_reload_conf()",
        )  # fmt: skip
        replica = replica_of(primary)  # the setting travels in postgresql.auto.conf
        env = app_env(database=primary.url, redis=redis, smtp_port=1)
        env.update(
            DATABASE_REPLICA_URL=replica.url,
            REPLICA_READ_YOUR_WRITES_SECONDS=str(READ_YOUR_WRITES),
            WEB_CONCURRENCY="1",
            SECRET_KEY=settings.SECRET_KEY,
            STATIC_ROOT=str(tmp_path / "static"),
        )
        # The admin's pages name hashed static files: the release step's collectstatic.
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT, env=env, check=True, capture_output=True,
        )  # fmt: skip
        with App(env, tmp_path, worker=False) as app:
            before = statements(replica, MESSAGE_PAGE)
            pages = [call(app.base, "GET", messages_url(chat), token=token) for _ in range(5)]
            usage = call(app.base, "GET", "/api/v1/billing/usage/", token=token)
            summary = call(app.base, "GET", "/api/v1/billing/usage/summary/", token=token)
            routed = statements(replica, MESSAGE_PAGE) - before
            usage_routed = statements(replica, USAGE_PAGE)
            admin_before = statements(replica, ANY_READ)
            home = admin_page(app.base, "/admin/", session)
            message_list = admin_page(app.base, "/admin/chat/message/", session)
            admin_routed = statements(replica, ANY_READ) - admin_before

            # The owner posts, then reads at once: the primary answers, with the new message.
            posted = call(
                app.base, "POST", messages_url(chat),
                body={"role": "user", "content": "read your writes"}, token=token,
            )  # fmt: skip
            on_primary = statements(primary, MESSAGE_PAGE)
            on_replica = statements(replica, MESSAGE_PAGE)
            newest_first = messages_url(chat) + "?ordering=-created_at"
            just_after = call(app.base, "GET", newest_first, token=token)
            after_write = (
                statements(primary, MESSAGE_PAGE) - on_primary,
                statements(replica, MESSAGE_PAGE) - on_replica,
            )
            wait_until_replayed(primary, replica)
            writes_on_replica = statements(replica, WRITE)

            replica.stop()
            time.sleep(READ_YOUR_WRITES + 0.2)  # the owner's reads may go to the replica again
            without_replica = [
                call(app.base, "GET", messages_url(chat), token=token) for _ in range(4)
            ]
            web_log = app.log("web")
    finally:
        if replica is not None:
            replica.remove()
        primary.remove()
    print(
        f"\nReplica: {routed} of 5 message pages and {usage_routed} usage reads on the replica; "
        f"after a write, message pages on primary/replica {after_write}; "
        f"writes on the replica {writes_on_replica}; admin home and message list: "
        f"{admin_routed} reads on the replica"
    )
    assert [status for status, *_ in pages] == [200] * 5
    assert all(len(body["results"]) == 50 for _, body, _ in pages)
    assert routed == 5
    assert (usage[0], summary[0]) == (200, 200)
    assert usage_routed >= 2  # the usage page and the summary
    assert home == (200, app.base + "/admin/")
    assert message_list == (200, app.base + "/admin/chat/message/")
    assert admin_routed > 0
    assert posted[0] == 201, posted[1]
    assert just_after[0] == 200
    assert "read your writes" in [row["content"] for row in just_after[1]["results"]]
    assert after_write == (1, 0)
    assert writes_on_replica == 0
    assert [status for status, *_ in without_replica] == [200] * 4
    assert all(len(body["results"]) == 50 for _, body, _ in without_replica)
    assert web_log.count("Read replica unavailable") == 1


# The router's answers that never reach the replica, in-process: a replica alias is declared
# (a copy of the primary's settings) so that the marked views consider routing at all.
with_replica = override_settings(
    DATABASES={**settings.DATABASES, "replica": settings.DATABASES["default"]}
)


class MessagePage:
    @lag_tolerant
    def get(self, request):
        return ReplicaRouter().db_for_read(Message)


@with_replica
@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_a_marked_read_inside_a_transaction_reads_the_primary(user):
    request = RequestFactory().get("/")
    request.user = user
    with transaction.atomic():
        assert MessagePage().get(request) == "default"


@with_replica
@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_a_user_who_just_wrote_reads_the_primary(user):
    write = RequestFactory().post("/")
    write.user = user
    ReadYourWritesMiddleware(lambda request: HttpResponse())(write)
    read = RequestFactory().get("/")
    read.user = user
    assert MessagePage().get(read) == "default"
