import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from config.roles import MODERATORS_GROUP
from tests.factories import UserFactory
from tests.feedback.factories import FeedbackCommentFactory, FeedbackPostFactory


@pytest.fixture
def author(user):
    """The author of `post`, `hidden_post`, `comment` and `hidden_comment`."""
    return user


@pytest.fixture
def post(author):
    return FeedbackPostFactory(user=author)


@pytest.fixture
def hidden_post(author):
    return FeedbackPostFactory(user=author, hidden=True)


@pytest.fixture
def comment(author, post):
    return FeedbackCommentFactory(user=author, feedback=post)


@pytest.fixture
def hidden_comment(author, post):
    return FeedbackCommentFactory(user=author, feedback=post, hidden=True)


@pytest.fixture
def moderator_staff(db):
    """A moderator who also uses admin: staff with only the Moderators group's permissions."""
    member = UserFactory(staff=True)
    member.groups.add(Group.objects.get(name=MODERATORS_GROUP))
    return member


@pytest.fixture
def as_user(client_for):
    """`as_user(u)`: an API client for `u`, or an anonymous one for None."""
    return lambda member: APIClient() if member is None else client_for(member)
