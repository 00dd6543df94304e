"""Billing staff read and correct money; support reads a user's purchases, usage and ledger to
answer 'where did my credits go' (issue 11).
"""

from django.db import migrations

from config.roles import BILLING_GROUP, SUPPORT_GROUP, grant_to_group


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0004_audit_history"),
    ]

    operations = [
        grant_to_group(
            BILLING_GROUP,
            "billing",
            [
                "view_creditledgerentry",
                "view_stripeevent",
                "view_creditpurchase",
                "view_usagelog",
                "view_marketplacetransaction",
                "view_userapikey",
                "view_usercustommodel",
                "adjust_credits",
                "change_usagelog",
                "change_stripeevent",
                "refund_marketplacetransaction",
                "manage_payouts",
                "change_userapikey",
            ],
        ),
        grant_to_group(
            SUPPORT_GROUP,
            "billing",
            ["view_creditledgerentry", "view_creditpurchase", "view_usagelog"],
        ),
    ]
