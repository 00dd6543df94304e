from django.db import migrations

from config.roles import SERVICE_ACCOUNTS_GROUP, grant_to_group


class Migration(migrations.Migration):
    """ACC-9: the agent runtime's group may charge usage for any user."""

    dependencies = [("billing", "0001_initial")]

    operations = [grant_to_group(SERVICE_ACCOUNTS_GROUP, "billing", ["charge_usage"])]
