"""Subscriptions start in Stripe Checkout and are managed in Stripe's billing portal; the
webhook (`stripe_events`) applies what Stripe reports (BIL-6, BIL-12)."""

from accounts.models import SubscriptionTier
from billing import conf, stripe_gateway
from billing.errors import AlreadySubscribed, NoStripeCustomer, PaymentProviderUnavailable
from billing.models import BillingCycle, Subscription, SubscriptionStatus
from billing.services.customers import stripe_customer_ensure


def subscription_checkout_create(*, user, tier, success_url, cancel_url):
    """A Checkout URL for a paid tier, only from the free tier: tier changes and cancellation
    go through the portal, so one user never holds two subscriptions."""
    if user.subscription_tier != SubscriptionTier.FREE:
        raise AlreadySubscribed()
    price = conf.price_ids().get(tier)
    if not price:
        raise PaymentProviderUnavailable(f"The {tier} plan is not on sale on this server.")
    customer = stripe_customer_ensure(user)
    return stripe_gateway.subscription_checkout_session_create(
        customer=customer,
        price=price,
        user_id=user.pk,
        success_url=success_url,
        cancel_url=cancel_url,
    )


def billing_portal_create(*, user, return_url):
    """A Stripe billing portal URL for the user's customer: plan changes, cancellation,
    invoices and payment methods."""
    if not user.stripe_customer_id:
        raise NoStripeCustomer()
    return stripe_gateway.billing_portal_session_create(
        customer=user.stripe_customer_id, return_url=return_url
    )


# Stripe's statuses beyond the five the Studio keeps (BIL-77): what each means here.
STRIPE_STATUSES = {
    "unpaid": SubscriptionStatus.PAST_DUE,
    "paused": SubscriptionStatus.PAST_DUE,
    "incomplete_expired": SubscriptionStatus.CANCELED,
}
CYCLES = {"month": BillingCycle.MONTHLY, "year": BillingCycle.ANNUAL}


def subscription_sync(*, user, subscription, tier, period_end):
    """BIL-77: the user's Subscription row as Stripe reports `subscription` (re-read by the
    webhook handler, so events arriving out of order leave the latest state). Only the
    subscription webhooks call this, inside their event's transaction."""
    status = subscription.get("status") or SubscriptionStatus.CANCELED
    items = (subscription.get("items") or {}).get("data") or [{}]
    interval = ((items[0].get("price") or {}).get("recurring") or {}).get("interval")
    Subscription.objects.update_or_create(
        user=user,
        defaults={
            "stripe_subscription_id": subscription["id"],
            "status": STRIPE_STATUSES.get(status, status),
            "tier": tier or "",
            "billing_cycle": CYCLES.get(interval, ""),
            "current_period_end": period_end,
            "cancel_at_period_end": bool(subscription.get("cancel_at_period_end")),
        },
    )
