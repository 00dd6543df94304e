from django.core.management.base import BaseCommand

from projects import conf, services


class Command(BaseCommand):
    """PRJ-6: projects stuck stopping or starting move to `error`, where the owner can retry."""

    help = "Move projects stopping or starting for over PROJECT_STUCK_MINUTES to error."

    def handle(self, *args, **options):
        moved = services.projects_fail_stuck()
        minutes = conf.get("PROJECT_STUCK_MINUTES")
        self.stdout.write(f"Marked {moved} project(s) stuck for over {minutes} minutes as error.")
