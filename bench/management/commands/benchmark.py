import json
import os
import random
import shlex
import statistics
import tempfile
import time
from contextlib import ExitStack, contextmanager
from datetime import UTC, timedelta
from itertools import count
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib import admin
from django.core.management.base import BaseCommand, CommandError
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.functional import cached_property

from accounts.models import AccessToken, User
from bench import http
from bench.benchmark import (
    CONTROL,
    ConnectionReuse,
    Key,
    Workload,
    production_connection,
    request_log_discarded,
    run_rounds,
)
from bench.servers import redis_server
from billing.models import CreditLedgerEntry, UsageLog
from billing.services.credits import Charge, credits_charge
from chat.models import Chat, Message
from config.admin import EXACT_COUNT_BELOW, estimated_row_count
from config.settings.base import cache_settings, with_static_files
from feedback.models import FeedbackPost
from kanban.models import KanbanBoard
from projects.models import Project

UNTHROTTLED = "100000000/min"
request_ids = count()
# Tables that grow without bound: no Seq Scan and no unfiltered COUNT(*) on them (W7, W8).
LARGE_TABLES = (User, UsageLog, Message, CreditLedgerEntry)
LARGE_TABLE_NAMES = frozenset(model._meta.db_table for model in LARGE_TABLES)
AVOIDED_ON_LARGE_TABLES = ("enable_seqscan", "enable_sort", "enable_hashjoin", "enable_mergejoin")
# Whose medians must stay within GROWTH_BUDGET of a run on a tenth of the data (`--baseline`).
GROWTH_WORKLOADS = ("W1", "W2")
GROWTH_BUDGET = 1.2
CONNECTION_BUDGET = 1.1
# In process, the read rows' R_floor budgets are issue 21's (tighter than PERFORMANCE.md's 2.5
# and 4.0). Over HTTP (`--http`), W1's and W2's R_floor: ahead of the original platform's
# stack (issue 21 measured it at 2.16 and 2.19).
HTTP_BUDGETS = {"W1": 1.8, "W2": 1.9}
ADMIN_COUNT_BUDGET = 1.1


def bench_users(limit):
    """Ordinary benchmark users: never the benchmark's own staff account (`bench-admin@…`),
    whose lists hold other rows than a customer's."""
    users = User.objects.filter(email__startswith="bench", is_staff=False, is_superuser=False)
    return list(users.order_by("email")[:limit])


def client_for(user):
    _, raw = AccessToken.issue(user=user, ttl=timedelta(hours=2), name="benchmark")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


# W1's page is "about 100 KB of JSON" (PERFORMANCE.md): half long assistant answers. Each
# message adds its id, chat, role and times to its content, about this many bytes.
PAGE_BYTES = 100_000
MESSAGE_ENVELOPE_BYTES = 250
FULL_PAGES = """
SELECT c.id
FROM (SELECT id FROM {chat} WHERE title LIKE 'Bench chat %%'
      ORDER BY message_count DESC, id LIMIT %(candidates)s) AS c
CROSS JOIN LATERAL (
    SELECT sum(octet_length(m.content) + octet_length(m.message_metadata::text)
               + %(envelope)s) AS bytes
    FROM (SELECT content, message_metadata FROM {message} WHERE chat_id = c.id
          ORDER BY created_at DESC, id DESC LIMIT 50) AS m
) AS page
ORDER BY abs(page.bytes - %(target)s), c.id
LIMIT %(keys)s
"""


def busy_chats(keys):
    """Among the busiest benchmark chats (thousands of messages each on the full data set),
    those whose first page is nearest the spec's 100 KB, with their owners' clients: the
    busiest alone mostly open on short questions."""
    sql = FULL_PAGES.format(chat=Chat._meta.db_table, message=Message._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            {
                "candidates": keys * 10,
                "envelope": MESSAGE_ENVELOPE_BYTES,
                "target": PAGE_BYTES,
                "keys": keys,
            },
        )
        ids = [row[0] for row in cursor.fetchall()]
    chats = Chat.objects.filter(pk__in=ids).select_related("user").order_by("id")
    return [
        Key(client_for(chat.user), f"/api/v1/projects/{chat.project_id}/chats/{chat.pk}/messages/")
        for chat in chats
    ]


def chat_messages(keys):
    return Workload(
        "W1",
        "a chat's messages, 50 per page, cursor",
        2.2,
        1 + 1 + 1,  # auth, the chat lookup, the page
        busy_chats(keys),
        http_budget=HTTP_BUDGETS["W1"],
    )


def usage_logs(keys):
    """W2: the last 45 days (about 75 of a user's logs), so a page of 50 has a next page."""
    now = timezone.now().replace(microsecond=0)
    window = urlencode(
        {
            "created_after": (now - timedelta(days=45)).isoformat(),
            "created_before": now.isoformat(),
        }
    )
    return Workload(
        "W2",
        "a user's usage logs, 50 rows, date range, cursor",
        3.0,
        1 + 1,  # auth, the page
        [Key(client_for(user), f"/api/v1/billing/usage/?{window}") for user in bench_users(keys)],
        http_budget=HTTP_BUDGETS["W2"],
    )


def verdict(row):
    if row["ratio_budget"] is None:
        return "not judged"
    return f"{'pass' if row['passed'] else 'FAIL'} (≤ {row['ratio_budget']})"


def empty_usage_page(keys):
    """W2's request for a window with no logs in it (a day in 2000): an empty page, so what
    is left is the request path itself (routing, middleware, auth, throttle, pagination,
    rendering). Over HTTP, set against the floor's full W2 page, it bounds from below what
    any W2 page can reach; it is shown, not judged."""
    day = {
        "created_after": "2000-01-01T00:00:00+00:00",
        "created_before": "2000-01-02T00:00:00+00:00",
    }
    window = urlencode(day)
    return Workload(
        "W2-empty",
        "W2's request path with no rows",
        None,
        1 + 1,  # auth, the page
        [Key(client_for(user), f"/api/v1/billing/usage/?{window}") for user in bench_users(keys)],
    )


def project_detail(keys):
    projects = Project.objects.filter(slug__startswith="bench-project-").select_related("owner")[
        :keys
    ]
    return Workload(
        "W3",
        "project detail with containers, connections, chats",
        3.0,
        1 + 4,
        [Key(client_for(p.owner), f"/api/v1/projects/{p.pk}/") for p in projects],
    )


def kanban_board(keys):
    boards = (
        KanbanBoard.objects.filter(project__slug__startswith="bench-project-")
        .select_related("project__owner")
        .order_by("project__slug")[:keys]
    )
    return Workload(
        "W4",
        "kanban board with columns, tasks, assignees",
        3.0,
        1 + 3,  # auth, the project with its board, the columns, their tasks with assignees
        [
            Key(client_for(b.project.owner), f"/api/v1/projects/{b.project_id}/board/")
            for b in boards
        ],
    )


def feedback_list(keys):
    return Workload(
        "W5",
        "feedback posts with upvote and comment counts",
        3.0,
        1 + 2 + 2,
        [
            Key(client_for(user), "/api/v1/feedback/posts/?ordering=-upvote_count")
            for user in bench_users(keys)
        ],
    )


def connection_reuse(keys):
    """W1's requests under production's connection settings against a forced persistent
    connection (the ratio is production / persistent)."""
    return ConnectionReuse(
        "conn",
        "W1 with production connections vs persistent",
        CONNECTION_BUDGET,
        1 + 1 + 1,
        busy_chats(keys),
    )


def charge_statements(users, charges):
    """W6: statements per charge and charges per second through `credits_charge`."""

    def one(user):
        credits_charge(
            charge=Charge(
                user_id=user.pk, model="openai/gpt-5", tokens_input=1200, tokens_output=300
            ),
            request_id=f"benchmark-{time.time_ns()}-{next(request_ids)}",
        )

    with CaptureQueriesContext(connection) as captured:
        one(users[0])
    statements = [q for q in captured if not q["sql"].startswith(CONTROL)]
    started = time.perf_counter()
    for number in range(charges):
        one(users[number % len(users)])
    rate = charges / (time.perf_counter() - started)
    return {
        "id": "W6",
        "title": "usage charge",
        "statements": len(statements),
        "statement_budget": 5,
        "charges_per_second": round(rate, 1),
        "passed": len(statements) <= 5,
    }


def is_large(model):
    return (estimated_row_count(model) or 0) >= EXACT_COUNT_BELOW


@contextmanager
def planner(*, force_index):
    """On a large table the planner's own plan is read. On a small one (the test suite's tiny
    data set) a Seq Scan, a Sort or a hash join is cheaper than any index, so plans are taken
    with those disabled, as the planner avoids them on large tables: a large table still read
    whole then has no index that serves the query."""
    if not force_index:
        yield
        return
    with connection.cursor() as cursor:
        for setting in AVOIDED_ON_LARGE_TABLES:
            cursor.execute(f"SET {setting} = off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            for setting in AVOIDED_ON_LARGE_TABLES:
                cursor.execute(f"RESET {setting}")


def whole_reads(node, tables, *, sorted_above=False):
    """Which of `tables` a plan (EXPLAIN's JSON) reads whole: a Seq Scan, or an index scan
    with no condition whose rows are then sorted (the order the index did not give). An
    unconditioned index scan in the index's order under a LIMIT reads only the page."""
    table = node.get("Relation Name")
    kind = node["Node Type"]
    found = []
    whole_index = kind in ("Index Scan", "Index Only Scan") and "Index Cond" not in node
    if table in tables and (kind == "Seq Scan" or (whole_index and sorted_above)):
        found.append(table)
    for child in node.get("Plans", ()):
        found += whole_reads(child, tables, sorted_above=sorted_above or kind == "Sort")
    return found


def watched_tables(*, force_index):
    """The tables whose whole reads fail a plan: every large-table model when the plan is
    forced (a tiny data set), else those that are large now; a hash join over a small one is
    the planner's right choice."""
    if force_index:
        return LARGE_TABLE_NAMES
    return frozenset(model._meta.db_table for model in LARGE_TABLES if is_large(model))


def explain(sql, *, force_index):
    """`sql`'s plan as EXPLAIN's JSON (the top node)."""
    with planner(force_index=force_index), connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}")
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return plan[0]["Plan"]


def usage_per_day_plan(user):
    """W7: credits spent per day over 30 days for one user; the plan must use an index."""
    queryset = (
        UsageLog.objects.filter(user=user, created_at__gte=timezone.now() - timedelta(days=30))
        .annotate(day=TruncDate("created_at", tzinfo=UTC))
        .values("day")
        .annotate(calls=Count("id"), credits=Sum("credits_charged"))
        .order_by("day")
    )
    force_index = not is_large(UsageLog)
    with planner(force_index=force_index):
        plan = json.loads(queryset.explain(format="json"))[0]["Plan"]
        text = queryset.explain()
    scanned = sorted(set(whole_reads(plan, watched_tables(force_index=force_index))))
    return {
        "id": "W7",
        "title": "usage per day over 30 days",
        "queries": 1,
        "seq_scan": bool(scanned),
        "passed": not scanned,
        "plan": text,
    }


def recording_paginator(paginator_class, seen):
    """`paginator_class`, noting the count it gives in `seen`."""

    class Recording(paginator_class):
        @cached_property
        def count(self):
            seen["count"] = super().count
            return seen["count"]

    return Recording


def fixed_count_paginator(result_count):
    """A paginator that is told the count: the page without any counting, for comparison."""
    return type("FixedCountPaginator", (Paginator,), {"count": result_count})


def admin_changelists(staff, *, rounds, calls, chooser_seed):
    """W8: the changelists of the large tables, unfiltered and searched. Each must run no
    unfiltered COUNT(*) on its table once it is large, no query of its page may read a large
    table sequentially, and the page must cost at most 1.1x the same page with no counting
    at all (the paginator told the count), measured interleaved over `rounds`. The
    contains-searches of projects, chats and feedback are held to the first two rules only."""
    user = User.objects.filter(email__startswith="bench").order_by("email").first()
    log = UsageLog.objects.filter(request_id__startswith="bench-").only("request_id").first()
    chat = Chat.objects.filter(title__startswith="Bench chat ").order_by("-message_count").first()
    project = Project.objects.filter(slug__startswith="bench-project-").order_by("slug").last()
    idea = FeedbackPost.objects.filter(title__startswith="Seeded idea ").order_by("title").last()
    judged = [  # W8's tables (PERFORMANCE.md): counting may add at most 1.1x to a page
        ("users list", User, "/admin/accounts/user/"),
        ("users search", User, "/admin/accounts/user/?q=bench_12"),
        ("usage logs list", UsageLog, "/admin/billing/usagelog/"),
        ("usage logs search email", UsageLog, f"/admin/billing/usagelog/?q={user.email}"),
        ("usage logs search request", UsageLog, f"/admin/billing/usagelog/?q={log.request_id}"),
        ("ledger list", CreditLedgerEntry, "/admin/billing/creditledgerentry/"),
        ("messages list", Message, "/admin/chat/message/"),
        ("messages search chat", Message, f"/admin/chat/message/?q={chat.pk}"),
    ]
    # Searched by part of a name or title (trigram indexes): the plan rules hold, but an exact
    # count of a contains-search costs as much as its page, so that ratio is shown, not judged.
    shown = [
        ("projects search", Project, f"/admin/projects/project/?q={project.slug}"),
        ("chats search", Chat, f"/admin/chat/chat/?q={project.slug}"),
        ("feedback search", FeedbackPost, f"/admin/feedback/feedbackpost/?q={quote(idea.title)}"),
    ]
    pages = [(*page, ADMIN_COUNT_BUDGET) for page in judged] + [(*page, None) for page in shown]
    client = Client()
    client.force_login(staff)
    rows = []
    for label, model, url, ratio_budget in pages:
        model_admin = admin.site._registry[model]
        table = model._meta.db_table
        large = is_large(model)
        real_paginator = model_admin.paginator
        model_admin.paginator = recording_paginator(real_paginator, seen := {})
        try:
            client.get(url)  # warm up, and learn the count the page shows
        finally:
            model_admin.paginator = real_paginator
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        statements = [q["sql"] for q in captured if not q["sql"].startswith(CONTROL)]
        counts = [
            sql
            for sql in statements
            if "COUNT(" in sql.upper() and f'"{table}"' in sql and "WHERE" not in sql.upper()
        ]
        scanned = set()
        for sql in statements:
            if sql.lstrip().upper().startswith("SELECT") and f'"{table}"' in sql:
                plan = explain(sql, force_index=not large)
                scanned.update(whole_reads(plan, watched_tables(force_index=not large)))
        counted, uncounted = [], []
        chooser = random.Random(chooser_seed)  # noqa: S311 - shuffling, not secrets
        for _ in range(rounds):
            order = ["counted", "uncounted"]
            chooser.shuffle(order)
            for variant in order:
                if variant == "uncounted":
                    model_admin.paginator = fixed_count_paginator(seen["count"])
                try:
                    started = time.perf_counter()
                    for _ in range(calls):
                        client.get(url).content  # noqa: B018 - rendering is part of the page
                    elapsed = (time.perf_counter() - started) / calls
                finally:
                    model_admin.paginator = real_paginator
                (counted if variant == "counted" else uncounted).append(elapsed)
        ratios = sorted(c / u for c, u in zip(counted, uncounted, strict=True))
        ratio = statistics.median(ratios)
        rows.append(
            {
                "id": f"W8 {label}",
                "status": response.status_code,
                "ms": round(statistics.median(counted) * 1000, 1),
                "ratio": round(ratio, 2),
                "ratio_budget": ratio_budget,
                "queries": len(statements),
                "large_table": large,
                "full_counts": len(counts),
                "whole_reads": sorted(scanned),
                "passed_plan": response.status_code == 200
                and not (large and counts)
                and not scanned,
                "passed": response.status_code == 200
                and not (large and counts)
                and not scanned
                and (ratio_budget is None or ratio <= ratio_budget),
            }
        )
    return rows


def growth(reads, baseline_path):
    """W1 and W2 against the same rows of a run on a tenth of the data (`--baseline`)."""
    with open(baseline_path) as handle:
        baseline = {row["id"]: row for row in json.load(handle)["reads"]}
    rows = []
    for row in reads:
        if row["id"] not in GROWTH_WORKLOADS or row["id"] not in baseline:
            continue
        before = baseline[row["id"]]
        factor = row["median_ms"] / before["median_ms"]
        rows.append(
            {
                "id": f"growth {row['id']}",
                "median_ms": row["median_ms"],
                "baseline_ms": before["median_ms"],
                "factor": round(factor, 2),
                "floor_factor": round(row["floor_ms"] / before["floor_ms"], 2),
                "budget": GROWTH_BUDGET,
                "passed": factor <= GROWTH_BUDGET,
            }
        )
    return rows


class Command(BaseCommand):
    """Runs W1 to W8 of docs/spec/PERFORMANCE.md on a seeded database (`manage.py seed_large`),
    with the connection-reuse row and, given `--baseline`, the growth rows; prints the table
    and writes it as JSON."""

    help = "Benchmark the hot endpoints against the raw-SQL floor."

    def add_arguments(self, parser):
        parser.add_argument("--rounds", type=int, default=21)
        parser.add_argument(
            "--calls", type=int, default=5, help="Requests per variant in each round (averaged)."
        )
        parser.add_argument("--keys", type=int, default=20)
        parser.add_argument("--charges", type=int, default=300)
        parser.add_argument("--output", default="bench-results.json")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument(
            "--baseline",
            help="The JSON of a run on a tenth of the data: adds the growth rows (W1, W2).",
        )
        parser.add_argument(
            "--only",
            help="Comma-separated read rows (W1,W2,conn…): run those alone, without W6 to W8.",
        )
        parser.add_argument(
            "--http",
            action="store_true",
            help="W1 and W2 over loopback HTTP: the project under gunicorn.conf.py and "
            "production settings against the raw WSGI floor, driven by wrk (bench/http.py).",
        )
        parser.add_argument(
            "--seconds", type=int, default=2, help="With --http: each wrk run's length."
        )
        parser.add_argument(
            "--connections", type=int, default=2, help="With --http: wrk's connections."
        )
        parser.add_argument(
            "--gunicorn-args",
            default="",
            help="With --http: options for both servers after gunicorn.conf.py's, e.g. "
            '"--worker-class gthread --threads 2".',
        )
        parser.add_argument(
            "--cache-url",
            help="The shared cache (throttle counters), as CACHE_URL; by default a Redis "
            "server of the run's own on loopback.",
        )
        parser.add_argument(
            "--gate",
            choices=("all", "queries"),
            default="all",
            help="`queries` fails only on query, statement and plan budgets (for the test "
            "suite, where timing ratios on a tiny data set mean nothing).",
        )

    def handle(
        self,
        *args,
        rounds,
        calls,
        keys,
        charges,
        output,
        seed,
        baseline,
        gate,
        cache_url,
        **options,
    ):
        if rounds < 3:
            raise CommandError("Use at least 3 rounds (21 for figures worth quoting).")
        users = bench_users(keys)
        if not users:
            raise CommandError("No benchmark data: run `manage.py seed_large` first.")
        rates = dict.fromkeys(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], UNTHROTTLED)
        with ExitStack() as stack:
            if cache_url is None:
                cache_url = stack.enter_context(redis_server())
            # Production serves collected static files (whitenoise); an empty directory does.
            static_root = stack.enter_context(tempfile.TemporaryDirectory())
            stack.enter_context(request_log_discarded())
            stack.enter_context(production_connection(settings.CONNECTION_REUSE))
            stack.enter_context(
                override_settings(
                    DEBUG=False,
                    ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
                    REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates},
                    CACHES=cache_settings(cache_url),
                    MIDDLEWARE=with_static_files(settings.MIDDLEWARE),
                    STATIC_ROOT=static_root,
                )
            )
            if options["http"]:
                report = self.measure_http(keys, rounds, seed, cache_url, options)
            else:
                only = options["only"].split(",") if options["only"] else []
                report = self.measure(keys, rounds, calls, charges, seed, baseline, users, only)
        if options["http"]:
            self.print_http_table(report)
        else:
            self.print_table(report)
        with open(output, "w") as handle:
            json.dump(report, handle, indent=2, default=str)
        self.stdout.write(f"Written to {output}.")
        missed = [
            row["id"]
            for part in ("reads", "growth", "writes", "plans", "admin", "http")
            for row in report.get(part, ())
            if not self.within(row, gate)
        ]
        if missed:
            raise CommandError(f"Budgets missed: {', '.join(missed)}.")

    def measure(self, keys, rounds, calls, charges, seed, baseline, users, only):
        """Every row, as production serves the requests: its middleware, its request log, its
        connection handling and its shared cache (the caller's settings, `handle`)."""
        workloads = [
            chat_messages(keys),
            usage_logs(keys),
            project_detail(keys),
            kanban_board(keys),
            feedback_list(keys),
            connection_reuse(keys),
        ]
        if only:
            workloads = [workload for workload in workloads if workload.id in only]
        reads = run_rounds(
            workloads,
            rounds=rounds,
            calls=calls,
            dsn=self.dsn(),
            seed=seed,
        )
        staff = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
            "bench-admin@bench.example", None, name="Bench admin"
        )
        report = {
            "taken_at": timezone.now().isoformat(),
            "load_average": os.getloadavg(),
            "rounds": rounds,
            "calls": calls,
            "rows": {
                model._meta.db_table: estimated_row_count(model)
                for model in (*LARGE_TABLES, Project, Chat)
            },
            "reads": reads,
            "growth": growth(reads, baseline) if baseline else [],
            "writes": [] if only else [charge_statements(users, charges)],
            "plans": [] if only else [usage_per_day_plan(users[0])],
            "admin": []
            if only
            else admin_changelists(staff, rounds=rounds, calls=calls, chooser_seed=seed),
        }
        return report

    def measure_http(self, keys, rounds, seed, cache_url, options):
        """W1, W2 and W2-empty over HTTP (bench/http.py); their floor statements are captured
        here, in-process, as for the in-process rows."""
        workloads = [chat_messages(keys), usage_logs(keys), empty_usage_page(keys)]
        for workload in workloads:
            workload.prepare()
        rows = http.run(
            workloads,
            database_url=self.database_url(),
            cache_url=cache_url,
            rounds=rounds,
            seconds=options["seconds"],
            connections=options["connections"],
            seed=seed,
            gunicorn_args=shlex.split(options["gunicorn_args"]),
        )
        return {
            "taken_at": timezone.now().isoformat(),
            "load_average": os.getloadavg(),
            "rounds": rounds,
            "seconds": options["seconds"],
            "connections": options["connections"],
            "gunicorn_args": options["gunicorn_args"],
            "page_bytes": {
                w.id: statistics.median(k.page_bytes for k in w.keys) for w in workloads
            },
            "http": rows,
        }

    def print_http_table(self, report):
        write = self.stdout.write
        write(
            f"HTTP, {report['connections']} connections, {report['rounds']} rounds of "
            f"{report['seconds']} s per server and workload, gunicorn.conf.py "
            f"{report['gunicorn_args']}; load average at the end: {report['load_average']}"
        )
        write(
            f"{'workload':<8} {'req/s':>14} {'p50 ms':>13} {'p99 ms':>13} {'CPU ms/req':>13} "
            f"{'R_floor':>8} {'p10-p90':>11} {'CPU ratio':>10} {'p10-p90':>11}  result"
        )
        for row in report["http"]:
            project, floor = row["project"], row["floor"]
            write(
                f"{row['id']:<8} "
                f"{project['requests_per_second']:>6}/{floor['requests_per_second']:<7} "
                f"{project['p50_ms']:>6}/{floor['p50_ms']:<6} "
                f"{project['p99_ms']:>6}/{floor['p99_ms']:<6} "
                f"{project['cpu_ms']:>6}/{floor['cpu_ms']:<6} "
                f"{row['ratio']:>8} {row['p10']:>5}-{row['p90']:<5} "
                f"{row['cpu_ratio']:>10} {row['cpu_p10']:>5}-{row['cpu_p90']:<5}  "
                f"{verdict(row)}, median page {report['page_bytes'][row['id']] / 1000:.1f} KB"
            )
        write("(project/floor in each pair; R_floor is the project's mean latency / the floor's)")
        rows = {row["id"]: row for row in report["http"]}
        if {"W2", "W2-empty"} <= rows.keys():
            bound = rows["W2-empty"]["project"]["cpu_ms"] / rows["W2"]["floor"]["cpu_ms"]
            write(
                f"W2-empty: the project's request path alone costs {bound:.2f}x the floor's "
                "CPU for a full W2 page"
            )

    @staticmethod
    def within(row, gate):
        if gate == "queries":
            if "query_budget" in row:
                return row["queries"] <= row["query_budget"]
            if "passed_plan" in row:
                return row["passed_plan"]
            if "factor" in row or "cpu_ratio" in row:  # growth, HTTP: timing only
                return True
        return row["passed"]

    @staticmethod
    def database_url():
        db = connection.settings_dict
        password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
        user = quote(db["USER"], safe="")
        return f"postgres://{user}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"

    @staticmethod
    def dsn():
        db = connection.settings_dict
        return f"host={db['HOST']} port={db['PORT']} dbname={db['NAME']} user={db['USER']}" + (
            f" password={db['PASSWORD']}" if db.get("PASSWORD") else ""
        )

    def print_table(self, report):
        write = self.stdout.write
        write(f"Rows: {', '.join(f'{t} {n:,}' for t, n in report['rows'].items() if n)}")
        write(f"Load average (1, 5, 15 min) at the end: {report['load_average']}")
        write(
            f"{'workload':<8} {'median ms':>10} {'floor ms':>9} {'R_floor':>8} "
            f"{'p10-p90':>12} {'queries':>8}  result"
        )
        for row in report["reads"]:
            write(
                f"{row['id']:<8} {row['median_ms']:>10} {row['floor_ms']:>9} "
                f"{row['ratio']:>8} {row['p10']:>5}-{row['p90']:<6} "
                f"{row['queries']:>4}/{row['query_budget']:<3}  "
                f"{verdict(row)}, median page {row['page_bytes'] / 1000:.1f} KB"
            )
        for row in report["growth"]:
            write(
                f"{row['id']:<8} {row['median_ms']} ms vs {row['baseline_ms']} ms on a tenth: "
                f"{row['factor']}x (floor {row['floor_factor']}x)  "
                f"{'pass' if row['passed'] else 'FAIL'} (≤ {row['budget']})"
            )
        for row in report["writes"]:
            write(
                f"{row['id']:<8} {row['statements']} statements per charge "
                f"(≤ {row['statement_budget']}), {row['charges_per_second']} charges/s  "
                f"{'pass' if row['passed'] else 'FAIL'}"
            )
        for row in report["plans"]:
            write(
                f"{row['id']:<8} {'index-backed' if row['passed'] else 'SEQ SCAN'}  "
                f"{'pass' if row['passed'] else 'FAIL'}"
            )
        for row in report["admin"]:
            write(
                f"{row['id']:<32} {row['ms']:>7} ms, {row['ratio']}x uncounted "
                f"({'≤ ' + str(row['ratio_budget']) if row['ratio_budget'] else 'not judged'}), "
                f"{row['full_counts']} full COUNT(*), "
                f"whole reads: {', '.join(row['whole_reads']) or 'none'}  "
                f"{'pass' if row['passed'] else 'FAIL'}"
            )
