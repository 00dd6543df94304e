"""Reviews and the ratings they make (MKT-40…43).

Every change to an item's reviews first locks the item row (FOR NO KEY UPDATE: library adds,
which only need a key-share lock for their foreign key, are not held up), then writes the
review, then recomputes `rating` and `reviews_count` from the reviews themselves. Changes to one
item's reviews therefore run one at a time, and each recount sees every review committed before
it: the stored figures are exact whatever runs concurrently.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count, Sum
from django.db.models.functions import Now

from config.exceptions import AlreadyExists, NotFound
from marketplace.errors import OwnItem, PurchaseRequired
from marketplace.models import AgentReview, BaseReview, MarketplaceAgent
from marketplace.permissions import (
    user_can_curate,
    user_has_access,
    user_is_author,
    user_is_creator,
)
from marketplace.services.common import check_fields, require

REVIEW_FIELDS = frozenset({"rating", "comment"})
CENTS = Decimal("0.01")


def review_model(item):
    """The review table of an agent or a base, and the review's field naming the item."""
    if isinstance(item, MarketplaceAgent):
        return AgentReview, "agent"
    return BaseReview, "base"


def review_item(review):
    return review.agent if isinstance(review, AgentReview) else review.base


def _lock_item(item):
    locked = type(item).objects.select_for_update(no_key=True).filter(pk=item.pk).exists()
    if not locked:
        raise NotFound()


def average_rating(total, count):
    """MKT-43: the mean rounded half-up to 2 decimals; None with no reviews."""
    if not count:
        return None
    return (Decimal(total) / Decimal(count)).quantize(CENTS, rounding=ROUND_HALF_UP)


def _recount(item):
    """MKT-42, MKT-43, under the item lock. True when the stored figures changed."""
    model, field = review_model(item)
    totals = model.objects.filter(**{field: item}).aggregate(total=Sum("rating"), count=Count("pk"))
    rating, count = average_rating(totals["total"], totals["count"]), totals["count"]
    # A counter-only change: updated_at stays (DATA_MODEL.md §1.1).
    changed = (
        type(item)
        .objects.filter(pk=item.pk)
        .exclude(rating=rating, reviews_count=count)
        .update(rating=rating, reviews_count=count)
    )
    item.rating, item.reviews_count = rating, count
    return bool(changed)


def review_create(*, actor, item, rating, comment=""):
    """MKT-40, MKT-41: one review per user, with access, never on one's own item.

    The spec's `review_save` is split in two: creating and editing check different rules.
    """
    model, field = review_model(item)
    with transaction.atomic():
        _lock_item(item)
        if user_is_creator(actor, item):
            raise OwnItem()
        if not user_has_access(actor, item):
            raise PurchaseRequired("Only users with access to this item can review it.")
        if model.objects.filter(user=actor, **{field: item}).exists():
            raise AlreadyExists(
                "You have already reviewed this item; edit your review instead.",
                fields={"non_field_errors": ["One review per user and item."]},
            )
        review = model.objects.create(user=actor, rating=rating, comment=comment, **{field: item})
        _recount(item)
    return review


def review_update(*, actor, review, changes):
    """MKT-41: the author edits rating and comment; `created_at` stays, `updated_at` moves."""
    require(user_is_author(actor, review))
    check_fields(changes, REVIEW_FIELDS)
    item = review_item(review)
    with transaction.atomic():
        _lock_item(item)
        if changes:
            type(review).objects.filter(pk=review.pk).update(**changes, updated_at=Now())
            _recount(item)
    for name, value in changes.items():
        setattr(review, name, value)
    return review


def review_delete(*, actor, review):
    """MKT-42: the author, or staff removing offensive content in admin."""
    require(user_is_author(actor, review) or user_can_curate(actor, review, "delete"))
    item = review_item(review)
    with transaction.atomic():
        _lock_item(item)
        type(review).objects.filter(pk=review.pk).delete()
        _recount(item)


def item_recalculate_rating(*, actor, item):
    """Staff repair of MKT-43 after hand edits. True when the stored figures were wrong."""
    require(user_can_curate(actor, item))
    with transaction.atomic():
        _lock_item(item)
        return _recount(item)
