from django.core.management.base import BaseCommand

from marketplace import services


class Command(BaseCommand):
    """MKT-22, run daily: subscriptions past their paid period stop granting access."""

    help = "Deactivate agent subscriptions past expires_at and switch off their project agents."

    def handle(self, *args, **options):
        expired, disabled = services.subscriptions_expire()
        self.stdout.write(
            f"Expired {expired} subscription(s); disabled {disabled} project agent(s)."
        )
