"""Receivers of other apps' signals (DATA_MODEL.md §1.7), connected in `MarketplaceConfig.ready`."""

from marketplace.models import AgentReview, BaseReview
from marketplace.services import review_delete


def remove_departing_user_reviews(sender, user, **kwargs):
    """MKT-42: `accounts.signals.user_deleting` removes the user's reviews one by one through
    `review_delete`, inside the deletion's transaction, so every rating stays exact (the cascade
    would delete them without a recount). Items are taken in key order, so two deletions
    sharing items lock them in the same order."""
    for model, field in ((AgentReview, "agent"), (BaseReview, "base")):
        reviews = model.objects.filter(user=user).select_related(field).order_by(f"{field}_id")
        for review in list(reviews):
            review_delete(actor=user, review=review)
