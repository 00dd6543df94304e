"""Reads of billing that the API and admin share (HackSoft: reads in selectors, writes in
services). Each is one query unless its docstring says otherwise."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate

from accounts.models import User
from billing.filters import LedgerEntryFilter, UsageLogFilter
from billing.models import (
    BilledStatus,
    CreditLedgerEntry,
    LedgerEntryType,
    MarketplaceTransaction,
    PayoutStatus,
    UsageLog,
)
from billing.serializers.credits import LedgerEntrySerializer, UsageLogSerializer
from billing.services.credits import CHARGE_ORDER
from config.api import values_for
from config.pagination import PreparedPages

# BIL-36: what a user still owes. Invoiced logs are being collected outside the Studio, but
# they are owed all the same.
OUTSTANDING = (BilledStatus.PENDING, BilledStatus.INVOICED)


def with_outstanding(users):
    """Users annotated with `outstanding_cents`, what each still owes (BIL-36)."""
    owed = (
        UsageLog.objects.filter(user=OuterRef("pk"), billed_status__in=OUTSTANDING)
        .order_by()
        .values("user")
        .annotate(total=Sum("shortfall_cents"))
        .values("total")
    )
    return users.annotate(outstanding_cents=Coalesce(Subquery(owed), 0))


def _own_rows(model, serializer_class, filterset_class):
    """The list of `model` its API shows a user (their rows, as `ColumnsListMixin` reads
    them), narrowed by the `formless` filters given: `PreparedPages`'s `build`."""

    def build(owner, **formless):
        rows = values_for(model.objects.visible_to(User(pk=owner)), serializer_class)
        return filterset_class.filter_formless(rows, formless)

    return build


# The stand-ins are told apart in the compiled parameters (config.prepared).
RANGE_STAND_INS = {
    "owner": uuid.UUID(int=1),
    "created_after": datetime(2001, 1, 1, 1, 1, 1, tzinfo=UTC),
    "created_before": datetime(2002, 2, 2, 2, 2, 2, tzinfo=UTC),
}
# W2 and the ledger: a user's own rows, in a date range or not, a keyset page each.
USAGE_PAGES = PreparedPages(
    UsageLog, _own_rows(UsageLog, UsageLogSerializer, UsageLogFilter), **RANGE_STAND_INS
)
LEDGER_PAGES = PreparedPages(
    CreditLedgerEntry,
    _own_rows(CreditLedgerEntry, LedgerEntrySerializer, LedgerEntryFilter),
    **RANGE_STAND_INS,
)


def balance_for(user):
    """The user's buckets as they are now, with `outstanding_cents` (API.md §9.5 Balance)."""
    return with_outstanding(User.objects.all()).get(pk=user.pk)


def usage_debits(log):
    """BIL-33: what a charge took from each bucket, read back from its `usage` entries, so a
    replay answers exactly what the first request did."""
    entries = CreditLedgerEntry.objects.filter(
        usage_log=log, entry_type=LedgerEntryType.USAGE
    ).values("bucket", "amount", "balance_after")
    return sorted(entries, key=lambda entry: CHARGE_ORDER.index(entry["bucket"]))


SUMMARY_KEYS = {
    "day": TruncDate("created_at", tzinfo=UTC),
    "model": F("model"),
    "project": F("project_id"),
    "chat": F("chat_id"),  # BIL-71
}
SUMMARY_SUMS = ("tokens_input", "tokens_output", "cost_total", "credits_charged", "shortfall_cents")


def usage_summary(*, user, start, end, group_by):
    """W7: the user's usage in `[start, end)` grouped by UTC day, model, project or chat
    (BIL-71), in one query on the `(user, created_at, id)` index. Days come oldest first;
    the others biggest spend first. Returns `(rows, totals)`."""
    grouped = (
        UsageLog.objects.filter(user=user, created_at__gte=start, created_at__lt=end)
        .annotate(key=SUMMARY_KEYS[group_by])
        .values("key")
        # Annotations may not reuse the model's field names, hence the `sum_` prefix.
        .annotate(calls=Count("id"), **{f"sum_{name}": Sum(name) for name in SUMMARY_SUMS})
    )
    if group_by == "day":
        grouped = grouped.order_by("key")
    else:
        grouped = grouped.order_by("-sum_cost_total", F("key").asc(nulls_last=True))
    rows = [
        {
            "key": row["key"],
            "calls": row["calls"],
            **{name: row[f"sum_{name}"] for name in SUMMARY_SUMS},
        }
        for row in grouped
    ]
    totals = {"calls": sum(row["calls"] for row in rows)}
    totals.update({name: sum(row[name] for row in rows) for name in SUMMARY_SUMS})
    return rows, totals


@dataclass(frozen=True)
class Earnings:
    pending_cents: int
    processing_cents: int
    paid_cents: int
    failed_cents: int
    refunded_cents: int
    usage_creator_revenue_cents: int


def _creator_share(condition):
    return Coalesce(Sum("amount_creator", filter=condition), 0)


def earnings_for(user):
    """The creator's share of their sales by payout status (refunded sales apart), and of the
    usage of their api-priced agents. Two queries: one per table."""
    unrefunded = Q(refunded_at__isnull=True)
    sales = MarketplaceTransaction.objects.filter(creator=user).aggregate(
        pending_cents=_creator_share(unrefunded & Q(payout_status=PayoutStatus.PENDING)),
        processing_cents=_creator_share(unrefunded & Q(payout_status=PayoutStatus.PROCESSING)),
        paid_cents=_creator_share(unrefunded & Q(payout_status=PayoutStatus.PAID)),
        failed_cents=_creator_share(unrefunded & Q(payout_status=PayoutStatus.FAILED)),
        refunded_cents=_creator_share(Q(refunded_at__isnull=False)),
    )
    usage = UsageLog.objects.filter(creator=user).aggregate(
        usage_creator_revenue_cents=Coalesce(Sum("creator_revenue"), 0)
    )
    return Earnings(**sales, **usage)
