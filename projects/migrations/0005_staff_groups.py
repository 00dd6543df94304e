"""Support reads every project record and may change a project (issue 11)."""

from django.db import migrations

from config.roles import SUPPORT_GROUP, grant_to_group


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0004_audit_history"),
    ]

    operations = [
        grant_to_group(
            SUPPORT_GROUP,
            "projects",
            [
                "view_project",
                "view_container",
                "view_containerconnection",
                "view_browserpreview",
                "view_deploymentcredential",
                "view_gitprovidercredential",
                "view_projectfile",
                "view_projectasset",
                "view_projectsnapshot",
                "view_deployment",
                "change_project",
            ],
        ),
    ]
