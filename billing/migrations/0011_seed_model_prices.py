"""The model price catalogue starts from the prices that were a settings constant, so usage
costs what it cost before the deploy (billing.catalogue). The Billing group keeps it from here
on (BIL-75)."""

from django.db import migrations

from billing.catalogue import seed_catalogue
from config.roles import BILLING_GROUP, grant_to_group


def seed(apps, schema_editor):
    seed_catalogue(apps.get_model("billing", "ModelPrice"))


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0010_model_prices"),
    ]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        grant_to_group(
            BILLING_GROUP,
            "billing",
            ["view_modelprice", "add_modelprice", "change_modelprice"],
        ),
    ]
