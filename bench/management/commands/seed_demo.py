from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from bench.demo import accounts, billing, chat, feedback, kanban, marketplace, projects

# In app order: each part builds on the demo users and the rows of the parts before it.
PARTS = (accounts, projects, chat, marketplace, billing, kanban, feedback)


class Command(BaseCommand):
    """Loads demo data for the run command: each part's `seed(stdout)` (bench/demo/), in app
    order.

    Idempotent (every app's seed gets or creates), and for development only.
    """

    help = "Load the demo data set (idempotent; development only)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG off (never in production)."
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("seed_demo creates a known admin login: it runs only with DEBUG on.")
        with transaction.atomic():
            for part in PARTS:
                part.seed(self.stdout)
