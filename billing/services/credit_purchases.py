"""Buying credit packages through Stripe Checkout (BIL-20…24)."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models.functions import Now
from django.utils import timezone

from billing import stripe_gateway
from billing.errors import IdempotencyKeyReused, PermanentEventError
from billing.models import CreditBucket, CreditPurchase, CreditPurchaseStatus, LedgerEntryType
from billing.services.credits import lock_user, move, shortfalls_settle
from billing.services.customers import stripe_customer_ensure

CURRENCY = "usd"


def credit_purchase_create(*, user, package, idempotency_key, success_url, cancel_url):
    """BIL-20: a pending purchase with its Checkout URL; `(purchase, replayed)`.

    The same key returns the same purchase and URL. If Stripe fails, nothing is kept (503).
    """
    existing = CreditPurchase.objects.filter(user=user, idempotency_key=idempotency_key).first()
    if existing is not None:
        if existing.package != package:
            raise IdempotencyKeyReused()
        return existing, True
    amount = settings.CREDIT_PACKAGES[package]
    customer = stripe_customer_ensure(user)
    try:
        with transaction.atomic():
            purchase = CreditPurchase.objects.create(
                user=user,
                package=package,
                amount_cents=amount,
                credits_amount=amount,
                idempotency_key=idempotency_key,
            )
            session_id, url = stripe_gateway.checkout_session_create(
                customer=customer,
                purchase=purchase,
                success_url=success_url,
                cancel_url=cancel_url,
            )
            CreditPurchase.objects.filter(pk=purchase.pk).update(
                stripe_checkout_session=session_id, checkout_url=url
            )
    except IntegrityError:
        # A concurrent request with the same key committed first: answer with its purchase.
        return credit_purchase_create(
            user=user,
            package=package,
            idempotency_key=idempotency_key,
            success_url=success_url,
            cancel_url=cancel_url,
        )
    purchase.refresh_from_db()
    return purchase, False


def credit_purchase_fulfil(*, purchase_id, amount_total, currency, payment_intent):
    """BIL-22, from the webhook: credits, spend and shortfall settlement, once.

    A purchase already completed is left alone; amounts that do not match, or a purchase
    that already failed, are permanent failures for staff.
    """
    with transaction.atomic():
        purchase = CreditPurchase.objects.select_for_update().filter(pk=purchase_id).first()
        if purchase is None or purchase.user_id is None:
            raise PermanentEventError(f"No credit purchase {purchase_id} with a user.")
        if purchase.status in (CreditPurchaseStatus.COMPLETED, CreditPurchaseStatus.REFUNDED):
            return False
        if purchase.status == CreditPurchaseStatus.FAILED:
            raise PermanentEventError(f"Checkout completed for failed purchase {purchase.pk}.")
        if amount_total != purchase.amount_cents or currency != CURRENCY:
            raise PermanentEventError(
                f"Paid {amount_total} {currency} for a purchase of {purchase.amount_cents} usd."
            )
        user = lock_user(purchase.user_id)
        CreditPurchase.objects.filter(pk=purchase.pk, status=CreditPurchaseStatus.PENDING).update(
            status=CreditPurchaseStatus.COMPLETED,
            completed_at=Now(),
            updated_at=Now(),
            stripe_payment_intent=payment_intent or None,
        )
        move(
            user,
            {CreditBucket.PURCHASED: purchase.credits_amount},
            entry_type=LedgerEntryType.CREDIT_PURCHASE,
            credit_purchase=purchase,
            extra_user_fields={"total_spend_cents": user.total_spend_cents + purchase.amount_cents},
        )
        shortfalls_settle(user=user)
    return True


def credit_purchase_fail(*, checkout_session=None, payment_intent=None):
    """BIL-23: an expired or failed checkout moves its pending purchase to failed."""
    purchases = CreditPurchase.objects.filter(status=CreditPurchaseStatus.PENDING)
    if checkout_session:
        purchases = purchases.filter(stripe_checkout_session=checkout_session)
    elif payment_intent:
        purchases = purchases.filter(stripe_payment_intent=payment_intent)
    else:
        return 0
    return purchases.update(status=CreditPurchaseStatus.FAILED, updated_at=Now())


def credit_purchase_refund(*, payment_intent, amount_refunded):
    """BIL-24, full refunds only: the credits still unspent go back, and so does the spend."""
    with transaction.atomic():
        purchase = (
            CreditPurchase.objects.select_for_update()
            .filter(stripe_payment_intent=payment_intent)
            .first()
        )
        if purchase is None:
            return None
        if purchase.status == CreditPurchaseStatus.REFUNDED:
            return False
        if purchase.status != CreditPurchaseStatus.COMPLETED or purchase.user_id is None:
            raise PermanentEventError(f"Refund of purchase {purchase.pk} in {purchase.status}.")
        if amount_refunded != purchase.amount_cents:
            raise PermanentEventError(
                f"Partial refund of {amount_refunded} on {purchase.amount_cents}: for staff."
            )
        user = lock_user(purchase.user_id)
        CreditPurchase.objects.filter(pk=purchase.pk).update(
            status=CreditPurchaseStatus.REFUNDED, refunded_at=timezone.now(), updated_at=Now()
        )
        move(
            user,
            {CreditBucket.PURCHASED: -min(purchase.credits_amount, user.purchased_credits)},
            entry_type=LedgerEntryType.CREDIT_REFUND,
            credit_purchase=purchase,
            extra_user_fields={
                "total_spend_cents": max(0, user.total_spend_cents - purchase.amount_cents)
            },
        )
    return True
