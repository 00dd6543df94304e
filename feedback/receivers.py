"""Receivers of other apps' signals (DATA_MODEL.md §1.7), connected in `FeedbackConfig.ready`."""

from feedback.models import FeedbackPost
from feedback.services import feedback_upvote_remove


def remove_departing_user_upvotes(sender, user, **kwargs):
    """FBK-11: `accounts.signals.user_deleting` removes the user's upvotes one by one through
    the service, inside the deletion's transaction, so every count stays exact (FBK-8).

    Posts are taken in key order so two deletions sharing posts lock them in the same order.
    """
    upvoted = FeedbackPost.objects.filter(upvotes__user=user).order_by("pk").only("pk")
    for post in list(upvoted):
        feedback_upvote_remove(actor=user, post=post)
