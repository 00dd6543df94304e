"""Billing and Support read subscriptions: support answers "why is this user on free?"
(EXTENSIONS.md §13). Nobody changes them in admin: the webhooks write them (BIL-77)."""

from django.db import migrations

from config.roles import BILLING_GROUP, SUPPORT_GROUP, grant_to_group


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0012_subscriptions"),
    ]

    operations = [
        grant_to_group(BILLING_GROUP, "billing", ["view_subscription"]),
        grant_to_group(SUPPORT_GROUP, "billing", ["view_subscription"]),
    ]
