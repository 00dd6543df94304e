"""Filters of the billing lists (API.md §6, §9.5).

Every parameter is validated: a bad choice, UUID, boolean or time is a 400, never silently
ignored. The cursor lists (ledger, usage) take `ordering` from the paginator. Filters compare
columns only, so they add no query: `project` is a UUID, not a looked-up row.
"""

import django_filters

from billing.models import (
    BilledStatus,
    CreditBucket,
    CreditLedgerEntry,
    CreditPurchase,
    CreditPurchaseStatus,
    LedgerEntryType,
    MarketplaceTransaction,
    PayoutStatus,
    TransactionType,
    UsageLog,
)
from config.filters import FilterSet, StrictBooleanFilter, UtcDateTimeFilter


class CreatedRangeFilterSet(FilterSet):
    formless = ("created_after", "created_before")

    created_after = UtcDateTimeFilter(
        field_name="created_at", lookup_expr="gte", help_text="Inclusive, ISO-8601."
    )
    created_before = UtcDateTimeFilter(
        field_name="created_at", lookup_expr="lt", help_text="Exclusive, ISO-8601."
    )


class LedgerEntryFilter(CreatedRangeFilterSet):
    bucket = django_filters.ChoiceFilter(choices=CreditBucket.choices)
    entry_type = django_filters.ChoiceFilter(choices=LedgerEntryType.choices)

    class Meta:
        model = CreditLedgerEntry
        fields = []  # only the filters declared here


class UsageLogFilter(CreatedRangeFilterSet):
    project = django_filters.UUIDFilter(field_name="project_id")
    chat = django_filters.UUIDFilter(field_name="chat_id", help_text="BIL-71")
    run = django_filters.UUIDFilter(field_name="run_id", help_text="BIL-71")
    model = django_filters.CharFilter(max_length=200)
    billed_status = django_filters.ChoiceFilter(choices=BilledStatus.choices)
    is_byok = StrictBooleanFilter()

    class Meta:
        model = UsageLog
        fields = []


class CreditPurchaseFilter(FilterSet):
    status = django_filters.ChoiceFilter(choices=CreditPurchaseStatus.choices)

    class Meta:
        model = CreditPurchase
        fields = []


class MarketplaceTransactionFilter(FilterSet):
    """`role` is not here: it decides which rows are the caller's at all, so the view reads it
    before any filter runs."""

    transaction_type = django_filters.ChoiceFilter(choices=TransactionType.choices)
    payout_status = django_filters.ChoiceFilter(choices=PayoutStatus.choices)

    class Meta:
        model = MarketplaceTransaction
        fields = []
