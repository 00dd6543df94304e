"""Marketplace curators run the catalogue; support sees what users bought (issue 11)."""

from django.db import migrations

from config.roles import CURATORS_GROUP, SUPPORT_GROUP, grant_to_group


class Migration(migrations.Migration):
    dependencies = [
        ("marketplace", "0002_audit_history"),
    ]

    operations = [
        grant_to_group(
            CURATORS_GROUP,
            "marketplace",
            [
                "view_marketplaceagent",
                "add_marketplaceagent",
                "change_marketplaceagent",
                "view_marketplacebase",
                "add_marketplacebase",
                "change_marketplacebase",
                "view_workflowtemplate",
                "add_workflowtemplate",
                "change_workflowtemplate",
                "view_agentreview",
                "delete_agentreview",
                "view_basereview",
                "delete_basereview",
                "view_agentcoinstall",
                "view_userpurchasedagent",
                "view_userpurchasedbase",
            ],
        ),
        grant_to_group(
            SUPPORT_GROUP, "marketplace", ["view_userpurchasedagent", "view_userpurchasedbase"]
        ),
    ]
