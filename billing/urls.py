"""Billing API routes, under /api/v1/ (API.md §9.5), and the two marketplace purchase routes
of §9.4. Ids are UUID path converters: anything else is an unrouted 404."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from billing.views import credits, keys, marketplace, payments, prices

router = SimpleRouter(use_regex_path=False)
router.register("billing/ledger", credits.LedgerEntryViewSet, basename="billing-ledger")
router.register("billing/usage", credits.UsageLogViewSet, basename="billing-usage")
router.register(
    "billing/credit-purchases", payments.CreditPurchaseViewSet, basename="billing-credit-purchase"
)
router.register(
    "billing/marketplace-transactions",
    marketplace.MarketplaceTransactionViewSet,
    basename="billing-marketplace-transaction",
)
router.register("billing/models", prices.ModelPriceViewSet, basename="billing-model")
router.register("billing/api-keys", keys.UserAPIKeyViewSet, basename="billing-api-key")
router.register(
    "billing/custom-models", keys.UserCustomModelViewSet, basename="billing-custom-model"
)

# The router's lists first: W2 (usage) and the ledger are the hot ones (PERFORMANCE.md).
urlpatterns = [
    *router.urls,
    path("billing/config/", credits.BillingConfigView.as_view(), name="billing-config"),
    path("billing/credits/", credits.CreditBalanceView.as_view(), name="billing-credits"),
    path(
        "billing/subscription/checkout/",
        payments.SubscriptionCheckoutView.as_view(),
        name="billing-subscription-checkout",
    ),
    path("billing/portal/", payments.BillingPortalView.as_view(), name="billing-portal"),
    path(
        "billing/stripe/webhook/",
        payments.StripeWebhookView.as_view(),
        name="billing-stripe-webhook",
    ),
    path("billing/earnings/", marketplace.EarningsView.as_view(), name="billing-earnings"),
    path(
        "marketplace/agents/<uuid:pk>/purchase/",
        marketplace.AgentPurchaseView.as_view(),
        name="billing-agent-purchase",
    ),
    path(
        "marketplace/bases/<uuid:pk>/purchase/",
        marketplace.BasePurchaseView.as_view(),
        name="billing-base-purchase",
    ),
]
