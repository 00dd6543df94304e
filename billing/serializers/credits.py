"""Shapes of the price list, the balance, the ledger and usage (API.md §9.5).

Read serializers render `.values()` rows or rows loaded with exactly their columns, so they
never query; the ledger and usage lists render their rows without them, from the columns
their fields name (`config.api.ColumnsListMixin`).
"""

from datetime import UTC, datetime, time, timedelta

from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from accounts.models import User
from accounts.serializers import BalanceSerializer
from billing.models import BilledStatus, CreditBucket, CreditPackage, LedgerEntryType
from chat.models import AgentRun, Chat
from config.fields import UtcDateTimeField
from config.schema import EnumChoiceField
from marketplace.models import MarketplaceAgent
from projects.models import Project

MAX_INT = 2**31 - 1
SUMMARY_MAX_RANGE = timedelta(days=366)
SUMMARY_DEFAULT_RANGE = timedelta(days=30)


class CreditBalanceSerializer(BalanceSerializer):
    """accounts' Balance plus what the user still owes (BIL-36); rendered from
    `selectors.balance_for`, which annotates `outstanding_cents`."""

    outstanding_cents = serializers.IntegerField(read_only=True)

    class Meta(BalanceSerializer.Meta):
        fields = [*BalanceSerializer.Meta.fields, "outstanding_cents"]
        read_only_fields = fields


class LedgerEntrySerializer(serializers.Serializer):
    id = serializers.UUIDField()
    bucket = EnumChoiceField(CreditBucket)
    entry_type = EnumChoiceField(LedgerEntryType)
    amount = serializers.IntegerField(help_text="Signed credits: negative takes from the bucket.")
    balance_after = serializers.IntegerField()
    reason = serializers.CharField()
    usage_log = serializers.UUIDField(source="usage_log_id", allow_null=True)
    credit_purchase = serializers.UUIDField(source="credit_purchase_id", allow_null=True)
    marketplace_transaction = serializers.UUIDField(
        source="marketplace_transaction_id", allow_null=True
    )
    created_at = serializers.DateTimeField()


class UsageLogSerializer(serializers.Serializer):
    """A usage log as its user sees it; the revenue split and `request_id` are staff-only."""

    id = serializers.UUIDField()
    project = serializers.UUIDField(source="project_id", allow_null=True)
    agent = serializers.UUIDField(source="agent_id", allow_null=True)
    model = serializers.CharField()
    tokens_input = serializers.IntegerField()
    tokens_output = serializers.IntegerField()
    cost_total = serializers.IntegerField()
    credits_charged = serializers.IntegerField()
    collected_cents = serializers.IntegerField()
    shortfall_cents = serializers.IntegerField()
    is_byok = serializers.BooleanField()
    billed_status = EnumChoiceField(BilledStatus)
    billed_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


class UsageCheckSerializer(serializers.Serializer):
    user = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.all(), pk_field=serializers.UUIDField()
    )
    model = serializers.CharField(max_length=200)
    is_byok = serializers.BooleanField(default=False)


class UsageChargeSerializer(UsageCheckSerializer):
    """BIL-32's request. `project` must be the charged user's own; `agent` one the user can
    see (listed, their own, or in their library). Both are looked up for that user only."""

    tokens_input = serializers.IntegerField(min_value=0, max_value=MAX_INT)
    tokens_output = serializers.IntegerField(min_value=0, max_value=MAX_INT)
    project = serializers.UUIDField(required=False, allow_null=True)
    agent = serializers.UUIDField(required=False, allow_null=True)
    chat = serializers.UUIDField(
        required=False, allow_null=True, help_text="BIL-70: a chat of the charged user."
    )
    run = serializers.UUIDField(
        required=False, allow_null=True, help_text="BIL-70: a run in a chat of the charged user."
    )

    def validate(self, attrs):
        user = attrs["user"]
        if attrs.get("chat") is not None:
            chats = Chat.objects.filter(user=user).only("id", "user_id", "project_id")
            attrs["chat"] = chats.filter(pk=attrs["chat"]).first()
            if attrs["chat"] is None:
                raise serializers.ValidationError({"chat": ["Not a chat of this user."]})
        if attrs.get("run") is not None:
            runs = AgentRun.objects.filter(chat__user=user).select_related("chat")
            attrs["run"] = runs.filter(pk=attrs["run"]).first()
            if attrs["run"] is None:
                raise serializers.ValidationError({"run": ["Not a run of this user."]})
        if attrs.get("project") is not None:
            projects = Project.objects.filter(owner=user).only("id")
            attrs["project"] = projects.filter(pk=attrs["project"]).first()
            if attrs["project"] is None:
                raise serializers.ValidationError({"project": ["Not a project of this user."]})
        if attrs.get("agent") is not None:
            agents = MarketplaceAgent.objects.visible_to(user)
            attrs["agent"] = agents.filter(pk=attrs["agent"]).first()
            if attrs["agent"] is None:
                raise serializers.ValidationError({"agent": ["Not an agent this user can use."]})
        return attrs


class UsageCheckResultSerializer(serializers.Serializer):
    allowed = serializers.BooleanField()
    total_credits = serializers.IntegerField()


class DebitSerializer(serializers.Serializer):
    bucket = EnumChoiceField(CreditBucket)
    amount = serializers.IntegerField(help_text="Signed, as in the ledger: negative.")
    balance_after = serializers.IntegerField()


class UsageChargeResultSerializer(serializers.Serializer):
    usage = UsageLogSerializer()
    debits = DebitSerializer(many=True)
    balance = CreditBalanceSerializer()
    exhausted = serializers.BooleanField(help_text="`total_credits` is 0 after the charge.")


class DayOrTimeField(UtcDateTimeField):
    """A UTC day (`2025-05-01`, meaning its midnight) or an ISO-8601 time, in UTC; an offset
    beyond ±15:59 is refused (API.md §1)."""

    def to_internal_value(self, value):
        if isinstance(value, str):
            try:
                day = parse_date(value)
                moment = parse_datetime(value)
            except ValueError:
                raise serializers.ValidationError("Not a valid date or time.") from None
            if day is not None and moment is None:
                return datetime.combine(day, time.min, tzinfo=UTC)
        return super().to_internal_value(value)


class UsageSummaryQuerySerializer(serializers.Serializer):
    """`created_after` (inclusive) and `created_before` (exclusive), as every list names its
    time range (API.md §6), at most 366 days apart; by default the 30 UTC days up to the end
    of today. `from` and `to`, the summary's first names for them, are read as aliases until
    the next release (docs/api.md, "Deprecated")."""

    GROUPS = ("day", "model", "project", "chat")
    ALIASES = {"created_after": "from", "created_before": "to"}

    def get_fields(self):
        # `from` is a Python keyword, so the fields are named here rather than as attributes.
        return {
            "created_after": DayOrTimeField(
                required=False, help_text="Inclusive; a date means 00:00 UTC."
            ),
            "created_before": DayOrTimeField(
                required=False, help_text="Exclusive; a date means 00:00 UTC."
            ),
            "from": DayOrTimeField(
                required=False, help_text="Deprecated alias of `created_after`."
            ),
            "to": DayOrTimeField(required=False, help_text="Deprecated alias of `created_before`."),
            "group_by": serializers.ChoiceField(choices=self.GROUPS, default="day"),
        }

    def validate(self, attrs):
        for name, alias in self.ALIASES.items():
            if name in attrs and alias in attrs:
                raise serializers.ValidationError(
                    {alias: [f"Give `{name}` or its deprecated alias `{alias}`, not both."]}
                )
        after = "from" if "from" in attrs else "created_after"
        before = "to" if "to" in attrs else "created_before"
        end = attrs.get(before) or datetime.combine(
            datetime.now(UTC).date() + timedelta(days=1), time.min, tzinfo=UTC
        )
        start = attrs.get(after) or end - SUMMARY_DEFAULT_RANGE
        if start >= end:
            raise serializers.ValidationError({after: [f"`{after}` must be before `{before}`."]})
        if end - start > SUMMARY_MAX_RANGE:
            raise serializers.ValidationError({before: [f"At most 366 days after `{after}`."]})
        return {"created_after": start, "created_before": end, "group_by": attrs["group_by"]}


class UsageSummaryRowSerializer(serializers.Serializer):
    key = serializers.CharField(
        allow_null=True,
        help_text="The UTC day (YYYY-MM-DD), the model id, or the project or chat id (null: none).",
    )
    calls = serializers.IntegerField()
    tokens_input = serializers.IntegerField()
    tokens_output = serializers.IntegerField()
    cost_total = serializers.IntegerField()
    credits_charged = serializers.IntegerField()
    shortfall_cents = serializers.IntegerField()


class UsageSummaryTotalsSerializer(UsageSummaryRowSerializer):
    key = None


@extend_schema_serializer(deprecate_fields=list(UsageSummaryQuerySerializer.ALIASES.values()))
class UsageSummarySerializer(serializers.Serializer):
    """The range under the lists' names; its first names (`from`, `to`: the query's
    deprecated aliases) carry the same values until the next release (docs/api.md,
    "Deprecated")."""

    def get_fields(self):
        aliases = UsageSummaryQuerySerializer.ALIASES
        return {
            **{name: serializers.DateTimeField() for name in aliases},
            **{alias: serializers.DateTimeField(source=name) for name, alias in aliases.items()},
            "group_by": serializers.CharField(),
            "rows": UsageSummaryRowSerializer(many=True),
            "totals": UsageSummaryTotalsSerializer(),
        }


# --- the public price list ---------------------------------------------------------------


class PackageSerializer(serializers.Serializer):
    package = EnumChoiceField(CreditPackage)
    amount_cents = serializers.IntegerField()
    credits = serializers.IntegerField()


class TierSerializer(serializers.Serializer):
    # A plain string: an enum here would publish the tier choices a second time under
    # another name than accounts' `SubscriptionTierEnum`.
    tier = serializers.CharField(help_text="`free`, `basic`, `pro` or `ultra`.")
    bundled_credits = serializers.IntegerField()
    daily_credits = serializers.IntegerField()
    byok = serializers.BooleanField()


class BillingConfigSerializer(serializers.Serializer):
    packages = PackageSerializer(many=True)
    tiers = TierSerializer(many=True)
    stripe_publishable_key = serializers.CharField()
