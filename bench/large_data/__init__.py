"""The large data set of docs/spec/PERFORMANCE.md, written with `INSERT … SELECT generate_series`.

Each app's tables are written by a module of this package named after the app, with
`seed(seeder)`; `manage.py seed_large` runs them in app order (owners before what they own).
Rows are realistic enough for the planner: skewed owners, spread timestamps, real JSON, and
money rows that keep the ledger invariant.
"""

import time
from dataclasses import dataclass

from django.db import connection

BAR_WIDTH = 30


@dataclass(frozen=True)
class Sizes:
    """Row counts at `scale` (1.0 is the full data set of PERFORMANCE.md)."""

    scale: float

    def of(self, full):
        return max(1, int(full * self.scale))

    @property
    def users(self):
        return self.of(10_000)

    @property
    def projects(self):
        return self.of(50_000)

    @property
    def messages(self):
        return self.of(2_000_000)

    @property
    def agent_runs(self):
        return self.of(200_000)

    @property
    def usage_logs(self):
        return self.of(1_000_000)

    @property
    def feedback_posts(self):
        return self.of(10_000)

    @property
    def kanban_boards(self):
        """Boards of a few hundred tasks each (`bench.large_data.kanban.TASKS_PER_BOARD`)."""
        return self.of(1_000)


class Seeder:
    """Runs one app's statements with a progress line each, inside the command's cursor."""

    def __init__(self, sizes, stdout):
        self.sizes = sizes
        self.stdout = stdout

    def run(self, label, sql, params=None):
        started = time.perf_counter()
        self.stdout.write(f"  {label} …", ending="")
        self.stdout.flush()
        with connection.cursor() as cursor:
            cursor.execute(sql, params or {})
            count = cursor.rowcount
        self.stdout.write(f" {count:,} rows in {time.perf_counter() - started:.1f} s")
        return count

    def run_in_batches(self, label, sql, total, params=None, batches=20):
        """`sql` once per slice of `1..total`, given as `%(first)s` and `%(last)s`, with a
        progress bar: for the tables of millions of rows."""
        started = time.perf_counter()
        batches = max(1, min(batches, total))
        count = 0
        for batch in range(batches):
            first = total * batch // batches + 1
            last = total * (batch + 1) // batches
            with connection.cursor() as cursor:
                cursor.execute(sql, {**(params or {}), "first": first, "last": last})
                count += cursor.rowcount
            done = (batch + 1) * BAR_WIDTH // batches
            self.stdout.write(
                f"\r  {label} [{'#' * done}{'.' * (BAR_WIDTH - done)}] "
                f"{count:,} rows, {time.perf_counter() - started:.1f} s",
                ending="",
            )
            self.stdout.flush()
        self.stdout.write("")
        return count
