"""The feedback board (DATA_MODEL.md §8): posts, upvotes, comments, and the moderation record.

`FeedbackModerationDecision` is not in the spec's model list: it records who changed a post's
status or hid/unhid a post or comment, and when (the issue asks for every moderation decision
to be recorded). Services write it in the same transaction as the decision.
"""

from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Length
from django.db.models.lookups import LessThanOrEqual

from config.audit import audited
from config.models import BaseModel, contains_index
from feedback.permissions import user_can_moderate_feedback

TITLE_MAX_LENGTH = 500
DESCRIPTION_MAX_LENGTH = 20_000
CONTENT_MAX_LENGTH = 5_000
# PostgreSQL regex: at least one non-whitespace character. Serializers and admin forms strip
# input first, so they are stricter; this is the backstop for writes that bypass them.
HAS_TEXT = r"\S"


class FeedbackType(models.TextChoices):
    BUG = "bug"
    SUGGESTION = "suggestion"


class FeedbackStatus(models.TextChoices):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"


class ModerationAction(models.TextChoices):
    SET_STATUS = "set_status", "Set status"
    HIDE = "hide"
    UNHIDE = "unhide"


def _hidden_iff_time():
    """`is_hidden = (hidden_at IS NOT NULL)`: a hidden row always says when it was hidden."""
    return Q(is_hidden=True, hidden_at__isnull=False) | Q(is_hidden=False, hidden_at__isnull=True)


class FeedbackPostQuerySet(models.QuerySet):
    def visible_to(self, user):
        """FBK-1: posts that are not hidden, plus the user's own; moderators see every post."""
        if not user.is_authenticated:
            return self.none()
        if user_can_moderate_feedback(user):
            return self.all()
        return self.filter(Q(is_hidden=False) | Q(user=user))

    def with_comment_count(self):
        """`comment_count`: the post's comments that are not hidden (FBK-23), as a subquery.

        The number is the same for every viewer, so ordering by it (FBK-9) and the admin column
        agree; authors and moderators may see more rows in the comment list than it counts.
        """
        visible_comments = (
            FeedbackComment.objects.filter(feedback=OuterRef("pk"), is_hidden=False)
            .order_by()
            .values("feedback")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return self.annotate(
            comment_count=Coalesce(
                Subquery(visible_comments, output_field=models.IntegerField()), Value(0)
            )
        )

    def with_counts(self, user):
        """`comment_count` and `has_upvoted` (whether `user` upvoted), in the same query."""
        upvoted = FeedbackUpvote.objects.filter(feedback=OuterRef("pk"), user_id=user.pk)
        return self.with_comment_count().annotate(has_upvoted=Exists(upvoted))


@audited()
class FeedbackPost(BaseModel):
    """A bug report or a suggestion from a user, which moderators triage (§8.1)."""

    user = models.ForeignKey(
        "accounts.User",
        on_delete=models.CASCADE,
        related_name="feedback_posts",
        db_index=False,  # covered by the (user, created_at) index
    )
    type = models.CharField(max_length=12, choices=FeedbackType)
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    # max_length on a TextField only reaches forms and serializers; the constraint below
    # enforces it in the database.
    description = models.TextField(max_length=DESCRIPTION_MAX_LENGTH)
    status = models.CharField(max_length=12, choices=FeedbackStatus, default=FeedbackStatus.OPEN)
    upvote_count = models.IntegerField(default=0)
    is_hidden = models.BooleanField(default=False)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = FeedbackPostQuerySet.as_manager()

    class Meta:
        permissions = [("moderate_feedback", "Can moderate feedback posts and comments")]
        constraints = [
            models.CheckConstraint(
                condition=Q(type__in=FeedbackType.values), name="feedback_post_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=FeedbackStatus.values), name="feedback_post_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(upvote_count__gte=0), name="feedback_post_upvotes_non_negative"
            ),
            models.CheckConstraint(
                condition=_hidden_iff_time(), name="feedback_post_hidden_has_time"
            ),
            models.CheckConstraint(
                condition=Q(title__regex=HAS_TEXT), name="feedback_post_title_not_blank"
            ),
            models.CheckConstraint(
                condition=Q(description__regex=HAS_TEXT)
                & LessThanOrEqual(Length("description"), DESCRIPTION_MAX_LENGTH),
                name="feedback_post_description_length",
            ),
        ]
        indexes = [
            contains_index("title", name="feedback_post_search"),
            models.Index(fields=["user", "created_at"]),
            models.Index(fields=["is_hidden", "-upvote_count", "-created_at"]),
            models.Index(fields=["is_hidden", "-created_at"]),
            models.Index(fields=["type", "status"]),
            # The admin home's open feedback, and the moderation queue newest first.
            models.Index(fields=["status", "-created_at"]),
        ]

    def __str__(self):
        return self.title


class FeedbackUpvote(BaseModel):
    """One user's upvote on one post (§8.2). Written only by the upvote services (FBK-6, 7)."""

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="feedback_upvotes"
    )
    feedback = models.ForeignKey(
        "feedback.FeedbackPost",
        on_delete=models.CASCADE,
        related_name="upvotes",
        db_index=False,  # covered by the unique (feedback, user) index
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["feedback", "user"], name="feedback_upvote_one_per_user"
            ),
        ]

    def __str__(self):
        return f"{self.user} upvoted {self.feedback}"


class FeedbackCommentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """FBK-23 and FBK-1: comments the user may see, on posts the user may see.

        A hidden comment is visible to its author and to moderators only, and no comment is
        visible through a post the user cannot see.
        """
        if not user.is_authenticated:
            return self.none()
        if user_can_moderate_feedback(user):
            return self.all()
        return self.filter(
            (Q(is_hidden=False) | Q(user=user))
            & (Q(feedback__is_hidden=False) | Q(feedback__user=user))
        )


@audited()
class FeedbackComment(BaseModel):
    """A comment on a post; moderators' official answers are comments too (§8.3)."""

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="feedback_comments"
    )
    feedback = models.ForeignKey(
        "feedback.FeedbackPost",
        on_delete=models.CASCADE,
        related_name="comments",
        db_index=False,  # covered by the (feedback, created_at) index
    )
    content = models.TextField(max_length=CONTENT_MAX_LENGTH)
    is_official = models.BooleanField(default=False)
    is_hidden = models.BooleanField(default=False)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = FeedbackCommentQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=_hidden_iff_time(), name="feedback_comment_hidden_has_time"
            ),
            models.CheckConstraint(
                condition=Q(content__regex=HAS_TEXT)
                & LessThanOrEqual(Length("content"), CONTENT_MAX_LENGTH),
                name="feedback_comment_content_length",
            ),
        ]
        indexes = [models.Index(fields=["feedback", "created_at"])]

    def __str__(self):
        return f"{self.user} on {self.feedback}: {self.short_content}"

    @property
    def short_content(self):
        return self.content if len(self.content) <= 60 else f"{self.content[:59]}…"


class FeedbackModerationDecision(BaseModel):
    """One moderation decision: who set which status or hid/unhid what, and when.

    Insert-only, written by the moderation services in the decision's own transaction. A
    decision about a comment also names the comment's post, so a post's history is one lookup.
    The record goes with the post it judges; it outlives the moderator (SET_NULL).
    """

    moderator = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    post = models.ForeignKey(
        "feedback.FeedbackPost",
        on_delete=models.CASCADE,
        related_name="moderation_decisions",
        db_index=False,  # covered by the (post, created_at) index
    )
    comment = models.ForeignKey(
        "feedback.FeedbackComment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="moderation_decisions",
    )
    action = models.CharField(max_length=12, choices=ModerationAction)
    old_status = models.CharField(max_length=12, choices=FeedbackStatus, blank=True)
    new_status = models.CharField(max_length=12, choices=FeedbackStatus, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(action__in=ModerationAction.values),
                name="feedback_decision_action_valid",
            ),
            models.CheckConstraint(
                condition=Q(old_status__in=FeedbackStatus.values) | Q(old_status=""),
                name="feedback_decision_old_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(new_status__in=FeedbackStatus.values) | Q(new_status=""),
                name="feedback_decision_new_status_valid",
            ),
            # A status change is about a post and names both statuses; hiding names neither.
            models.CheckConstraint(
                condition=(
                    Q(action=ModerationAction.SET_STATUS, comment__isnull=True)
                    & ~Q(old_status="")
                    & ~Q(new_status="")
                )
                | (~Q(action=ModerationAction.SET_STATUS) & Q(old_status="", new_status="")),
                name="feedback_decision_status_fields",
            ),
        ]
        indexes = [models.Index(fields=["post", "created_at"])]

    def __str__(self):
        target = f"comment on “{self.post}”" if self.comment_id else f"“{self.post}”"
        if self.action == ModerationAction.SET_STATUS:
            what = f"set {target} from {self.old_status} to {self.new_status}"
        else:
            what = f"{self.action} {target}"
        return f"{self.moderator or 'a deleted moderator'}: {what}"
