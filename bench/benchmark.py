"""The benchmark of docs/spec/PERFORMANCE.md: each read workload through the whole Django stack
against its floor, the same SQL through raw psycopg with the rows dumped by orjson.

A workload has rotating keys (a user and a URL each); for every key the Django request runs
once under `CaptureQueriesContext`, and those exact statements are the floor for that key.
Rounds interleave every workload's two variants in a shuffled order; each round gives one
ratio per workload (Django time / floor time for the same key), reported as a median with
its p10 to p90.
"""

import logging
import os
import random
import statistics
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

import orjson
import psycopg
from django.db import close_old_connections, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from config.logging import JsonFormatter

CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


@dataclass
class Key:
    client: Client
    url: str
    statements: list = field(default_factory=list)
    page_bytes: int = 0

    @property
    def authorization(self):
        return self.client.defaults["HTTP_AUTHORIZATION"]


@dataclass
class Workload:
    id: str
    title: str
    ratio_budget: float
    query_budget: int
    keys: list
    http_budget: float = None
    django_times: list = field(default_factory=list)
    floor_times: list = field(default_factory=list)
    ratios: list = field(default_factory=list)
    queries: int = 0

    def prepare(self):
        """Warms each key up, then captures its SQL from one Django run.

        The first request of a fresh token also stamps `last_used_at`; that write is not
        part of the workload, so it happens before the capture.
        """
        for key in self.keys:
            key.client.get(key.url)
            close_old_connections()
            with CaptureQueriesContext(connection) as captured:
                response = key.client.get(key.url)
            if response.status_code != 200:
                raise RuntimeError(f"{self.id}: {key.url} answered {response.status_code}")
            key.statements = [q["sql"] for q in captured if not q["sql"].startswith(CONTROL)]
            key.page_bytes = len(response.content)
        self.queries = max(len(key.statements) for key in self.keys)

    @staticmethod
    def run_django(key):
        """One request as Django's request handler serves it: the test client leaves
        `close_old_connections` out of its request signals, so it runs here before and after
        (the health check of production's connections, PERFORMANCE.md "Connections")."""
        started = time.perf_counter()
        close_old_connections()
        response = key.client.get(key.url)
        response.content  # noqa: B018 - rendering is part of the work
        close_old_connections()
        return time.perf_counter() - started

    @staticmethod
    def run_floor(key, raw):
        started = time.perf_counter()
        with raw.cursor(row_factory=psycopg.rows.dict_row) as cursor:
            for sql in key.statements:
                cursor.execute(sql.encode())
                rows = cursor.fetchall() if cursor.description else []
                orjson.dumps(rows, default=str)
        return time.perf_counter() - started

    def summary(self):
        ratios = sorted(self.ratios)
        deciles = statistics.quantiles(ratios, n=10) if len(ratios) > 1 else ratios * 9
        median = statistics.median(ratios)
        return {
            "id": self.id,
            "title": self.title,
            "median_ms": round(statistics.median(self.django_times) * 1000, 2),
            "floor_ms": round(statistics.median(self.floor_times) * 1000, 2),
            "ratio": round(median, 2),
            "p10": round(deciles[0], 2),
            "p90": round(deciles[-1], 2),
            "queries": self.queries,
            "page_bytes": statistics.median(key.page_bytes for key in self.keys),
            "query_budget": self.query_budget,
            "ratio_budget": self.ratio_budget,
            "passed": median <= self.ratio_budget and self.queries <= self.query_budget,
        }


class ConnectionReuse(Workload):
    """The same requests with production's connection handling (`settings.CONNECTION_REUSE`:
    a maximum age and a health check at the start of each request, as every workload runs
    under `production_connection()`) against a connection forced to persist (no age, no
    check): "the floor" of this row is the forced connection."""

    def run_floor(self, key, raw):
        connection.ensure_connection()
        saved = connection.close_at, connection.health_check_enabled
        connection.close_at, connection.health_check_enabled = None, False
        try:
            return self.run_django(key)
        finally:
            connection.close_at, connection.health_check_enabled = saved


@contextmanager
def production_connection(reuse):
    """Reconnects under production's connection settings (`reuse`: `CONN_MAX_AGE` with health
    checks), so the connection's age and check are theirs; puts the caller's back after."""
    saved = {name: connection.settings_dict.get(name) for name in reuse}
    connection.close()
    connection.settings_dict.update(reuse)
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)


@contextmanager
def request_log_discarded():
    """The request log stays on, one JSON line per request as production writes it, into
    /dev/null: thousands of lines would bury the table. The lines are still formatted."""
    handlers = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]
    saved = [(handler, handler.stream, handler.formatter) for handler in handlers]
    with open(os.devnull, "w") as devnull:
        for handler in handlers:
            handler.setStream(devnull)
            handler.setFormatter(JsonFormatter())
        try:
            yield
        finally:
            for handler, stream, formatter in saved:
                handler.setStream(stream)
                handler.setFormatter(formatter)


def run_rounds(workloads, *, rounds, dsn, seed=None, calls=1):
    """Interleaved rounds with shuffled order; keys rotate so no cache helps one key.

    In a round each variant of each workload runs `calls` times in a row over the same keys,
    and its time is their mean: a single request on a shared machine is mostly noise.
    """
    chooser = random.Random(seed)  # noqa: S311 - shuffling, not secrets
    with psycopg.connect(dsn, autocommit=True) as raw:
        for workload in workloads:
            workload.prepare()
        for number in range(rounds):
            order = [(w, variant) for w in workloads for variant in ("django", "floor")]
            chooser.shuffle(order)
            timings = {}
            for workload, variant in order:
                total = 0.0
                for call in range(calls):
                    key = workload.keys[(number * calls + call) % len(workload.keys)]
                    if variant == "django":
                        total += workload.run_django(key)
                    else:
                        total += workload.run_floor(key, raw)
                timings[workload.id, variant] = total / calls
            for workload in workloads:
                django_time = timings[workload.id, "django"]
                floor_time = timings[workload.id, "floor"]
                workload.django_times.append(django_time)
                workload.floor_times.append(floor_time)
                workload.ratios.append(django_time / floor_time)
    return [workload.summary() for workload in workloads]
