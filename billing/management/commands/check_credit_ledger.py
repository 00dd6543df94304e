from django.core.management.base import BaseCommand, CommandError

from billing.ledger import ledger_mismatches


class Command(BaseCommand):
    """BIL-3: compares every user's credit buckets with their ledger; non-zero exit on any
    mismatch. Read-only, so safe to run at any time and concurrently."""

    help = "Check that every user's credit buckets equal their ledger."

    def handle(self, *args, **options):
        mismatches = ledger_mismatches()
        for user_id, email, bucket, balance, total, latest in mismatches:
            self.stdout.write(
                f"{email} ({user_id}) {bucket}: bucket {balance}, ledger sum {total}, "
                f"latest balance_after {latest}"
            )
        if mismatches:
            raise CommandError(f"{len(mismatches)} bucket(s) differ from the ledger.")
        self.stdout.write("Every bucket equals its ledger.")
