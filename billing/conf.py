"""The billing settings read beyond config/settings' own, each with its default, in one place.

Functions, not constants, so a test's settings override applies.
"""

from django.conf import settings


def return_urls():
    """`BILLING_RETURN_URLS`: where Stripe may send a user back to (exact URLs). A client may
    only pick one of these, so Checkout cannot become an open redirect."""
    default = [settings.STRIPE_SUCCESS_URL, settings.STRIPE_CANCEL_URL]
    return getattr(settings, "BILLING_RETURN_URLS", default)


def price_ids():
    """`STRIPE_PRICE_IDS`: subscription tier → the Stripe price sold for it. By default the
    `STRIPE_PRICE_TIERS` table read backwards, so one setting is enough when each tier has
    one price."""
    configured = getattr(settings, "STRIPE_PRICE_IDS", None)
    if configured is not None:
        return configured
    return {tier: price for price, tier in settings.STRIPE_PRICE_TIERS.items()}
