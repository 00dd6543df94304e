"""Feedback rows in valid default states. Upvotes go through the service, so counts stay exact."""

import factory
from django.utils import timezone

from feedback.models import FeedbackComment, FeedbackPost, FeedbackType
from feedback.services import feedback_upvote_add
from tests.factories import UserFactory


class FeedbackPostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeedbackPost

    user = factory.SubFactory(UserFactory)
    type = FeedbackType.BUG
    title = factory.Sequence(lambda n: f"Post {n}")
    description = "Steps to reproduce: open the Studio."

    class Params:
        hidden = factory.Trait(is_hidden=True, hidden_at=factory.LazyFunction(timezone.now))


class FeedbackCommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeedbackComment

    user = factory.SubFactory(UserFactory)
    feedback = factory.SubFactory(FeedbackPostFactory)
    content = factory.Sequence(lambda n: f"Comment {n}")

    class Params:
        hidden = factory.Trait(is_hidden=True, hidden_at=factory.LazyFunction(timezone.now))


def upvote(post, *users):
    """Upvotes `post` as each user, through FBK-6's service."""
    for voter in users:
        feedback_upvote_add(actor=voter, post=post)
    post.refresh_from_db()
    return post
