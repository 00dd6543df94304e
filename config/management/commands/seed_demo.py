from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Command(BaseCommand):
    """Loads demo data for the run command: each app's `demo.seed(stdout)`, in app order.

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
            for app_config in apps.get_app_configs():
                module_name = f"{app_config.name}.demo"
                if find_spec(app_config.name) and find_spec(module_name):
                    import_module(module_name).seed(self.stdout)
