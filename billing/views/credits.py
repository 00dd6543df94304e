"""Credits: the public price list, the caller's balance and ledger, and usage (BIL-30…36).

The ledger and usage lists are the caller's own rows only, newest first, one cursor-paginated
query of plain columns each (PERFORMANCE.md W2). Usage checks and charges are for the agent
runtime (`billing.charge_usage`), for any user.
"""

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from billing.filters import LedgerEntryFilter, UsageLogFilter
from billing.models import CreditLedgerEntry, UsageLog
from billing.selectors import (
    LEDGER_PAGES,
    USAGE_PAGES,
    balance_for,
    usage_debits,
    usage_summary,
)
from billing.serializers.credits import (
    BillingConfigSerializer,
    CreditBalanceSerializer,
    LedgerEntrySerializer,
    UsageChargeResultSerializer,
    UsageChargeSerializer,
    UsageCheckResultSerializer,
    UsageCheckSerializer,
    UsageLogSerializer,
    UsageSummaryQuerySerializer,
    UsageSummarySerializer,
)
from billing.services.usage import usage_check, usage_record
from billing.views.base import (
    IDEMPOTENCY_PARAMETERS,
    SERVICE,
    created_or_replayed,
    idempotency_key,
)
from config.api import APIView, ColumnsListMixin, StudioViewSet
from config.pagination import KeysetCursorPagination
from config.replica import lag_tolerant
from config.schema import error


class BillingConfigView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Credit packages, tiers and the Stripe publishable key",
        responses=BillingConfigSerializer,
    )
    def get(self, request):
        config = {
            # A package's price in cents equals its credits (DATA_MODEL.md §6).
            "packages": [
                {"package": package, "amount_cents": cents, "credits": cents}
                for package, cents in settings.CREDIT_PACKAGES.items()
            ],
            "tiers": [
                {"tier": tier, **allowance} for tier, allowance in settings.TIER_ALLOWANCES.items()
            ],
            "stripe_publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
        }
        return Response(BillingConfigSerializer(config).data)


class CreditBalanceView(APIView):
    @extend_schema(
        summary="Your credit buckets and what you still owe (BIL-36)",
        responses=CreditBalanceSerializer,
    )
    def get(self, request):
        return Response(CreditBalanceSerializer(balance_for(request.user)).data)


@extend_schema_view(list=extend_schema(summary="Your credit ledger, newest first (BIL-3)"))
class LedgerEntryViewSet(ColumnsListMixin, StudioViewSet):
    """The caller's credit ledger: every movement of their buckets, newest first."""

    serializer_class = LedgerEntrySerializer
    pagination_class = KeysetCursorPagination
    filterset_class = LedgerEntryFilter
    prepared_pages = LEDGER_PAGES

    def get_queryset(self):
        return CreditLedgerEntry.objects.visible_to(self.request.user)


@extend_schema_view(
    list=extend_schema(summary="Your usage logs, newest first (W2)"),
    create=extend_schema(
        summary="Record an LLM call and charge its cost (BIL-32, BIL-33; service)",
        request=UsageChargeSerializer,
        parameters=IDEMPOTENCY_PARAMETERS,
        responses={
            201: UsageChargeResultSerializer,
            200: UsageChargeResultSerializer,
            400: error(
                "Bad input (a chat or run not of the charged user's project: BIL-70), "
                "`byok_key_missing` or `idempotency_key_required`."
            ),
            409: error("`idempotency_key_reused`."),
        },
    ),
)
class UsageLogViewSet(ColumnsListMixin, StudioViewSet):
    """Usage logs. Listing and the summary show the caller's own; checks and charges are the
    agent runtime's, for any user, and never answer 402 to a charge (BIL-35)."""

    serializer_class = UsageLogSerializer
    pagination_class = KeysetCursorPagination
    filterset_class = UsageLogFilter
    prepared_pages = USAGE_PAGES
    action_permissions = {"create": SERVICE, "check": SERVICE}
    write_serializers = {"create": UsageChargeSerializer, "check": UsageCheckSerializer}

    def get_queryset(self):
        return UsageLog.objects.visible_to(self.request.user)

    @lag_tolerant
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def create(self, request):
        key = idempotency_key(request)
        charge = self.validated(UsageChargeSerializer)
        log, replayed = usage_record(request_id=key, **charge)
        balance = balance_for(charge["user"])
        result = {
            "usage": log,
            "debits": usage_debits(log),
            "balance": balance,
            "exhausted": balance.total_credits == 0,
        }
        status_code, headers = created_or_replayed(replayed)
        return Response(
            UsageChargeResultSerializer(result).data, status=status_code, headers=headers
        )

    @extend_schema(
        summary="May the runtime start this call? (BIL-35; service)",
        request=UsageCheckSerializer,
        responses={
            200: UsageCheckResultSerializer,
            400: error("Bad input or `byok_key_missing`."),
            402: error("`insufficient_credits`."),
        },
    )
    @action(detail=False, methods=["post"], filter_backends=[], pagination_class=None)
    def check(self, request):
        data = self.validated(UsageCheckSerializer)
        usage_check(**data)
        result = {"allowed": True, "total_credits": data["user"].total_credits}
        return Response(UsageCheckResultSerializer(result).data)

    @extend_schema(
        summary="Your usage by UTC day, model, project or chat, in one query (W7, BIL-71)",
        parameters=[
            UsageSummaryQuerySerializer,
            *(
                OpenApiParameter(
                    alias,
                    OpenApiTypes.DATETIME,
                    description=f"Deprecated alias of `{name}`, read until the next release.",
                    deprecated=True,
                )
                for name, alias in UsageSummaryQuerySerializer.ALIASES.items()
            ),
        ],
        responses=UsageSummarySerializer,
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    @lag_tolerant
    def summary(self, request):
        query = UsageSummaryQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        period = query.validated_data
        rows, totals = usage_summary(
            user=request.user,
            start=period["created_after"],
            end=period["created_before"],
            group_by=period["group_by"],
        )
        result = {**period, "rows": rows, "totals": totals}
        return Response(UsageSummarySerializer(result).data)
