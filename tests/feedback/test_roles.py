"""The Moderators group created by the feedback data migration (DATA_MODEL.md §8.1, ACC-9)."""

import pytest
from django.contrib.auth.models import Group

from config.roles import MODERATORS_GROUP

pytestmark = pytest.mark.django_db


def test_moderators_group_holds_exactly_the_feedback_moderation_permissions():
    group = Group.objects.get(name=MODERATORS_GROUP)
    granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
    feedback = {name for name in granted if name.startswith("feedback.")}
    assert feedback == {
        "feedback.moderate_feedback",
        "feedback.view_feedbackpost",
        "feedback.change_feedbackpost",
        "feedback.view_feedbackcomment",
        "feedback.change_feedbackcomment",
        "feedback.add_feedbackcomment",
        "feedback.view_feedbackupvote",
        "feedback.view_feedbackmoderationdecision",
    }


def test_group_members_and_superusers_are_moderators(moderator, superuser, user, staff_user):
    assert moderator.is_moderator and superuser.is_moderator
    assert not user.is_moderator and not staff_user.is_moderator
