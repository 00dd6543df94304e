"""The feedback services against the database, one or more tests per rule (DATA_MODEL.md §8)."""

import itertools

import pytest
from django.contrib.auth.models import Permission
from django.db import transaction

from accounts.signals import user_deleting
from config.exceptions import NotAllowed, NotFound
from feedback import services
from feedback.errors import PostHidden, PostLocked
from feedback.models import (
    FeedbackComment,
    FeedbackModerationDecision,
    FeedbackPost,
    FeedbackStatus,
    FeedbackUpvote,
    ModerationAction,
)
from tests.factories import UserFactory
from tests.feedback.factories import FeedbackCommentFactory, FeedbackPostFactory, upvote

pytestmark = pytest.mark.django_db


def fresh(row):
    row.refresh_from_db()
    return row


# FBK-2


def test_fbk_2_any_user_creates_an_open_post_with_no_upvotes(user):
    post = services.feedback_post_create(
        actor=user, type="suggestion", title="Dark mode", description="Please."
    )
    assert (post.user, post.status, post.upvote_count, post.is_hidden) == (
        user,
        FeedbackStatus.OPEN,
        0,
        False,
    )


# FBK-3


def test_fbk_3_author_edits_an_open_post(post, author):
    before = post.updated_at
    services.feedback_post_update(
        actor=author, post=post, changes={"title": "New title", "type": "suggestion"}
    )
    post = fresh(post)
    assert (post.title, post.type) == ("New title", "suggestion")
    assert post.updated_at > before


@pytest.mark.parametrize(
    "status", [FeedbackStatus.IN_PROGRESS, FeedbackStatus.RESOLVED, FeedbackStatus.CLOSED]
)
def test_fbk_3_a_post_that_is_not_open_is_locked(post, author, status):
    FeedbackPost.objects.filter(pk=post.pk).update(status=status)
    with pytest.raises(PostLocked):
        services.feedback_post_update(actor=author, post=post, changes={"title": "Late"})
    assert fresh(post).title != "Late"


def test_fbk_3_the_lock_is_read_from_the_database_not_the_callers_copy(post, author):
    FeedbackPost.objects.filter(pk=post.pk).update(status=FeedbackStatus.CLOSED)
    assert post.status == FeedbackStatus.OPEN  # the stale copy a racing request would hold
    with pytest.raises(PostLocked):
        services.feedback_post_update(actor=author, post=post, changes={"title": "Late"})


@pytest.mark.parametrize("actor", ["other_user", "moderator"])
def test_fbk_3_only_the_author_edits(request, post, actor):
    with pytest.raises(NotAllowed):
        services.feedback_post_update(
            actor=request.getfixturevalue(actor), post=post, changes={"title": "Mine now"}
        )


def test_fbk_3_only_type_title_and_description_are_editable(post, author):
    with pytest.raises(ValueError, match="status"):
        services.feedback_post_update(actor=author, post=post, changes={"status": "closed"})


# FBK-4


def test_fbk_4_author_deletes_at_any_time_with_upvotes_and_comments(post, author, other_user):
    FeedbackPost.objects.filter(pk=post.pk).update(status=FeedbackStatus.CLOSED)
    upvote(post, other_user)
    FeedbackCommentFactory(feedback=post)
    services.feedback_post_delete(actor=author, post=post)
    assert not FeedbackPost.objects.exists()
    assert not FeedbackUpvote.objects.exists()
    assert not FeedbackComment.objects.exists()


@pytest.mark.parametrize("actor", ["other_user", "moderator"])
def test_fbk_4_nobody_else_deletes_not_even_moderators(request, post, actor):
    with pytest.raises(NotAllowed):
        services.feedback_post_delete(actor=request.getfixturevalue(actor), post=post)
    assert FeedbackPost.objects.filter(pk=post.pk).exists()


# FBK-5


@pytest.mark.parametrize(("old", "new"), list(itertools.permutations(FeedbackStatus, 2)))
def test_fbk_5_moderator_sets_any_status_from_any_status(post, moderator, old, new):
    FeedbackPost.objects.filter(pk=post.pk).update(status=old)
    assert services.feedback_post_set_status(actor=moderator, post=post, status=new)
    assert fresh(post).status == new
    decision = FeedbackModerationDecision.objects.get()
    assert (decision.moderator, decision.action, decision.old_status, decision.new_status) == (
        moderator,
        ModerationAction.SET_STATUS,
        old,
        new,
    )


def test_fbk_5_setting_the_current_status_changes_and_records_nothing(post, moderator):
    before = post.updated_at
    assert not services.feedback_post_set_status(actor=moderator, post=post, status="open")
    assert fresh(post).updated_at == before
    assert not FeedbackModerationDecision.objects.exists()


def test_fbk_5_hiding_stamps_time_and_moderator_and_unhiding_clears_both(post, moderator):
    assert services.feedback_post_set_hidden(actor=moderator, post=post, hidden=True)
    post = fresh(post)
    assert post.is_hidden and post.hidden_at is not None and post.hidden_by == moderator
    assert services.feedback_post_set_hidden(actor=moderator, post=post, hidden=False)
    post = fresh(post)
    assert (post.is_hidden, post.hidden_at, post.hidden_by) == (False, None, None)
    actions = FeedbackModerationDecision.objects.order_by("created_at").values_list(
        "action", flat=True
    )
    assert list(actions) == [ModerationAction.HIDE, ModerationAction.UNHIDE]


def test_fbk_5_hiding_a_hidden_post_changes_and_records_nothing(hidden_post, moderator):
    assert not services.feedback_post_set_hidden(actor=moderator, post=hidden_post, hidden=True)
    assert not FeedbackModerationDecision.objects.exists()


@pytest.mark.parametrize("actor", ["author", "other_user", "staff_user", "service_account"])
def test_fbk_5_non_moderators_may_not_moderate(request, post, actor):
    actor = request.getfixturevalue(actor)
    with pytest.raises(NotAllowed):
        services.feedback_post_set_status(actor=actor, post=post, status="closed")
    with pytest.raises(NotAllowed):
        services.feedback_post_set_hidden(actor=actor, post=post, hidden=True)
    assert (fresh(post).status, post.is_hidden) == (FeedbackStatus.OPEN, False)


def test_fbk_5_superusers_pass_the_moderator_check(post, superuser):
    assert services.feedback_post_set_status(actor=superuser, post=post, status="closed")


def test_fbk_5_moderation_is_all_or_nothing(post, moderator):
    FeedbackPost.objects.filter(pk=post.pk).delete()
    with pytest.raises(NotFound):
        services.feedback_post_moderate(actor=moderator, post=post, status="closed", is_hidden=True)
    assert not FeedbackModerationDecision.objects.exists()


def test_fbk_5_moderate_applies_status_and_hiding_together(post, moderator):
    services.feedback_post_moderate(actor=moderator, post=post, status="resolved", is_hidden=True)
    post = fresh(post)
    assert (post.status, post.is_hidden) == ("resolved", True)
    assert FeedbackModerationDecision.objects.count() == 2


# FBK-6, FBK-7, FBK-8


def test_fbk_6_upvoting_is_idempotent(post, other_user):
    first = services.feedback_upvote_add(actor=other_user, post=post)
    repeat = services.feedback_upvote_add(actor=other_user, post=post)
    assert (first.created, first.upvote_count) == (True, 1)
    assert (repeat.created, repeat.upvote_count) == (False, 1)
    assert FeedbackUpvote.objects.count() == 1
    assert fresh(post).upvote_count == 1


def test_fbk_6_upvoting_does_not_touch_updated_at(post, other_user):
    before = post.updated_at
    services.feedback_upvote_add(actor=other_user, post=post)
    assert fresh(post).updated_at == before


@pytest.mark.parametrize("actor", ["author", "moderator"])
def test_fbk_6_a_hidden_post_is_post_hidden_for_those_who_see_it(request, hidden_post, actor):
    with pytest.raises(PostHidden):
        services.feedback_upvote_add(actor=request.getfixturevalue(actor), post=hidden_post)
    assert not FeedbackUpvote.objects.exists()


def test_fbk_6_a_hidden_post_is_not_found_for_anyone_else(hidden_post, other_user):
    with pytest.raises(NotFound):
        services.feedback_upvote_add(actor=other_user, post=hidden_post)


def test_fbk_6_a_post_hidden_meanwhile_rolls_the_upvote_back(post, other_user):
    FeedbackPost.objects.filter(pk=post.pk).update(is_hidden=True, hidden_at=post.created_at)
    with pytest.raises(PostHidden):
        services.feedback_upvote_add(actor=other_user, post=post)  # `post` is a stale copy
    assert not FeedbackUpvote.objects.exists()
    assert fresh(post).upvote_count == 0


def test_fbk_7_removing_an_upvote_is_idempotent(post, other_user):
    upvote(post, other_user)
    assert services.feedback_upvote_remove(actor=other_user, post=post)
    assert not services.feedback_upvote_remove(actor=other_user, post=post)
    assert fresh(post).upvote_count == 0
    assert not FeedbackUpvote.objects.exists()


def test_fbk_7_removing_only_touches_the_actors_upvote(post, user, other_user):
    upvote(post, user, other_user)
    services.feedback_upvote_remove(actor=other_user, post=post)
    assert list(FeedbackUpvote.objects.values_list("user", flat=True)) == [user.pk]
    assert fresh(post).upvote_count == 1


def test_fbk_8_count_equals_upvotes_through_adds_and_removes(post):
    voters = UserFactory.create_batch(4)
    upvote(post, *voters)
    services.feedback_upvote_remove(actor=voters[0], post=post)
    services.feedback_upvote_add(actor=voters[1], post=post)
    assert fresh(post).upvote_count == FeedbackUpvote.objects.filter(feedback=post).count() == 3


def test_fbk_8_recount_repairs_hand_edited_counts(post, other_user, staff_user):
    exact = FeedbackPostFactory()
    upvote(post, other_user)
    upvote(exact, other_user)
    FeedbackPost.objects.filter(pk=post.pk).update(upvote_count=7)
    staff_user.user_permissions.add(
        Permission.objects.get(content_type__app_label="feedback", codename="change_feedbackpost")
    )
    corrected = services.feedback_post_recount_upvotes(actor=fresh(staff_user), posts=[post, exact])
    assert corrected == 1
    assert fresh(post).upvote_count == 1 and fresh(exact).upvote_count == 1


def test_fbk_8_recount_sets_zero_where_no_upvotes_are_left(post, moderator):
    FeedbackPost.objects.filter(pk=post.pk).update(upvote_count=3)
    assert services.feedback_post_recount_upvotes(actor=moderator, posts=[post]) == 1
    assert fresh(post).upvote_count == 0


def test_fbk_8_recount_needs_the_change_permission(post, staff_user):
    with pytest.raises(NotAllowed):
        services.feedback_post_recount_upvotes(actor=staff_user, posts=[post])


# FBK-11


def test_fbk_11_a_departing_users_upvotes_go_before_the_cascade(post, hidden_post, author):
    leaver, stayer = UserFactory(), UserFactory()
    other = FeedbackPostFactory()
    upvote(post, leaver, stayer)
    upvote(other, leaver)
    FeedbackUpvote.objects.create(feedback=hidden_post, user=leaver)  # voted before hiding
    FeedbackPost.objects.filter(pk=hidden_post.pk).update(upvote_count=1)
    with transaction.atomic():
        user_deleting.send(sender=type(leaver), user=leaver)
        leaver.delete()
    assert [fresh(p).upvote_count for p in (post, other, hidden_post)] == [1, 0, 0]
    assert list(FeedbackUpvote.objects.values_list("user", flat=True)) == [stayer.pk]


# FBK-20, FBK-21


def test_fbk_20_any_user_comments_on_a_post_they_can_see(post, other_user):
    comment = services.feedback_comment_create(actor=other_user, post=post, content="Same here")
    assert (comment.user, comment.feedback, comment.is_official) == (other_user, post, False)


def test_fbk_20_nobody_comments_on_a_post_they_cannot_see(hidden_post, other_user):
    with pytest.raises(NotFound):
        services.feedback_comment_create(actor=other_user, post=hidden_post, content="Hi")
    assert not FeedbackComment.objects.exists()


def test_fbk_20_the_author_and_moderators_comment_on_a_hidden_post(hidden_post, author, moderator):
    services.feedback_comment_create(actor=author, post=hidden_post, content="Why hidden?")
    services.feedback_comment_create(actor=moderator, post=hidden_post, content="Spam.")
    assert FeedbackComment.objects.count() == 2


def test_fbk_21_official_answers_only_from_moderators(post, other_user, moderator):
    ignored = services.feedback_comment_create(
        actor=other_user, post=post, content="Official!", is_official=True
    )
    answer = services.feedback_comment_create(
        actor=moderator, post=post, content="Fixed.", is_official=True
    )
    assert (ignored.is_official, answer.is_official) == (False, True)


# FBK-22


def test_fbk_22_the_author_edits_and_deletes_their_comment(comment, author):
    services.feedback_comment_update(actor=author, comment=comment, content="Edited")
    assert fresh(comment).content == "Edited"
    services.feedback_comment_delete(actor=author, comment=comment)
    assert not FeedbackComment.objects.exists()


@pytest.mark.parametrize("actor", ["other_user", "moderator"])
def test_fbk_22_nobody_else_edits_or_deletes_a_comment(request, comment, actor):
    actor = request.getfixturevalue(actor)
    with pytest.raises(NotAllowed):
        services.feedback_comment_update(actor=actor, comment=comment, content="Mine")
    with pytest.raises(NotAllowed):
        services.feedback_comment_delete(actor=actor, comment=comment)
    assert fresh(comment).content != "Mine"


# FBK-23


def test_fbk_23_moderators_hide_and_unhide_comments_on_the_record(comment, moderator):
    assert services.feedback_comment_set_hidden(actor=moderator, comment=comment, hidden=True)
    comment = fresh(comment)
    assert comment.is_hidden and comment.hidden_by == moderator and comment.hidden_at
    assert not services.feedback_comment_set_hidden(actor=moderator, comment=comment, hidden=True)
    assert services.feedback_comment_set_hidden(actor=moderator, comment=comment, hidden=False)
    assert (fresh(comment).is_hidden, comment.hidden_at, comment.hidden_by) == (False, None, None)
    decisions = FeedbackModerationDecision.objects.order_by("created_at")
    assert [(d.action, d.comment, d.post) for d in decisions] == [
        (ModerationAction.HIDE, comment, comment.feedback),
        (ModerationAction.UNHIDE, comment, comment.feedback),
    ]


@pytest.mark.parametrize("actor", ["author", "other_user"])
def test_fbk_23_non_moderators_may_not_hide_comments(request, comment, actor):
    with pytest.raises(NotAllowed):
        services.feedback_comment_set_hidden(
            actor=request.getfixturevalue(actor), comment=comment, hidden=True
        )
    assert not fresh(comment).is_hidden
