from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from accounts.models import EmailVerificationCode

KEEP_FOR = timedelta(hours=24)


class Command(BaseCommand):
    """ACC-35: deletes one-time codes older than 24 hours. Idempotent; run it from cron."""

    help = "Delete one-time email codes older than 24 hours."

    def handle(self, *args, **options):
        cutoff = timezone.now() - KEEP_FOR
        deleted, _ = EmailVerificationCode.objects.filter(created_at__lt=cutoff).delete()
        self.stdout.write(f"Deleted {deleted} one-time codes older than 24 hours.")
