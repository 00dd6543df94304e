from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts.models import AccessToken


class Command(BaseCommand):
    """ACC-21: deletes expired access tokens. Idempotent; run it daily from cron."""

    help = "Delete expired access tokens."

    def handle(self, *args, **options):
        deleted, _ = AccessToken.objects.filter(expires_at__lte=timezone.now()).delete()
        self.stdout.write(f"Deleted {deleted} expired access tokens.")
