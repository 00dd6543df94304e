"""Gives the `Service accounts` group the chat service permissions (ACC-9): the agent runtime
records messages and command logs, and manages shell sessions, in any user's project."""

from django.db import migrations

from config.roles import SERVICE_ACCOUNTS_GROUP, grant_to_group


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("chat", "0001_initial"),
    ]

    operations = [
        grant_to_group(
            SERVICE_ACCOUNTS_GROUP,
            "chat",
            ["record_messages", "record_command_logs", "manage_shell_sessions"],
        ),
    ]
