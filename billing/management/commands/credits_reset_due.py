from django.core.management.base import BaseCommand

from billing.models import LedgerEntryType
from billing.services.credits import credits_reset_user, users_due_for_reset

BATCH_SIZE = 500


class Command(BaseCommand):
    """BIL-5, hourly: daily refills, signup-bonus expiry and bundled refills that are due.

    Each user is reset under its own row lock and re-checked there, so two overlapping runs
    cannot reset anyone twice, and a second run right after the first changes nothing.
    """

    help = "Reset the credit buckets that are due (daily, bundled, signup bonus expiry)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args, batch_size=BATCH_SIZE, **options):
        counts = dict.fromkeys(
            (
                LedgerEntryType.DAILY_RESET,
                LedgerEntryType.BONUS_EXPIRY,
                LedgerEntryType.BUNDLED_RESET,
            ),
            0,
        )
        users = 0
        due = users_due_for_reset().order_by("pk").values_list("pk", flat=True)
        last = None
        while True:
            batch = list((due.filter(pk__gt=last) if last else due)[:batch_size])
            if not batch:
                break
            for user_id in batch:
                for entry in credits_reset_user(user_id=user_id):
                    counts[entry.entry_type] += 1
                users += 1
            last = batch[-1]
        self.stdout.write(
            f"Checked {users} users: {counts['daily_reset']} daily resets, "
            f"{counts['bundled_reset']} bundled resets, {counts['bonus_expiry']} bonus expiries."
        )
