"""The Moderators group and its feedback permissions (DATA_MODEL.md §8.1, ACC-9).

Beyond the spec's list, moderators may also view the moderation record, so that the people who
make the decisions can read their history in admin.
"""

from django.db import migrations

from config.roles import MODERATORS_GROUP, grant_to_group

MODERATOR_PERMISSIONS = [
    "moderate_feedback",
    "view_feedbackpost",
    "change_feedbackpost",
    "view_feedbackcomment",
    "change_feedbackcomment",
    "add_feedbackcomment",
    "view_feedbackupvote",
    "view_feedbackmoderationdecision",
]


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("feedback", "0001_initial"),
    ]

    operations = [grant_to_group(MODERATORS_GROUP, "feedback", MODERATOR_PERMISSIONS)]
