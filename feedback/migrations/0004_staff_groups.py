"""Support reads the feedback board; moderating stays with the Moderators (issue 11)."""

from django.db import migrations

from config.roles import SUPPORT_GROUP, grant_to_group


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0003_audit_history"),
    ]

    operations = [
        grant_to_group(SUPPORT_GROUP, "feedback", ["view_feedbackpost", "view_feedbackcomment"]),
    ]
