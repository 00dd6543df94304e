"""Every exchange with Stripe goes through here; tests replace these functions with recorded
responses, so no traffic leaves the machine. Stripe features are off while
STRIPE_SECRET_KEY is unset."""

import stripe
from django.conf import settings

from billing.errors import PaymentProviderUnavailable, WebhookSignatureInvalid

SIGNATURE_TOLERANCE_SECONDS = 300


def _client():
    if not settings.STRIPE_ENABLED:
        raise PaymentProviderUnavailable("Payments are not configured on this server.")
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        max_network_retries=settings.STRIPE_MAX_NETWORK_RETRIES,
        http_client=stripe.RequestsClient(timeout=settings.STRIPE_TIMEOUT),
    )


def customer_create(*, email, name, user_id):
    """A Stripe customer for the user; returns its id."""
    try:
        customer = _client().v1.customers.create(
            params={"email": email, "name": name, "metadata": {"user_id": str(user_id)}},
            options={"idempotency_key": f"customer-{user_id}"},
        )
    except stripe.StripeError:
        raise PaymentProviderUnavailable() from None
    return customer.id


def checkout_session_create(*, customer, purchase, success_url, cancel_url):
    """A Checkout session for a credit purchase; returns `(session_id, url)` (BIL-20)."""
    try:
        session = _client().v1.checkout.sessions.create(
            params={
                "mode": "payment",
                "customer": customer,
                "line_items": [
                    {
                        "quantity": 1,
                        "price_data": {
                            "currency": "usd",
                            "unit_amount": purchase.amount_cents,
                            "product_data": {"name": f"{purchase.credits_amount} Studio credits"},
                        },
                    }
                ],
                "metadata": {
                    "type": "credit_purchase",
                    "purchase_id": str(purchase.pk),
                    "user_id": str(purchase.user_id),
                },
                "success_url": success_url,
                "cancel_url": cancel_url,
            },
            options={"idempotency_key": str(purchase.pk)},
        )
    except stripe.StripeError:
        raise PaymentProviderUnavailable() from None
    return session.id, session.url


def subscription_retrieve(subscription_id):
    """The subscription's current state, as a dict (BIL-12 re-reads it on every event)."""
    try:
        return _client().v1.subscriptions.retrieve(subscription_id).to_dict()
    except stripe.StripeError:
        raise PaymentProviderUnavailable() from None


def event_verify(payload, signature):
    """BIL-10: the event, when its signature on the raw body is right and not older than
    300 s; `WebhookSignatureInvalid` otherwise."""
    if not settings.STRIPE_WEBHOOK_SECRET:
        raise WebhookSignatureInvalid()
    try:
        event = stripe.Webhook.construct_event(
            payload,
            signature,
            settings.STRIPE_WEBHOOK_SECRET,
            tolerance=SIGNATURE_TOLERANCE_SECONDS,
        )
    except (stripe.SignatureVerificationError, ValueError):
        raise WebhookSignatureInvalid() from None
    return event.to_dict()


def subscription_checkout_session_create(*, customer, price, user_id, success_url, cancel_url):
    """A Checkout session that starts a subscription to `price`; returns its URL. The tier
    follows from the webhook's `customer.subscription.*` events (BIL-12), not from here."""
    try:
        session = _client().v1.checkout.sessions.create(
            params={
                "mode": "subscription",
                "customer": customer,
                "line_items": [{"price": price, "quantity": 1}],
                "metadata": {"type": "subscription", "user_id": str(user_id)},
                "subscription_data": {"metadata": {"user_id": str(user_id)}},
                "success_url": success_url,
                "cancel_url": cancel_url,
            }
        )
    except stripe.StripeError:
        raise PaymentProviderUnavailable() from None
    return session.url


def billing_portal_session_create(*, customer, return_url):
    """A Stripe billing portal session for the customer; returns its URL."""
    try:
        session = _client().v1.billing_portal.sessions.create(
            params={"customer": customer, "return_url": return_url}
        )
    except stripe.StripeError:
        raise PaymentProviderUnavailable() from None
    return session.url
