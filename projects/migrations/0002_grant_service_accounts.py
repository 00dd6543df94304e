"""Gives the `Service accounts` group `projects.report_runtime_state` (ACC-9): the agent
runtime reports environment, container, snapshot and deployment state for any project."""

from django.db import migrations

from config.roles import SERVICE_ACCOUNTS_GROUP, grant_to_group


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("projects", "0001_initial"),
    ]

    operations = [
        grant_to_group(SERVICE_ACCOUNTS_GROUP, "projects", ["report_runtime_state"]),
    ]
