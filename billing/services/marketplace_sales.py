"""Marketplace sales: purchases with the 90/10 split, refunds and payouts (BIL-40…43)."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models.functions import Now
from django.utils import timezone

from billing.errors import IdempotencyKeyReused, InsufficientCredits, RefundNotAllowed
from billing.models import (
    CreditBucket,
    LedgerEntryType,
    MarketplaceTransaction,
    PayoutStatus,
    TransactionType,
)
from billing.permissions import user_can_manage_payouts, user_can_refund_sales
from billing.services.credits import BILLING_PERIOD, creator_share, lock_user, move
from config.exceptions import InvalidStateTransition, require
from marketplace.library import free_install_keyed, library_add, library_row
from marketplace.models import AgentPricingType, MarketplaceAgent, PurchaseType

# BIL-43: where a payout may go from each status.
PAYOUT_TRANSITIONS = {
    PayoutStatus.PROCESSING: [PayoutStatus.PENDING],
    PayoutStatus.PAID: [PayoutStatus.PENDING, PayoutStatus.PROCESSING],
    PayoutStatus.FAILED: [PayoutStatus.PENDING, PayoutStatus.PROCESSING],
    PayoutStatus.PENDING: [PayoutStatus.FAILED],
}


@dataclass(frozen=True)
class PurchaseResult:
    entry: object
    charged_cents: int
    transaction: MarketplaceTransaction | None
    changed: bool
    replayed: bool = False


def _item_field(item):
    return "agent" if isinstance(item, MarketplaceAgent) else "base"


def _is_one_off(item):
    return item.pricing_type in (AgentPricingType.ONE_TIME, "paid")


def _replay(existing, item, buyer):
    if getattr(existing, f"{_item_field(item)}_id") != item.pk:
        raise IdempotencyKeyReused()
    return PurchaseResult(
        entry=library_row(user=buyer, item=item),
        charged_cents=existing.amount_total,
        transaction=existing,
        changed=False,
        replayed=True,
    )


def _charge(buyer, item, idempotency_key, transaction_type):
    """BIL-41 step 6: from purchased credits only (other buckets cannot pay creators)."""
    if buyer.purchased_credits < item.price:
        raise InsufficientCredits(
            "Marketplace items are paid from purchased credits; buy credits first."
        )
    creator_amount = creator_share(item.price) if item.created_by_user_id else 0
    sale = MarketplaceTransaction.objects.create(
        buyer=buyer,
        creator_id=item.created_by_user_id,
        item_name=item.name,
        transaction_type=transaction_type,
        amount_total=item.price,
        amount_creator=creator_amount,
        amount_platform=item.price - creator_amount,
        idempotency_key=idempotency_key,
        **{_item_field(item): item},
    )
    move(
        buyer,
        {CreditBucket.PURCHASED: -item.price},
        entry_type=LedgerEntryType.MARKETPLACE_PURCHASE,
        marketplace_transaction=sale,
    )
    return sale


def item_purchase(*, buyer, item, idempotency_key):
    """BIL-41: add an agent or base to the buyer's library, charging what its pricing asks.

    The item must be visible to the buyer (the caller checks: 404 otherwise). Purchases by one
    buyer run one at a time under the buyer's row lock, so one key charges once.
    """
    with transaction.atomic():
        if item.created_by_user_id == buyer.pk:
            return PurchaseResult(library_row(user=buyer, item=item), 0, None, changed=False)
        buyer = lock_user(buyer.pk)
        existing = MarketplaceTransaction.objects.filter(
            buyer=buyer, idempotency_key=idempotency_key
        ).first()
        if existing is not None:
            return _replay(existing, item, buyer)
        keyed = free_install_keyed(user=buyer, idempotency_key=idempotency_key)
        if keyed is not None and keyed != item.pk:
            raise IdempotencyKeyReused()
        if item.pricing_type in (AgentPricingType.FREE, AgentPricingType.API):
            return _install_free(buyer, item, idempotency_key)
        if _is_one_off(item):
            return _purchase_one_off(buyer, item, idempotency_key)
        return _purchase_subscription(buyer, item, idempotency_key)


def _install_free(buyer, item, idempotency_key):
    """A free item: no sale, so the library row keeps the key of the request that added it,
    and the same key again is a replay (200 with `Idempotent-Replayed`), as a paid one is."""
    entry, change = library_add(user=buyer, item=item, purchase_type=PurchaseType.FREE)
    if change is None:
        return PurchaseResult(
            entry, 0, None, changed=False, replayed=entry.free_install_key == idempotency_key
        )
    type(entry).objects.filter(pk=entry.pk).update(free_install_key=idempotency_key)
    entry.free_install_key = idempotency_key
    return PurchaseResult(entry, 0, None, changed=True)


def _purchase_one_off(buyer, item, idempotency_key):
    owned = MarketplaceTransaction.objects.filter(
        buyer=buyer,
        transaction_type=TransactionType.ONE_TIME,
        refunded_at__isnull=True,
        **{_item_field(item): item},
    ).exists()
    sale = None if owned else _charge(buyer, item, idempotency_key, TransactionType.ONE_TIME)
    entry, change = library_add(user=buyer, item=item, purchase_type=PurchaseType.PURCHASED)
    return PurchaseResult(entry, sale.amount_total if sale else 0, sale, changed=change is not None)


def _purchase_subscription(buyer, item, idempotency_key):
    now = timezone.now()
    row = library_row(user=buyer, item=item)
    if row is not None and not row.is_active and row.expires_at and row.expires_at > now:
        # Removed during a paid period: the period is still paid for.
        entry, change = library_add(
            user=buyer,
            item=item,
            purchase_type=PurchaseType.SUBSCRIPTION,
            expires_at=row.expires_at,
        )
        return PurchaseResult(entry, 0, None, changed=change is not None)
    sale = _charge(buyer, item, idempotency_key, TransactionType.SUBSCRIPTION)
    start = max(now, row.expires_at) if row is not None and row.expires_at else now
    entry, _ = library_add(
        user=buyer,
        item=item,
        purchase_type=PurchaseType.SUBSCRIPTION,
        expires_at=start + BILLING_PERIOD,
    )
    return PurchaseResult(entry, sale.amount_total, sale, changed=True)


def marketplace_transaction_refund(*, sale, actor, reason):
    """BIL-42: credits back to the buyer and the access withdrawn; never after a payout."""
    require(user_can_refund_sales(actor))
    with transaction.atomic():
        sale = MarketplaceTransaction.objects.select_for_update().get(pk=sale.pk)
        if sale.refunded_at is not None:
            raise RefundNotAllowed("Already refunded.")
        if sale.payout_status == PayoutStatus.PAID:
            raise RefundNotAllowed("The creator has been paid out.")
        if sale.buyer_id is None:
            raise RefundNotAllowed("The buyer no longer exists.")
        buyer = lock_user(sale.buyer_id)
        move(
            buyer,
            {CreditBucket.PURCHASED: sale.amount_total},
            entry_type=LedgerEntryType.MARKETPLACE_REFUND,
            marketplace_transaction=sale,
        )
        MarketplaceTransaction.objects.filter(pk=sale.pk).update(
            refunded_at=Now(), refund_reason=reason[:255], updated_at=Now()
        )
        item = sale.agent or sale.base
        row = library_row(user=buyer, item=item, lock=True) if item is not None else None
        if row is not None:
            _withdraw_access(row, sale)


def _withdraw_access(row, sale):
    now = timezone.now()
    if sale.transaction_type == TransactionType.ONE_TIME:
        type(row).objects.filter(pk=row.pk).update(is_active=False, updated_at=Now())
        return
    expires_at = max(now, row.expires_at - BILLING_PERIOD)
    type(row).objects.filter(pk=row.pk).update(
        expires_at=expires_at, is_active=row.is_active and expires_at > now, updated_at=Now()
    )


def payout_set(*, sale, new_status, actor, stripe_payout_id=""):
    """BIL-43: one conditional update; a refunded sale is never paid out."""
    require(user_can_manage_payouts(actor))
    allowed = PAYOUT_TRANSITIONS[new_status]
    rows = MarketplaceTransaction.objects.filter(pk=sale.pk, payout_status__in=allowed)
    fields = {"payout_status": new_status, "updated_at": Now()}
    if new_status == PayoutStatus.PAID:
        rows = rows.filter(refunded_at__isnull=True)
        fields.update(payout_date=Now(), stripe_payout_id=stripe_payout_id[:255])
    else:
        fields["payout_date"] = None
    if not rows.update(**fields):
        raise InvalidStateTransition()
