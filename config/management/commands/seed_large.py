import time
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from config.large_data import Seeder, Sizes


class Command(BaseCommand):
    """Seeds the benchmark data set (spec/PERFORMANCE.md) into an empty-ish database.

    `--scale 1` is the full set (10k users, 50k projects, 1M usage logs with their ledger,
    10k feedback posts, …); `--scale 0.1` one tenth. Rows are marked `bench` so a second run
    refuses instead of doubling them. Ends with VACUUM ANALYZE so plans see the real sizes.
    """

    help = "Seed the large benchmark data set."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0)

    def handle(self, *args, scale=1.0, **options):
        if scale <= 0:
            raise CommandError("--scale must be positive.")
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM accounts_user WHERE email LIKE 'bench%%' LIMIT 1")
            if cursor.fetchone():
                raise CommandError("The benchmark data set is already seeded here.")
        sizes = Sizes(scale)
        seeder = Seeder(sizes, self.stdout)
        started = time.perf_counter()
        with transaction.atomic():
            for app_config in apps.get_app_configs():
                module = f"{app_config.name}.seeding"
                if find_spec(app_config.name) and find_spec(module):
                    self.stdout.write(f"{app_config.label}:")
                    import_module(module).seed(seeder)
        self.stdout.write("VACUUM ANALYZE …")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        self.stdout.write(f"Seeded at scale {scale} in {time.perf_counter() - started:.0f} s.")
