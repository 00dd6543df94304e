"""Stripe webhooks, applied exactly once (BIL-10…13).

The event row is inserted first, in the same transaction as its effect: a duplicate delivery,
even a concurrent one, fails on the unique event id and changes nothing.
"""

import logging
from datetime import UTC, datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Now

from accounts.models import SubscriptionTier, User
from billing import stripe_gateway
from billing.errors import PermanentEventError, RetryLater
from billing.models import StripeEvent, StripeEventStatus
from billing.services.credit_purchases import (
    credit_purchase_fail,
    credit_purchase_fulfil,
    credit_purchase_refund,
)
from billing.services.credits import bundled_reset, lock_user, tier_set
from billing.services.subscriptions import subscription_sync

logger = logging.getLogger("studio.billing")

ACTIVE_SUBSCRIPTION = {"active", "trialing"}
ENDED_SUBSCRIPTION = {"canceled", "unpaid"}


def _timestamp(seconds):
    return datetime.fromtimestamp(seconds, tz=UTC) if seconds else None


def _user_for_customer(customer_id):
    user = User.objects.filter(stripe_customer_id=customer_id).first()
    if user is None:
        raise PermanentEventError(f"Unknown Stripe customer {customer_id}.")
    return user


def _tier_for_price(price_id):
    tier = settings.STRIPE_PRICE_TIERS.get(price_id)
    if tier is None:
        raise PermanentEventError(f"Stripe price {price_id} maps to no tier.")
    return tier


def _checkout_completed(data):
    metadata = data.get("metadata") or {}
    if metadata.get("type") != "credit_purchase":
        return
    credit_purchase_fulfil(
        purchase_id=metadata.get("purchase_id"),
        amount_total=data.get("amount_total"),
        currency=data.get("currency"),
        payment_intent=data.get("payment_intent"),
    )


def _checkout_failed(data):
    if data.get("object") == "payment_intent":
        credit_purchase_fail(payment_intent=data.get("id"))
    else:
        credit_purchase_fail(checkout_session=data.get("id"))


def _charge_refunded(data):
    if (
        credit_purchase_refund(
            payment_intent=data.get("payment_intent"), amount_refunded=data.get("amount_refunded")
        )
        is None
    ):
        # The refund came before the completed checkout it undoes.
        raise RetryLater()


def _subscription_changed(data):
    """Re-reads the subscription, so the order in which events arrive does not matter; the
    user's Subscription row follows what Stripe reports (BIL-77)."""
    user = _user_for_customer(data.get("customer"))
    subscription = stripe_gateway.subscription_retrieve(data["id"])
    status = subscription.get("status")
    items = subscription.get("items", {}).get("data") or [{}]
    price = (items[0].get("price") or {}).get("id")
    period_end = _timestamp(items[0].get("current_period_end")) or _timestamp(
        subscription.get("current_period_end")
    )
    tier = None
    if status in ACTIVE_SUBSCRIPTION:
        tier = _tier_for_price(price)
        tier_set(user=user, tier=tier, period_end=period_end)
    elif status in ENDED_SUBSCRIPTION or data.get("deleted") or status is None:
        tier_set(user=user, tier=SubscriptionTier.FREE)
    subscription_sync(
        user=user,
        subscription={"id": data["id"], **subscription},
        tier=tier or settings.STRIPE_PRICE_TIERS.get(price),
        period_end=period_end,
    )


def _invoice_paid(data):
    """Adds the spend; a renewal resets the bundled credits once per period (BIL-12)."""
    user = _user_for_customer(data.get("customer"))
    with transaction.atomic():
        user = lock_user(user.pk)
        User.objects.filter(pk=user.pk).update(
            total_spend_cents=F("total_spend_cents") + (data.get("amount_paid") or 0)
        )
        if data.get("billing_reason") != "subscription_cycle":
            return
        lines = (data.get("lines") or {}).get("data") or [{}]
        period = lines[0].get("period") or {}
        start, end = _timestamp(period.get("start")), _timestamp(period.get("end"))
        if start is None or end is None:
            raise PermanentEventError("Renewal invoice without a period.")
        # The hourly job may have reset this period already; then its reset time is past start.
        if user.credits_reset_at is None or user.credits_reset_at <= start:
            bundled_reset(user, next_reset_at=end)


HANDLERS = {
    "checkout.session.completed": _checkout_completed,
    "checkout.session.expired": _checkout_failed,
    "payment_intent.payment_failed": _checkout_failed,
    "charge.refunded": _charge_refunded,
    "customer.subscription.created": _subscription_changed,
    "customer.subscription.updated": _subscription_changed,
    "customer.subscription.deleted": _subscription_changed,
    "invoice.payment_succeeded": _invoice_paid,
}


def stripe_event_process(*, event):
    """BIL-11: store the event and apply it, once. Returns the stored row, or None for a
    duplicate. `RetryLater` and unexpected errors roll everything back (Stripe retries)."""
    handler = HANDLERS.get(event["type"])
    customer = _customer_of(event)
    try:
        with transaction.atomic():
            stored = StripeEvent.objects.create(
                event_id=event["id"],
                event_type=event["type"],
                livemode=bool(event.get("livemode")),
                payload=event,
                stripe_customer_id=customer,
                user=User.objects.filter(stripe_customer_id=customer).first() if customer else None,
                status=StripeEventStatus.PROCESSED if handler else StripeEventStatus.IGNORED,
                processed_at=Now(),
            )
            if handler is not None:
                _apply(stored, handler, event["data"]["object"])
    except IntegrityError:
        if StripeEvent.objects.filter(event_id=event["id"]).exists():
            return None
        raise
    return stored


def _customer_of(event):
    """BIL-78: the Stripe customer an event is about: the object's `customer`, or the object
    itself when it is a customer."""
    data = (event.get("data") or {}).get("object") or {}
    customer = data.get("id") if data.get("object") == "customer" else data.get("customer")
    return customer[:255] if isinstance(customer, str) else ""


def _apply(stored, handler, data):
    """Runs the handler in a savepoint; a permanent failure keeps the row as `failed`."""
    try:
        with transaction.atomic():
            handler(data)
    except PermanentEventError as exc:
        logger.warning("Stripe event %s failed: %s", stored.event_id, exc)
        stored.status, stored.error = StripeEventStatus.FAILED, str(exc)[:2000]
        StripeEvent.objects.filter(pk=stored.pk).update(status=stored.status, error=stored.error)


def stripe_event_reprocess(*, event):
    """BIL-13: runs a failed event's handler again; handlers are idempotent."""
    with transaction.atomic():
        stored = StripeEvent.objects.select_for_update().get(pk=event.pk)
        if stored.status != StripeEventStatus.FAILED:
            return False
        StripeEvent.objects.filter(pk=stored.pk).update(
            status=StripeEventStatus.PROCESSED, error="", processed_at=Now()
        )
        _apply(stored, HANDLERS[stored.event_type], stored.payload["data"]["object"])
    stored.refresh_from_db()
    return stored.status == StripeEventStatus.PROCESSED
