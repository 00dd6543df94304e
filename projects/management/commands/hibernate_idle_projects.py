from django.core.management.base import BaseCommand

from projects import conf, services


class Command(BaseCommand):
    """PRJ-6, run every 5 minutes: idle `active` projects start stopping."""

    help = "Move projects idle for PROJECT_IDLE_MINUTES from active to stopping."

    def handle(self, *args, **options):
        moved = services.projects_hibernate_idle()
        minutes = conf.get("PROJECT_IDLE_MINUTES")
        self.stdout.write(f"Hibernating {moved} project(s) idle for over {minutes} minutes.")
