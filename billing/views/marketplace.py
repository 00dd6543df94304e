"""Marketplace sales: buying agents and bases with purchased credits (BIL-41), the caller's
sales and purchases, and a creator's earnings.

The purchase endpoints live at `marketplace/agents/{id}/purchase/` and
`marketplace/bases/{id}/purchase/` (API.md §9.4) but are billing's: buying moves credits.
"""

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.status import HTTP_200_OK, HTTP_201_CREATED

from billing.filters import MarketplaceTransactionFilter
from billing.models import MarketplaceTransaction
from billing.selectors import earnings_for
from billing.serializers.marketplace import (
    AgentPurchaseResultSerializer,
    BasePurchaseResultSerializer,
    EarningsSerializer,
    MarketplaceTransactionSerializer,
)
from billing.services.marketplace_sales import item_purchase
from billing.views.base import IDEMPOTENCY_PARAMETERS, REPLAYED_HEADER, idempotency_key
from config.api import APIView, StudioViewSet
from config.schema import error
from marketplace.models import MarketplaceAgent, MarketplaceBase

TRANSACTION_ROLES = ("buyer", "creator")


def purchase_schema(result_serializer, noun):
    return extend_schema(
        summary=f"Add {noun} to your library, paying from purchased credits (BIL-41)",
        request=None,
        parameters=IDEMPOTENCY_PARAMETERS,
        responses={
            201: result_serializer,
            200: result_serializer,
            402: error("`insufficient_credits`: purchased credits only."),
            404: error(f"No such {noun.split()[-1]}, or not one you can see."),
            409: error("`idempotency_key_reused`."),
        },
    )


class ItemPurchaseView(APIView):
    """Buys the item in the URL if the caller can see it (listed, their own, or in their
    library; else 404). 201 when the library row was created, reactivated or extended; 200
    when nothing changed (already owned, one's own item) or on a replay."""

    model = None
    item_field = None
    result_serializer = None

    def post(self, request, pk):
        item = get_object_or_404(self.model.objects.visible_to(request.user), pk=pk)
        key = idempotency_key(request)
        result = item_purchase(buyer=request.user, item=item, idempotency_key=key)
        if result.entry is not None:
            setattr(result.entry, self.item_field, item)  # already loaded: no query to render
        body = {
            "entry": result.entry,
            "charged_cents": result.charged_cents,
            "transaction": result.transaction.pk if result.transaction is not None else None,
        }
        data = self.result_serializer(body, context={"now": timezone.now()}).data
        headers = {REPLAYED_HEADER: "true"} if result.replayed else None
        status_code = HTTP_201_CREATED if result.changed else HTTP_200_OK
        return Response(data, status=status_code, headers=headers)


@extend_schema_view(post=purchase_schema(AgentPurchaseResultSerializer, "an agent"))
class AgentPurchaseView(ItemPurchaseView):
    model = MarketplaceAgent
    item_field = "agent"
    result_serializer = AgentPurchaseResultSerializer


@extend_schema_view(post=purchase_schema(BasePurchaseResultSerializer, "a base"))
class BasePurchaseView(ItemPurchaseView):
    model = MarketplaceBase
    item_field = "base"
    result_serializer = BasePurchaseResultSerializer


ROLE_PARAMETER = OpenApiParameter(
    "role",
    OpenApiTypes.STR,
    enum=TRANSACTION_ROLES,
    description="`buyer` (default): what you bought; `creator`: what you sold.",
)


@extend_schema_view(
    list=extend_schema(
        summary="Your marketplace purchases, or your sales as a creator, newest first",
        parameters=[ROLE_PARAMETER],
    )
)
class MarketplaceTransactionViewSet(mixins.ListModelMixin, StudioViewSet):
    serializer_class = MarketplaceTransactionSerializer
    filterset_class = MarketplaceTransactionFilter

    def get_queryset(self):
        role = self.request.query_params.get("role", "buyer")
        if role not in TRANSACTION_ROLES:
            raise ValidationError({"role": ["Use buyer or creator."]})
        sales = MarketplaceTransaction.objects.visible_to(self.request.user, role)
        return sales.order_by("-created_at", "-id")


class EarningsView(APIView):
    @extend_schema(
        summary="Your creator share: sales by payout status, refunds, and agent usage",
        responses=EarningsSerializer,
    )
    def get(self, request):
        return Response(EarningsSerializer(earnings_for(request.user)).data)
