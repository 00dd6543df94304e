"""Every write of the feedback board (DATA_MODEL.md §8), called by the API and admin alike.

Each service takes keyword-only arguments and the acting user, runs in one transaction and
checks the caller's right itself, so admin and API cannot drift apart. Counters move only by
`F()` updates guarded by the row that justifies them (FBK-8); moderation decisions are recorded
in the same transaction as the change.
"""

import uuid
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, F
from django.db.models.functions import Now

from config.exceptions import NotFound, require
from feedback.errors import PostHidden, PostLocked
from feedback.models import (
    FeedbackComment,
    FeedbackModerationDecision,
    FeedbackPost,
    FeedbackStatus,
    FeedbackUpvote,
    ModerationAction,
)
from feedback.permissions import (
    user_can_change_comment,
    user_can_delete_post,
    user_can_edit_post,
    user_can_moderate_feedback,
    user_can_recount_upvotes,
    user_can_see_post,
)

EDITABLE_POST_FIELDS = frozenset({"type", "title", "description"})


@dataclass(frozen=True)
class UpvoteResult:
    created: bool
    upvote_count: int


def _require_visible(actor, post):
    if not user_can_see_post(actor, post):
        raise NotFound()


def _hidden_state(actor, hidden):
    """FBK-5: hiding stamps when and by whom; unhiding clears both."""
    return {
        "is_hidden": hidden,
        "hidden_at": Now() if hidden else None,
        "hidden_by": actor if hidden else None,
        "updated_at": Now(),
    }


def _record(*, actor, post_id, action, comment=None, old_status="", new_status=""):
    FeedbackModerationDecision.objects.create(
        moderator=actor,
        post_id=post_id,
        comment=comment,
        action=action,
        old_status=old_status,
        new_status=new_status,
    )


# Posts


@transaction.atomic
def feedback_post_create(*, actor, type, title, description):
    """FBK-2: any signed-in user; the post starts open with no upvotes (model defaults)."""
    require(actor.is_authenticated)
    return FeedbackPost.objects.create(user=actor, type=type, title=title, description=description)


@transaction.atomic
def feedback_post_update(*, actor, post, changes):
    """FBK-3: the author edits type, title and description while the post is open.

    One conditional UPDATE, so a moderator's status change that lands first wins cleanly:
    zero rows means the post is no longer open (409 `post_locked`), and nothing changed.
    """
    if not set(changes) <= EDITABLE_POST_FIELDS:
        raise ValueError(f"Not editable: {sorted(set(changes) - EDITABLE_POST_FIELDS)}")
    require(user_can_edit_post(actor, post))
    updated = FeedbackPost.objects.filter(pk=post.pk, status=FeedbackStatus.OPEN).update(
        **changes, updated_at=Now()
    )
    if not updated:
        raise PostLocked()


@transaction.atomic
def feedback_post_delete(*, actor, post):
    """FBK-4: the author deletes their post at any time; upvotes and comments go with it."""
    require(user_can_delete_post(actor, post))
    post.delete()


@transaction.atomic
def feedback_post_set_status(*, actor, post, status):
    """FBK-5: a moderator sets any status from any status. True when the status changed.

    The row is locked so the recorded old status is the one actually replaced.
    """
    require(user_can_moderate_feedback(actor))
    current = (
        FeedbackPost.objects.select_for_update()
        .filter(pk=post.pk)
        .values_list("status", flat=True)
        .first()
    )
    if current is None:
        raise NotFound()
    if current == status:
        return False
    FeedbackPost.objects.filter(pk=post.pk).update(status=status, updated_at=Now())
    _record(
        actor=actor,
        post_id=post.pk,
        action=ModerationAction.SET_STATUS,
        old_status=current,
        new_status=status,
    )
    return True


@transaction.atomic
def feedback_post_set_hidden(*, actor, post, hidden):
    """FBK-5: a moderator hides or unhides a post. True when it changed (one conditional UPDATE)."""
    require(user_can_moderate_feedback(actor))
    changed = FeedbackPost.objects.filter(pk=post.pk, is_hidden=not hidden).update(
        **_hidden_state(actor, hidden)
    )
    if changed:
        action = ModerationAction.HIDE if hidden else ModerationAction.UNHIDE
        _record(actor=actor, post_id=post.pk, action=action)
    return bool(changed)


@transaction.atomic
def feedback_post_moderate(*, actor, post, status=None, is_hidden=None):
    """The moderation PATCH (FBK-5): status and hiddenness together, all or nothing."""
    if status is not None:
        feedback_post_set_status(actor=actor, post=post, status=status)
    if is_hidden is not None:
        feedback_post_set_hidden(actor=actor, post=post, hidden=is_hidden)


@transaction.atomic
def feedback_post_recount_upvotes(*, actor, posts):
    """Repairs FBK-8 after hand edits: returns how many posts had a wrong count.

    The posts are locked first (in key order, so two repairs cannot deadlock); the upvotes are
    counted afterwards, in a statement that sees every upvote committed before the locks were
    granted. An upvote added or removed meanwhile waits on the lock and adjusts the repaired
    count after this transaction commits.
    """
    require(user_can_recount_upvotes(actor))
    stored = dict(
        FeedbackPost.objects.select_for_update()
        .filter(pk__in=[post.pk for post in posts])
        .order_by("pk")
        .values_list("pk", "upvote_count")
    )
    actual = dict(
        FeedbackUpvote.objects.filter(feedback_id__in=list(stored))
        .order_by()
        .values("feedback_id")
        .annotate(count=Count("pk"))
        .values_list("feedback_id", "count")
    )
    corrected = 0
    for post_id, upvote_count in stored.items():
        if actual.get(post_id, 0) != upvote_count:
            # A counter-only change: updated_at stays (DATA_MODEL.md §1.1).
            FeedbackPost.objects.filter(pk=post_id).update(upvote_count=actual.get(post_id, 0))
            corrected += 1
    return corrected


# Upvotes


def _insert_upvote(actor, post):
    """`INSERT … ON CONFLICT DO NOTHING`: True only when this call added the row (FBK-6).

    A concurrent insert of the same pair waits on the unique index and then does nothing, so
    exactly one of any number of simultaneous calls reports an insert.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO feedback_feedbackupvote (id, created_at, updated_at, feedback_id, user_id)"
            " VALUES (%s, now(), now(), %s, %s)"
            " ON CONFLICT (feedback_id, user_id) DO NOTHING",
            [uuid.uuid4(), post.pk, actor.pk],
        )
        return cursor.rowcount == 1


@transaction.atomic
def feedback_upvote_add(*, actor, post):
    """FBK-6: idempotent; the count moves only when this call inserted the upvote (FBK-8)."""
    _require_visible(actor, post)
    if post.is_hidden:
        raise PostHidden()
    created = _insert_upvote(actor, post)
    if created:
        bumped = FeedbackPost.objects.filter(pk=post.pk, is_hidden=False).update(
            upvote_count=F("upvote_count") + 1
        )
        if not bumped:
            # Hidden since it was read: the error rolls the insert back with the transaction.
            raise PostHidden()
    upvote_count = (
        FeedbackPost.objects.filter(pk=post.pk).values_list("upvote_count", flat=True).first()
    )
    if upvote_count is None:
        raise NotFound()
    return UpvoteResult(created=created, upvote_count=upvote_count)


@transaction.atomic
def feedback_upvote_remove(*, actor, post):
    """FBK-7: idempotent; the count moves only when this call deleted the upvote (FBK-8).

    Withdrawing one's own upvote needs no visibility check: it touches only the actor's row,
    and FBK-11 must also clear upvotes on posts hidden since. True when an upvote was removed.
    """
    deleted, _ = FeedbackUpvote.objects.filter(feedback_id=post.pk, user_id=actor.pk).delete()
    if deleted:
        FeedbackPost.objects.filter(pk=post.pk).update(upvote_count=F("upvote_count") - 1)
    return bool(deleted)


# Comments


@transaction.atomic
def feedback_comment_create(*, actor, post, content, is_official=False):
    """FBK-20: any signed-in user comments on a post they can see.

    FBK-21: only a moderator's comment can be official; from anyone else the flag is ignored.
    """
    _require_visible(actor, post)
    return FeedbackComment.objects.create(
        user=actor,
        feedback=post,
        content=content,
        is_official=is_official and user_can_moderate_feedback(actor),
    )


@transaction.atomic
def feedback_comment_update(*, actor, comment, content):
    """FBK-22: the author edits the content of their comment."""
    require(user_can_change_comment(actor, comment))
    FeedbackComment.objects.filter(pk=comment.pk).update(content=content, updated_at=Now())


@transaction.atomic
def feedback_comment_delete(*, actor, comment):
    """FBK-22: the author deletes their comment."""
    require(user_can_change_comment(actor, comment))
    comment.delete()


@transaction.atomic
def feedback_comment_set_hidden(*, actor, comment, hidden):
    """FBK-23: a moderator hides or unhides a comment. True when it changed."""
    require(user_can_moderate_feedback(actor))
    changed = FeedbackComment.objects.filter(pk=comment.pk, is_hidden=not hidden).update(
        **_hidden_state(actor, hidden)
    )
    if changed:
        action = ModerationAction.HIDE if hidden else ModerationAction.UNHIDE
        _record(actor=actor, post_id=comment.feedback_id, comment=comment, action=action)
    return bool(changed)
