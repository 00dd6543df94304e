"""Who may do what on the feedback board: predicates shared by the API, services and admin.

The predicates read only the rows' own attributes and the user's (cached) permissions, so they
cost no query beyond the first `has_perm` of a request.
"""

from rest_framework.permissions import BasePermission

MODERATE_FEEDBACK = "feedback.moderate_feedback"
CHANGE_POST = "feedback.change_feedbackpost"


def user_can_moderate_feedback(user):
    """Members of the Moderators group (and superusers): FBK-5, FBK-21, FBK-23."""
    return user.is_authenticated and user.has_perm(MODERATE_FEEDBACK)


def user_is_author(user, row):
    """The author of a post or a comment (both keep the author in `user`)."""
    return user.is_authenticated and row.user_id == user.pk


def user_can_see_post(user, post):
    """FBK-1; the row-level mirror of `FeedbackPost.objects.visible_to(user)`."""
    return not post.is_hidden or user_is_author(user, post) or user_can_moderate_feedback(user)


def user_can_edit_post(user, post):
    """FBK-3: only the author (whether the post is still open is the service's 409)."""
    return user_is_author(user, post)


def user_can_delete_post(user, post):
    """FBK-4: only the author, at any time (staff delete in admin with the model permission)."""
    return user_is_author(user, post)


def user_can_change_comment(user, comment):
    """FBK-22: only the author edits or deletes a comment."""
    return user_is_author(user, comment)


def user_can_recount_upvotes(user):
    """The admin repair of FBK-8: whoever may change posts in admin."""
    return user.is_authenticated and user.has_perm(CHANGE_POST)


class IsFeedbackAuthor(BasePermission):
    """Object level, so a row the caller cannot see is a 404 before this 403 (API.md §3)."""

    def has_object_permission(self, request, view, obj):
        return user_is_author(request.user, obj)


class CanModerateFeedback(BasePermission):
    """Object level, so a row the caller cannot see is a 404 before this 403 (API.md §3)."""

    def has_object_permission(self, request, view, obj):
        return user_can_moderate_feedback(request.user)
