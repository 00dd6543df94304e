from django.core.management.base import BaseCommand

from projects import conf, services


class Command(BaseCommand):
    """PRJ-63: snapshot rows marked `deleted` long enough ago go for good."""

    help = "Remove snapshot rows deleted more than SNAPSHOT_PURGE_DAYS (30) days ago."

    def handle(self, *args, **options):
        purged = services.snapshots_purge_deleted()
        days = conf.get("SNAPSHOT_PURGE_DAYS")
        self.stdout.write(f"Purged {purged} snapshot(s) deleted over {days} days ago.")
