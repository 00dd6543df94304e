"""The feedback demo data: a moderator and a living board, loaded idempotently."""

from io import StringIO

import pytest

from bench.demo import accounts as accounts_demo
from bench.demo import feedback as demo
from feedback.models import (
    FeedbackComment,
    FeedbackModerationDecision,
    FeedbackPost,
    FeedbackUpvote,
)

pytestmark = pytest.mark.django_db


def table_sizes():
    models = (FeedbackPost, FeedbackComment, FeedbackUpvote, FeedbackModerationDecision)
    return [model.objects.count() for model in models]


def test_seed_is_idempotent_and_keeps_counts_exact():
    accounts_demo.seed(StringIO())
    demo.seed(StringIO())
    first = table_sizes()
    demo.seed(StringIO())
    assert table_sizes() == first
    assert first[0] == len(demo.DEMO_POSTS)
    for post in FeedbackPost.objects.all():
        assert post.upvote_count == post.upvotes.count()
    assert FeedbackPost.objects.filter(is_hidden=True).count() == 1
    assert FeedbackComment.objects.filter(is_official=True).count() == 2
    assert FeedbackComment.objects.filter(is_hidden=True).count() == 1


def test_seed_creates_a_staff_moderator():
    accounts_demo.seed(StringIO())
    out = StringIO()
    demo.seed(out)
    moderator = FeedbackComment.objects.get(is_official=True, content__startswith="Thanks").user
    assert moderator.is_staff and moderator.is_moderator
    assert moderator.email in out.getvalue()


def test_seed_without_demo_users_does_nothing():
    out = StringIO()
    demo.seed(out)
    assert table_sizes() == [0, 0, 0, 0]
    assert "skipped" in out.getvalue()
