"""The agent runtime records runs and summaries in any user's chat (ACC-9; `chat.record_runs`
and the existing `chat.record_messages`). Support reads runs and bookmarks, and cancels or
fails stuck runs (`chat.stop_runs`); not the summaries, which retell what people said to their
agents (issue 11)."""

from django.db import migrations

from config.roles import SERVICE_ACCOUNTS_GROUP, SUPPORT_GROUP, grant_to_group


class Migration(migrations.Migration):
    dependencies = [
        ("chat", "0007_runs_summaries_attachments_bookmarks"),
    ]

    operations = [
        grant_to_group(SERVICE_ACCOUNTS_GROUP, "chat", ["record_runs"]),
        grant_to_group(SUPPORT_GROUP, "chat", ["view_agentrun", "view_chatbookmark", "stop_runs"]),
    ]
