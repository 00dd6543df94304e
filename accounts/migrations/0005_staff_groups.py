"""The staff groups' permissions on accounts, and on the audit history (issue 11).

Support and Billing both change users: support fixes profiles and deactivates, billing
changes tiers (which is `change_user`). Every staff group reads the audit history.
"""

from django.db import migrations

from config.roles import BILLING_GROUP, CURATORS_GROUP, SUPPORT_GROUP, grant_to_group


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_audit_history"),
        ("pghistory", "0007_auto_20250421_0444"),
    ]

    operations = [
        grant_to_group(
            SUPPORT_GROUP,
            "accounts",
            [
                "view_user",
                "change_user",
                "view_accesstoken",
                "delete_accesstoken",
                "view_oauthaccount",
                "view_emailverificationcode",
            ],
        ),
        grant_to_group(BILLING_GROUP, "accounts", ["view_user", "change_user"]),
        grant_to_group(SUPPORT_GROUP, "pghistory", ["view_events"]),
        grant_to_group(BILLING_GROUP, "pghistory", ["view_events"]),
        grant_to_group(CURATORS_GROUP, "pghistory", ["view_events"]),
    ]
