"""Shapes of marketplace purchases (API.md §9.4 PurchaseResult), sales and earnings.

The purchased item appears as a summary only: what a buyer pays for (prompts, tool configs)
is the marketplace's to show.
"""

from rest_framework import serializers

from billing.models import MarketplaceTransaction, PayoutStatus, TransactionType
from config.schema import EnumChoiceField
from marketplace.models import PurchaseType


class PurchasedItemSerializer(serializers.Serializer):
    """A marketplace item in a purchase answer: enough to show it, nothing that is paid for."""

    id = serializers.UUIDField()
    name = serializers.CharField()
    slug = serializers.CharField()
    icon = serializers.CharField()


class LibraryEntryBaseSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    purchase_type = EnumChoiceField(PurchaseType)
    is_active = serializers.BooleanField()
    has_access = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_has_access(self, row) -> bool:
        return row.has_access(self.context["now"])


class PurchasedAgentEntrySerializer(LibraryEntryBaseSerializer):
    agent = PurchasedItemSerializer()
    expires_at = serializers.DateTimeField(allow_null=True)


class PurchasedBaseEntrySerializer(LibraryEntryBaseSerializer):
    base = PurchasedItemSerializer()


class AgentPurchaseResultSerializer(serializers.Serializer):
    entry = PurchasedAgentEntrySerializer(allow_null=True)
    charged_cents = serializers.IntegerField()
    transaction = serializers.UUIDField(allow_null=True)


class BasePurchaseResultSerializer(serializers.Serializer):
    entry = PurchasedBaseEntrySerializer(allow_null=True)
    charged_cents = serializers.IntegerField()
    transaction = serializers.UUIDField(allow_null=True)


class MarketplaceTransactionSerializer(serializers.ModelSerializer):
    agent = serializers.UUIDField(source="agent_id", read_only=True, allow_null=True)
    base = serializers.UUIDField(source="base_id", read_only=True, allow_null=True)
    transaction_type = EnumChoiceField(TransactionType, read_only=True)
    payout_status = EnumChoiceField(PayoutStatus, read_only=True)

    class Meta:
        model = MarketplaceTransaction
        fields = [
            "id",
            "item_name",
            "agent",
            "base",
            "transaction_type",
            "amount_total",
            "amount_creator",
            "amount_platform",
            "payout_status",
            "payout_date",
            "refunded_at",
            "created_at",
        ]
        read_only_fields = fields


class EarningsSerializer(serializers.Serializer):
    pending_cents = serializers.IntegerField()
    processing_cents = serializers.IntegerField()
    paid_cents = serializers.IntegerField()
    failed_cents = serializers.IntegerField()
    refunded_cents = serializers.IntegerField()
    usage_creator_revenue_cents = serializers.IntegerField()
