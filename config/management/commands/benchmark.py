import json
import time
from datetime import UTC, timedelta
from itertools import count

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import AccessToken, User
from billing.models import UsageLog
from billing.services.credits import Charge, credits_charge
from config.admin import EXACT_COUNT_BELOW, estimated_row_count
from config.benchmark import CONTROL, Key, Workload, run_rounds
from projects.models import Project

UNTHROTTLED = "100000000/min"
request_ids = count()


def bench_users(limit):
    return list(User.objects.filter(email__startswith="bench").order_by("email")[:limit])


def client_for(user):
    _, raw = AccessToken.issue(user=user, ttl=timedelta(hours=2), name="benchmark")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def project_detail(keys):
    projects = Project.objects.filter(slug__startswith="bench-project-").select_related("owner")[
        :keys
    ]
    return Workload(
        "W3",
        "project detail with containers and connections",
        4.0,
        1 + 4,
        [Key(client_for(p.owner), f"/api/v1/projects/{p.pk}/") for p in projects],
    )


def feedback_list(keys):
    return Workload(
        "W5",
        "feedback posts with upvote and comment counts",
        4.0,
        1 + 2 + 2,
        [
            Key(client_for(user), "/api/v1/feedback/posts/?ordering=-upvote_count")
            for user in bench_users(keys)
        ],
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


def usage_per_day_plan(user):
    """W7: credits spent per day over 30 days for one user; the plan must use an index."""
    queryset = (
        UsageLog.objects.filter(user=user, created_at__gte=timezone.now() - timedelta(days=30))
        .annotate(day=TruncDate("created_at", tzinfo=UTC))
        .values("day")
        .annotate(calls=Count("id"), credits=Sum("credits_charged"))
        .order_by("day")
    )
    plan = queryset.explain()
    return {
        "id": "W7",
        "title": "usage per day over 30 days",
        "queries": 1,
        "seq_scan": "Seq Scan on billing_usagelog" in plan,
        "passed": "Seq Scan on billing_usagelog" not in plan,
        "plan": plan,
    }


def admin_users(staff):
    """W8: the users changelist, unfiltered and searched, without a full COUNT(*) once the
    table is large (small tables are counted exactly, on purpose: config.admin)."""
    large = (estimated_row_count(User) or 0) >= EXACT_COUNT_BELOW
    client = Client()
    client.force_login(staff)
    results = []
    for label, url in (
        ("list", "/admin/accounts/user/"),
        ("search", "/admin/accounts/user/?q=bench_12"),
    ):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
        counts = [
            q["sql"]
            for q in captured
            if "COUNT(" in q["sql"].upper()
            and "accounts_user" in q["sql"]
            and "WHERE" not in q["sql"].upper()
        ]
        results.append(
            {
                "id": f"W8 users {label}",
                "status": response.status_code,
                "ms": round(elapsed * 1000, 1),
                "large_table": large,
                "full_counts": len(counts),
                "passed": response.status_code == 200 and not (large and counts),
            }
        )
    return results


class Command(BaseCommand):
    """Runs W3, W5, W6, W7 and W8 (users) of spec/PERFORMANCE.md on a seeded database
    (`manage.py seed_large`), prints the table and writes it as JSON."""

    help = "Benchmark the hot endpoints against the raw-SQL floor."

    def add_arguments(self, parser):
        parser.add_argument("--rounds", type=int, default=21)
        parser.add_argument("--keys", type=int, default=20)
        parser.add_argument("--charges", type=int, default=300)
        parser.add_argument("--output", default="bench-results.json")
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument(
            "--gate",
            choices=("all", "queries"),
            default="all",
            help="`queries` fails only on query, statement and plan budgets (for the test "
            "suite, where timing ratios on a tiny data set mean nothing).",
        )

    def handle(self, *args, rounds, keys, charges, output, seed, gate, **options):
        if rounds < 3:
            raise CommandError("Use at least 3 rounds (21 for figures worth quoting).")
        users = bench_users(keys)
        if not users:
            raise CommandError("No benchmark data: run `manage.py seed_large` first.")
        rates = dict.fromkeys(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], UNTHROTTLED)
        with override_settings(
            DEBUG=False,
            ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
            REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates},
        ):
            reads = run_rounds(
                [project_detail(keys), feedback_list(keys)],
                rounds=rounds,
                dsn=self.dsn(),
                seed=seed,
            )
            staff = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
                "bench-admin@bench.example", None, name="Bench admin"
            )
            report = {
                "taken_at": timezone.now().isoformat(),
                "rounds": rounds,
                "rows": {"users": User.objects.count(), "usage_logs": UsageLog.objects.count()},
                "reads": reads,
                "writes": [charge_statements(users, charges)],
                "plans": [usage_per_day_plan(users[0])],
                "admin": admin_users(staff),
            }
        self.print_table(report)
        with open(output, "w") as handle:
            json.dump(report, handle, indent=2, default=str)
        self.stdout.write(f"Written to {output}.")
        missed = [
            row["id"]
            for part in ("reads", "writes", "plans", "admin")
            for row in report[part]
            if not self.within(row, gate)
        ]
        if missed:
            raise CommandError(f"Budgets missed: {', '.join(missed)}.")

    @staticmethod
    def within(row, gate):
        if gate == "queries" and "query_budget" in row:
            return row["queries"] <= row["query_budget"]
        return row["passed"]

    @staticmethod
    def dsn():
        db = connection.settings_dict
        return f"host={db['HOST']} port={db['PORT']} dbname={db['NAME']} user={db['USER']}" + (
            f" password={db['PASSWORD']}" if db.get("PASSWORD") else ""
        )

    def print_table(self, report):
        write = self.stdout.write
        write(
            f"{'workload':<6} {'median ms':>10} {'floor ms':>9} {'R_floor':>8} "
            f"{'p10-p90':>12} {'queries':>8}  result"
        )
        for row in report["reads"]:
            write(
                f"{row['id']:<6} {row['median_ms']:>10} {row['floor_ms']:>9} "
                f"{row['ratio']:>8} {row['p10']:>5}-{row['p90']:<6} "
                f"{row['queries']:>4}/{row['query_budget']:<3}  "
                f"{'pass' if row['passed'] else 'FAIL'} (≤ {row['ratio_budget']})"
            )
        for row in report["writes"]:
            write(
                f"{row['id']:<6} {row['statements']} statements per charge "
                f"(≤ {row['statement_budget']}), {row['charges_per_second']} charges/s  "
                f"{'pass' if row['passed'] else 'FAIL'}"
            )
        for row in report["plans"]:
            write(
                f"{row['id']:<6} {'index-backed' if row['passed'] else 'SEQ SCAN'}  "
                f"{'pass' if row['passed'] else 'FAIL'}"
            )
        for row in report["admin"]:
            write(
                f"{row['id']:<16} {row['ms']} ms, {row['full_counts']} full COUNT(*)  "
                f"{'pass' if row['passed'] else 'FAIL'}"
            )
