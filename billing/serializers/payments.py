"""Shapes of credit purchases, subscriptions, the billing portal and the webhook.

A client names a package or a tier, never an amount (R3); return URLs are the server's own.
"""

from django.db import models
from rest_framework import serializers

from accounts.models import SubscriptionTier
from billing import conf
from billing.models import CreditPackage, CreditPurchase, CreditPurchaseStatus
from config.schema import EnumChoiceField


class PaidTier(models.TextChoices):
    """The tiers one subscribes to: `SubscriptionTier` without `free`."""

    BASIC = SubscriptionTier.BASIC.value
    PRO = SubscriptionTier.PRO.value
    ULTRA = SubscriptionTier.ULTRA.value


class CreditPurchaseSerializer(serializers.ModelSerializer):
    package = EnumChoiceField(CreditPackage, read_only=True)
    status = EnumChoiceField(CreditPurchaseStatus, read_only=True)

    class Meta:
        model = CreditPurchase
        fields = [
            "id",
            "package",
            "amount_cents",
            "credits_amount",
            "status",
            "checkout_url",
            "completed_at",
            "refunded_at",
            "created_at",
        ]
        read_only_fields = fields


class CreditPurchaseCreateSerializer(serializers.Serializer):
    """Only the package: its price and credits come from `CREDIT_PACKAGES` (BIL-20)."""

    package = EnumChoiceField(CreditPackage)


def return_url_field(help_text):
    return serializers.CharField(max_length=2048, required=False, help_text=help_text)


class ReturnUrlsMixin:
    """Return URLs must be one of `BILLING_RETURN_URLS`, so Stripe never becomes a redirect to
    a page of the client's choosing."""

    def validate_return_url(self, value):
        if value not in conf.return_urls():
            raise serializers.ValidationError("Not one of this server's return URLs.")
        return value

    validate_success_url = validate_cancel_url = validate_return_url


class SubscriptionCheckoutSerializer(ReturnUrlsMixin, serializers.Serializer):
    tier = EnumChoiceField(PaidTier)
    success_url = return_url_field("One of BILLING_RETURN_URLS; default STRIPE_SUCCESS_URL.")
    cancel_url = return_url_field("One of BILLING_RETURN_URLS; default STRIPE_CANCEL_URL.")


class PortalSerializer(ReturnUrlsMixin, serializers.Serializer):
    return_url = return_url_field("One of BILLING_RETURN_URLS; default STRIPE_SUCCESS_URL.")


class CheckoutUrlSerializer(serializers.Serializer):
    checkout_url = serializers.URLField()


class PortalUrlSerializer(serializers.Serializer):
    url = serializers.URLField()


class WebhookReceivedSerializer(serializers.Serializer):
    received = serializers.BooleanField()
