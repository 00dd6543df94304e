"""Money in through Stripe: credit packages (BIL-20), subscriptions, the billing portal, and
the webhook that applies what Stripe reports (BIL-10…13).

With no Stripe keys configured, everything that would call Stripe answers 503
`payment_provider_unavailable`, and the webhook refuses every signature (400).
"""

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from billing import stripe_gateway
from billing.filters import CreditPurchaseFilter
from billing.models import CreditPurchase
from billing.serializers.payments import (
    CheckoutUrlSerializer,
    CreditPurchaseCreateSerializer,
    CreditPurchaseSerializer,
    PortalSerializer,
    PortalUrlSerializer,
    SubscriptionCheckoutSerializer,
    WebhookReceivedSerializer,
)
from billing.services.credit_purchases import credit_purchase_create
from billing.services.stripe_events import stripe_event_process
from billing.services.subscriptions import billing_portal_create, subscription_checkout_create
from billing.views.base import (
    IDEMPOTENCY_PARAMETERS,
    created_or_replayed,
    idempotency_key,
)
from config.api import APIView, StudioViewSet, validated_body
from config.schema import error

UNAVAILABLE = error("`payment_provider_unavailable`: Stripe is not configured or not answering.")


def valid(serializer_class, request):
    return validated_body(serializer_class, request)


@extend_schema_view(
    list=extend_schema(summary="Your credit purchases, newest first"),
    retrieve=extend_schema(summary="One of your credit purchases (poll until it settles)"),
    create=extend_schema(
        summary="Start buying a credit package through Stripe Checkout (BIL-20)",
        request=CreditPurchaseCreateSerializer,
        parameters=IDEMPOTENCY_PARAMETERS,
        responses={
            201: CreditPurchaseSerializer,
            200: CreditPurchaseSerializer,
            409: error("`idempotency_key_reused`."),
            503: UNAVAILABLE,
        },
    ),
)
class CreditPurchaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, StudioViewSet):
    """The caller's credit purchases. The amounts come from the package: a client never sends
    a price or a credit amount (R3)."""

    serializer_class = CreditPurchaseSerializer
    filterset_class = CreditPurchaseFilter

    def get_queryset(self):
        return CreditPurchase.objects.visible_to(self.request.user).order_by("-created_at", "-id")

    def create(self, request):
        key = idempotency_key(request)
        purchase, replayed = credit_purchase_create(
            user=request.user,
            package=valid(CreditPurchaseCreateSerializer, request)["package"],
            idempotency_key=key,
            success_url=settings.STRIPE_SUCCESS_URL,
            cancel_url=settings.STRIPE_CANCEL_URL,
        )
        return self.read(purchase, *created_or_replayed(replayed))


class SubscriptionCheckoutView(APIView):
    @extend_schema(
        summary="Subscribe to a paid tier through Stripe Checkout (from the free tier only)",
        request=SubscriptionCheckoutSerializer,
        responses={
            201: CheckoutUrlSerializer,
            409: error("`already_subscribed`: change plans in the billing portal."),
            503: UNAVAILABLE,
        },
    )
    def post(self, request):
        data = valid(SubscriptionCheckoutSerializer, request)
        url = subscription_checkout_create(
            user=request.user,
            tier=data["tier"],
            success_url=data.get("success_url", settings.STRIPE_SUCCESS_URL),
            cancel_url=data.get("cancel_url", settings.STRIPE_CANCEL_URL),
        )
        return Response(CheckoutUrlSerializer({"checkout_url": url}).data, status=201)


class BillingPortalView(APIView):
    @extend_schema(
        summary="Open Stripe's billing portal: change or cancel the plan, invoices, cards",
        request=PortalSerializer,
        responses={
            200: PortalUrlSerializer,
            409: error("`no_stripe_customer`: nothing bought or subscribed yet."),
            503: UNAVAILABLE,
        },
    )
    def post(self, request):
        data = valid(PortalSerializer, request)
        url = billing_portal_create(
            user=request.user, return_url=data.get("return_url", settings.STRIPE_SUCCESS_URL)
        )
        return Response(PortalUrlSerializer({"url": url}).data)


class StripeWebhookView(APIView):
    """Stripe's events, verified on the raw body (BIL-10) and applied once (BIL-11).

    No session or token, so no CSRF check; not throttled (API.md §7): Stripe's retries must
    always get through.
    """

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    @extend_schema(
        summary="Stripe webhook (BIL-10…13)",
        auth=[],
        request={"application/json": OpenApiTypes.OBJECT},
        responses={
            200: WebhookReceivedSerializer,
            400: error("Missing, wrong or stale `Stripe-Signature`: nothing is stored."),
            503: error("`retry_later`: the event came before what it needs; Stripe retries."),
        },
    )
    def post(self, request):
        # The raw bytes: the signature covers them exactly, so the body is never parsed first.
        event = stripe_gateway.event_verify(
            request.body, request.headers.get("Stripe-Signature", "")
        )
        # Duplicates, ignored types and permanent failures are all a 200: Stripe stops there.
        stripe_event_process(event=event)
        return Response(WebhookReceivedSerializer({"received": True}).data, status.HTTP_200_OK)
