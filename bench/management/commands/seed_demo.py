from collections import Counter

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from pghistory.models import Event

from bench.demo import accounts, billing, chat, feedback, kanban, marketplace, projects

# In app order: each part builds on the demo users and the rows of the parts before it.
PARTS = (accounts, projects, chat, marketplace, billing, kanban, feedback)


def row_counts():
    """Rows per table of the demo's apps (audit events aside: they follow the rows)."""
    labels = {part.__name__.rsplit(".", 1)[-1] for part in PARTS}
    return Counter(
        {
            model._meta.verbose_name_plural: model.objects.count()
            for model in apps.get_models()
            if model._meta.app_label in labels and not issubclass(model, Event)
        }
    )


def created_summary(created):
    """What this run added, so that a second run does not read as if it loaded the data."""
    if not created:
        return "Nothing created: the demo data was already there."
    rows = ", ".join(f"{count} {name}" for name, count in sorted(created.items()))
    return f"Created {rows}."


class Command(BaseCommand):
    """Loads demo data for the run command: each part's `seed(stdout)` (bench/demo/), in app
    order, then says what it created (the parts' lines describe what the demo holds).

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
            before = row_counts()
            for part in PARTS:
                part.seed(self.stdout)
            created = row_counts() - before  # Counter subtraction keeps what grew
        self.stdout.write(created_summary(created))
