"""Fields, constraints, indexes and querysets of the feedback models (DATA_MODEL.md §8)."""

import pytest
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from feedback.models import (
    FeedbackComment,
    FeedbackModerationDecision,
    FeedbackPost,
    FeedbackStatus,
    FeedbackUpvote,
    ModerationAction,
)
from tests.backoffice.helpers import domain_models
from tests.factories import UserFactory
from tests.feedback.factories import FeedbackCommentFactory, upvote

pytestmark = pytest.mark.django_db

FEEDBACK_MODELS = (FeedbackPost, FeedbackUpvote, FeedbackComment, FeedbackModerationDecision)


def test_coverage_guard_lists_every_feedback_model():
    """The per-model tests here and in test_admin.py run over FEEDBACK_MODELS."""
    assert set(FEEDBACK_MODELS) == domain_models("feedback")


def violated_constraint(write):
    with pytest.raises(IntegrityError) as raised, transaction.atomic():
        write()
    return raised.value.__cause__.diag.constraint_name


@pytest.mark.parametrize(
    ("changes", "constraint"),
    [
        ({"type": "question"}, "feedback_post_type_valid"),
        ({"status": "done"}, "feedback_post_status_valid"),
        ({"upvote_count": -1}, "feedback_post_upvotes_non_negative"),
        ({"is_hidden": True}, "feedback_post_hidden_has_time"),
        ({"hidden_at": timezone.now()}, "feedback_post_hidden_has_time"),
        ({"title": " \t "}, "feedback_post_title_not_blank"),
        ({"description": "\n"}, "feedback_post_description_length"),
        ({"description": "x" * 20_001}, "feedback_post_description_length"),
    ],
)
def test_post_constraints_refuse_bad_rows(post, changes, constraint):
    write = lambda: FeedbackPost.objects.filter(pk=post.pk).update(**changes)  # noqa: E731
    assert violated_constraint(write) == constraint


def test_post_description_at_the_limit_is_accepted(post):
    FeedbackPost.objects.filter(pk=post.pk).update(description="x" * 20_000)


@pytest.mark.parametrize(
    ("changes", "constraint"),
    [
        ({"is_hidden": True}, "feedback_comment_hidden_has_time"),
        ({"hidden_at": timezone.now()}, "feedback_comment_hidden_has_time"),
        ({"content": "  "}, "feedback_comment_content_length"),
        ({"content": "x" * 5_001}, "feedback_comment_content_length"),
    ],
)
def test_comment_constraints_refuse_bad_rows(comment, changes, constraint):
    write = lambda: FeedbackComment.objects.filter(pk=comment.pk).update(**changes)  # noqa: E731
    assert violated_constraint(write) == constraint


def test_fbk_6_one_upvote_per_user_and_post(post, other_user):
    upvote(post, other_user)
    write = lambda: FeedbackUpvote.objects.create(feedback=post, user=other_user)  # noqa: E731
    assert violated_constraint(write) == "feedback_upvote_one_per_user"


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"action": "delete"}, "feedback_decision_action_valid"),
        (
            {"action": ModerationAction.SET_STATUS, "old_status": "x", "new_status": "open"},
            "feedback_decision_old_status_valid",
        ),
        (
            {"action": ModerationAction.SET_STATUS, "old_status": "open", "new_status": "x"},
            "feedback_decision_new_status_valid",
        ),
        ({"action": ModerationAction.SET_STATUS}, "feedback_decision_status_fields"),
        (
            {"action": ModerationAction.HIDE, "old_status": "open", "new_status": "closed"},
            "feedback_decision_status_fields",
        ),
    ],
)
def test_decision_constraints_refuse_bad_rows(post, moderator, fields, constraint):
    write = lambda: FeedbackModerationDecision.objects.create(  # noqa: E731
        post=post, moderator=moderator, **fields
    )
    assert violated_constraint(write) == constraint


def test_decision_about_a_status_cannot_name_a_comment(post, comment, moderator):
    write = lambda: FeedbackModerationDecision.objects.create(  # noqa: E731
        post=post,
        comment=comment,
        moderator=moderator,
        action=ModerationAction.SET_STATUS,
        old_status=FeedbackStatus.OPEN,
        new_status=FeedbackStatus.CLOSED,
    )
    assert violated_constraint(write) == "feedback_decision_status_fields"


def test_fbk_2_a_new_post_starts_open_with_no_upvotes(user):
    post = FeedbackPost.objects.create(user=user, type="bug", title="t", description="d")
    assert (post.status, post.upvote_count, post.is_hidden) == (FeedbackStatus.OPEN, 0, False)


def test_every_model_has_a_readable_str(post, comment, moderator):
    upvote(post, moderator)
    decision = FeedbackModerationDecision.objects.create(
        post=post,
        moderator=moderator,
        action=ModerationAction.SET_STATUS,
        old_status=FeedbackStatus.OPEN,
        new_status=FeedbackStatus.CLOSED,
    )
    hidden = FeedbackModerationDecision(
        post=post, comment=comment, moderator=None, action=ModerationAction.HIDE
    )
    assert str(post) == post.title
    assert str(FeedbackUpvote.objects.get()) == f"{moderator} upvoted {post.title}"
    assert str(comment) == f"{comment.user} on {post.title}: {comment.content}"
    assert str(decision) == f"{moderator}: set “{post.title}” from open to closed"
    assert str(hidden) == f"a deleted moderator: hide comment on “{post.title}”"


def test_comment_short_content_is_cut_at_60_characters():
    assert FeedbackComment(content="x" * 60).short_content == "x" * 60
    assert FeedbackComment(content="x" * 61).short_content == "x" * 59 + "…"


def index_definitions(model):
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return [c["columns"] for c in constraints.values() if c["index"] or c["unique"]]


@pytest.mark.parametrize("model", FEEDBACK_MODELS)
def test_every_foreign_key_leads_an_index_and_none_is_duplicated(model):
    indexes = index_definitions(model)
    for field in model._meta.concrete_fields:
        if isinstance(field, models.ForeignKey):
            assert any(columns[0] == field.column for columns in indexes), field.name
    assert len(indexes) == len({tuple(columns) for columns in indexes})


def test_post_list_indexes_exist():
    assert {
        ("user_id", "created_at"),
        ("is_hidden", "upvote_count", "created_at"),
        ("is_hidden", "created_at"),
        ("type", "status"),
    } <= {tuple(columns) for columns in index_definitions(FeedbackPost)}


def test_fbk_1_visible_to_hides_hidden_posts_from_other_users(
    post, hidden_post, author, other_user, moderator
):
    assert set(FeedbackPost.objects.visible_to(author)) == {post, hidden_post}
    assert set(FeedbackPost.objects.visible_to(moderator)) == {post, hidden_post}
    assert set(FeedbackPost.objects.visible_to(other_user)) == {post}


def test_fbk_23_visible_to_hides_hidden_comments_and_comments_of_hidden_posts(
    post, hidden_post, comment, hidden_comment, author, other_user, moderator
):
    on_hidden_post = FeedbackCommentFactory(feedback=hidden_post, user=other_user)
    everything = {comment, hidden_comment, on_hidden_post}
    assert set(FeedbackComment.objects.visible_to(author)) == everything
    assert set(FeedbackComment.objects.visible_to(moderator)) == everything
    assert set(FeedbackComment.objects.visible_to(UserFactory())) == {comment}


def test_with_counts_annotates_visible_comments_and_the_viewers_upvote(
    post, comment, hidden_comment, other_user
):
    upvote(post, other_user)
    seen_by_voter = FeedbackPost.objects.with_counts(other_user).get()
    seen_by_author = FeedbackPost.objects.with_counts(post.user).get()
    assert (seen_by_voter.comment_count, seen_by_voter.has_upvoted) == (1, True)
    assert (seen_by_author.comment_count, seen_by_author.has_upvoted) == (1, False)


def test_with_counts_is_zero_without_comments(post, user):
    assert FeedbackPost.objects.with_counts(user).get().comment_count == 0


def test_deleting_a_post_removes_its_upvotes_comments_and_decisions(post, comment, moderator):
    upvote(post, moderator)
    FeedbackModerationDecision.objects.create(
        post=post, moderator=moderator, action=ModerationAction.HIDE
    )
    post.delete()
    for model in (FeedbackUpvote, FeedbackComment, FeedbackModerationDecision):
        assert not model.objects.exists()


def test_decisions_outlive_their_moderator(post, moderator):
    FeedbackModerationDecision.objects.create(
        post=post, moderator=moderator, action=ModerationAction.HIDE
    )
    moderator.delete()
    assert FeedbackModerationDecision.objects.get().moderator is None


def test_hidden_by_is_cleared_when_the_moderator_is_deleted(post, moderator):
    FeedbackPost.objects.filter(pk=post.pk).update(
        is_hidden=True, hidden_at=timezone.now(), hidden_by=moderator
    )
    moderator.delete()
    post.refresh_from_db()
    assert post.is_hidden and post.hidden_by is None


def test_deleting_the_author_removes_their_posts(post, author):
    author.delete()
    assert not FeedbackPost.objects.exists()
