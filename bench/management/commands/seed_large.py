import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection, transaction

from bench.large_data import Seeder, Sizes, accounts, billing, chat, feedback, kanban, projects

# In app order, owners before what they own: each part reads the rows the ones before it wrote.
PARTS = (accounts, projects, chat, billing, kanban, feedback)


class Command(BaseCommand):
    """Seeds the benchmark data set (docs/spec/PERFORMANCE.md) into an empty-ish database.

    `--scale 1` is the full set (10k users, 50k projects, 2M messages, 1M usage logs with their
    ledger, 1,000 kanban boards of 300 tasks, 10k feedback posts, …); `--scale 0.1` one tenth.
    Rows are marked `bench` so a second run refuses instead of doubling them (`--if-empty`:
    does nothing instead). Ends with VACUUM ANALYZE so plans see the real sizes.
    """

    help = "Seed the large benchmark data set."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing, successfully, when the data set is already there (`make bench`).",
        )

    def handle(self, *args, scale=1.0, if_empty=False, **options):
        if scale <= 0:
            raise CommandError("--scale must be positive.")
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM accounts_user WHERE email LIKE 'bench%%' LIMIT 1")
            if cursor.fetchone():
                if if_empty:
                    self.stdout.write("The benchmark data set is already seeded here.")
                    return
                raise CommandError("The benchmark data set is already seeded here.")
        sizes = Sizes(scale)
        seeder = Seeder(sizes, self.stdout)
        started = time.perf_counter()
        with transaction.atomic():
            with connection.cursor() as cursor:
                # The ledger's running balances sort a million rows: in memory, not on disk.
                cursor.execute("SET LOCAL work_mem = '256MB'")
            self.skip_foreign_key_checks()
            for part in PARTS:
                self.stdout.write(f"{part.__name__.rpartition('.')[2]}:")
                part.seed(seeder)
        self.stdout.write("VACUUM ANALYZE …")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        self.stdout.write(f"Seeded at scale {scale} in {time.perf_counter() - started:.0f} s.")

    def skip_foreign_key_checks(self):
        """The seeded rows reference only rows seeded before them, so checking millions of
        deferred foreign keys one by one at COMMIT (minutes at full size) proves nothing.
        A superuser (the project-local server) skips them for this transaction; anyone else
        seeds with the checks, only slower."""
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
        except DatabaseError:
            self.stdout.write("Foreign keys are checked at COMMIT (not a superuser): slower.")
