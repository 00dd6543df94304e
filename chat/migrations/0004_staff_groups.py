"""Support reads chats, shell sessions and command logs, not the messages: what people
say to their agents stays theirs (issue 11).
"""

from django.db import migrations

from config.roles import SUPPORT_GROUP, grant_to_group


class Migration(migrations.Migration):
    dependencies = [
        ("chat", "0003_audit_history"),
    ]

    operations = [
        grant_to_group(
            SUPPORT_GROUP, "chat", ["view_chat", "view_shellsession", "view_agentcommandlog"]
        ),
    ]
