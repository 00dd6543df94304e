from datetime import timedelta

from django.core.management.base import BaseCommand

from chat import conf, services


class Command(BaseCommand):
    """CHT-45: active runs with no transition for RUN_STALE_MINUTES become `failed` (`stale`).
    One UPDATE: idempotent, and two overlapping sweeps fail each run once."""

    help = "Fail agent runs that reported nothing for over RUN_STALE_MINUTES."

    def handle(self, *args, **options):
        minutes = conf.get("RUN_STALE_MINUTES")
        failed = services.runs_fail_stale(idle_for=timedelta(minutes=minutes))
        self.stdout.write(f"Failed {failed} run(s) idle for over {minutes} minutes.")
