"""Credit purchases and Stripe webhooks through the services (BIL-10…24, R8)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from billing import stripe_gateway
from billing.errors import (
    IdempotencyKeyReused,
    PaymentProviderUnavailable,
    RetryLater,
    WebhookSignatureInvalid,
)
from billing.models import CreditLedgerEntry, CreditPurchase, StripeEvent, UsageLog
from billing.services.credit_purchases import credit_purchase_create
from billing.services.credits import Charge, credits_charge, tier_set
from billing.services.stripe_events import stripe_event_process, stripe_event_reprocess
from tests import figures
from tests.billing.conftest import signed
from tests.billing.factories import TEST_MODEL
from tests.concurrency import in_threads
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URLS = {"success_url": "https://app.example.com/ok", "cancel_url": "https://app.example.com/no"}
ids = iter(range(10**6))


@pytest.fixture
def stripe(stripe_settings, monkeypatch):
    """Recorded Stripe: customers and Checkout sessions get predictable ids."""
    calls = []

    def customer_create(*, email, name, user_id):
        calls.append(("customer", email))
        return f"cus_{user_id.hex[:12]}"

    def checkout_session_create(*, customer, purchase, success_url, cancel_url):
        calls.append(("session", purchase.pk))
        return f"cs_{purchase.pk.hex}", f"https://checkout.stripe.com/c/{purchase.pk.hex}"

    monkeypatch.setattr(stripe_gateway, "customer_create", customer_create)
    monkeypatch.setattr(stripe_gateway, "checkout_session_create", checkout_session_create)
    return calls


def event(kind, obj, *, event_id=None):
    return {
        "id": event_id or f"evt_{next(ids)}",
        "type": kind,
        "livemode": False,
        "data": {"object": obj},
    }


def completed(purchase, *, amount=None, currency="usd", event_id=None):
    return event(
        "checkout.session.completed",
        {
            "id": purchase.stripe_checkout_session,
            "object": "checkout.session",
            "amount_total": purchase.amount_cents if amount is None else amount,
            "currency": currency,
            "payment_intent": f"pi_{purchase.pk.hex}",
            "metadata": {
                "type": "credit_purchase",
                "purchase_id": str(purchase.pk),
                "user_id": str(purchase.user_id),
            },
        },
        event_id=event_id,
    )


def refunded(purchase, *, amount=None):
    return event(
        "charge.refunded",
        {
            "object": "charge",
            "payment_intent": f"pi_{purchase.pk.hex}",
            "amount_refunded": purchase.amount_cents if amount is None else amount,
        },
    )


def start(user, package="small", key="key-1"):
    purchase, _ = credit_purchase_create(user=user, package=package, idempotency_key=key, **URLS)
    return purchase


# --- starting a purchase (BIL-20) -------------------------------------------------------------


def test_bil_20_purchase_starts_pending_with_a_checkout_url(user, stripe):
    purchase = start(user, "medium")
    assert (purchase.amount_cents, purchase.credits_amount, purchase.status) == (
        2500,
        2500,
        "pending",
    )
    assert purchase.checkout_url.startswith("https://checkout.stripe.com/")
    assert User.objects.get(pk=user.pk).stripe_customer_id == f"cus_{user.pk.hex[:12]}"


def test_bil_20_same_key_returns_the_same_purchase(user, stripe):
    first = start(user)
    again, replayed = credit_purchase_create(
        user=user, package="small", idempotency_key="key-1", **URLS
    )
    assert replayed and again.pk == first.pk and again.checkout_url == first.checkout_url
    assert [c for c in stripe if c[0] == "session"] == [("session", first.pk)]
    with pytest.raises(IdempotencyKeyReused):
        credit_purchase_create(user=user, package="large", idempotency_key="key-1", **URLS)


def test_bil_20_stripe_down_keeps_nothing(user, stripe, monkeypatch):
    def down(**kwargs):
        raise PaymentProviderUnavailable()

    monkeypatch.setattr(stripe_gateway, "checkout_session_create", down)
    with pytest.raises(PaymentProviderUnavailable):
        start(user)
    assert not CreditPurchase.objects.exists()


def test_stripe_off_without_a_secret_key(user, settings):
    settings.STRIPE_SECRET_KEY, settings.STRIPE_ENABLED = "", False
    with pytest.raises(PaymentProviderUnavailable):
        start(user)


# --- fulfilment, failure, refunds (BIL-11, BIL-22…24) -----------------------------------------


def test_bil_22_completed_checkout_credits_once(user, stripe):
    purchase = start(user)
    payload = completed(purchase)
    assert stripe_event_process(event=payload).status == "processed"
    assert stripe_event_process(event=payload) is None  # the same delivery again
    assert stripe_event_process(event=completed(purchase)).status == "processed"  # a new event
    user = User.objects.get(pk=user.pk)
    assert (user.purchased_credits, user.total_spend_cents) == (500, 500)
    purchase.refresh_from_db()
    assert purchase.status == "completed" and purchase.stripe_payment_intent
    assert CreditLedgerEntry.objects.filter(credit_purchase=purchase).count() == 1


def test_bil_22_wrong_amount_or_currency_is_a_permanent_failure(user, stripe):
    purchase = start(user)
    for payload in (completed(purchase, amount=499), completed(purchase, currency="eur")):
        stored = stripe_event_process(event=payload)
        assert stored.status == "failed" and stored.error
    purchase.refresh_from_db()
    assert purchase.status == "pending"
    assert User.objects.get(pk=user.pk).purchased_credits == 0


def test_bil_22_purchased_credits_settle_shortfalls(user, stripe):
    log, _ = credits_charge(
        charge=Charge(user_id=user.pk, model=TEST_MODEL, tokens_input=2_000_000, tokens_output=0),
        request_id="owed",
    )
    assert log.shortfall_cents == 200
    stripe_event_process(event=completed(start(user)))
    log.refresh_from_db()
    assert (log.shortfall_cents, log.billed_status) == (0, "paid")
    assert User.objects.get(pk=user.pk).purchased_credits == 300


def test_bil_23_expired_checkout_fails_the_purchase_and_a_late_completion_is_for_staff(
    user, stripe
):
    purchase = start(user)
    stripe_event_process(
        event=event(
            "checkout.session.expired",
            {"id": purchase.stripe_checkout_session, "object": "checkout.session"},
        )
    )
    purchase.refresh_from_db()
    assert purchase.status == "failed"
    assert stripe_event_process(event=completed(purchase)).status == "failed"
    assert User.objects.get(pk=user.pk).purchased_credits == 0


def test_bil_24_full_refund_takes_back_what_is_left(user, stripe):
    purchase = start(user)
    stripe_event_process(event=completed(purchase))
    credits_charge(
        charge=Charge(user_id=user.pk, model=TEST_MODEL, tokens_input=1_000_000, tokens_output=0),
        request_id="spent",
    )
    stripe_event_process(event=refunded(purchase))
    user = User.objects.get(pk=user.pk)
    assert (user.purchased_credits, user.total_spend_cents) == (0, 0)
    purchase.refresh_from_db()
    assert purchase.status == "refunded" and purchase.refunded_at is not None
    refund = CreditLedgerEntry.objects.get(entry_type="credit_refund")
    assert refund.amount == -400  # 100 of the 500 were already spent


def test_bil_24_partial_refund_is_left_for_staff(user, stripe):
    purchase = start(user)
    stripe_event_process(event=completed(purchase))
    assert stripe_event_process(event=refunded(purchase, amount=100)).status == "failed"
    assert User.objects.get(pk=user.pk).purchased_credits == 500


def test_r8_out_of_order_refund_waits_for_the_completion(user, stripe):
    purchase = start(user)
    early = refunded(purchase)
    with pytest.raises(RetryLater):
        stripe_event_process(event=early)
    assert not StripeEvent.objects.filter(event_id=early["id"]).exists()
    stripe_event_process(event=completed(purchase))
    assert stripe_event_process(event=early).status == "processed"
    assert User.objects.get(pk=user.pk).purchased_credits == 0


def test_bil_13_reprocessing_a_failed_event_applies_it_once(user, stripe):
    purchase = start(user)
    stored = stripe_event_process(event=completed(purchase, event_id="evt_orphan"))
    assert stored.status == "processed"
    StripeEvent.objects.filter(pk=stored.pk).update(status="failed", error="simulated")
    assert stripe_event_reprocess(event=stored) is True
    assert User.objects.get(pk=user.pk).purchased_credits == 500


# --- subscriptions and invoices (BIL-6, BIL-12) -----------------------------------------------


def subscription(status, price="price_pro", period_end=None):
    end = period_end or int((timezone.now() + timedelta(days=30)).timestamp())
    return {
        "id": "sub_1",
        "status": status,
        "items": {"data": [{"price": {"id": price}, "current_period_end": end}]},
    }


def test_bil_12_subscription_events_apply_the_current_state(user, stripe, monkeypatch):
    User.objects.filter(pk=user.pk).update(stripe_customer_id="cus_sub")
    state = {"now": subscription("active")}
    monkeypatch.setattr(stripe_gateway, "subscription_retrieve", lambda _id: state["now"])
    stripe_event_process(
        event=event("customer.subscription.updated", {"id": "sub_1", "customer": "cus_sub"})
    )
    pro = User.objects.get(pk=user.pk)
    assert (pro.subscription_tier, pro.bundled_credits) == ("pro", 2000)
    # A stale "created" arriving late re-reads the same state: nothing refills.
    stripe_event_process(
        event=event("customer.subscription.created", {"id": "sub_1", "customer": "cus_sub"})
    )
    assert CreditLedgerEntry.objects.filter(user=user, entry_type="bundled_reset").count() == 1
    state["now"] = subscription("canceled")
    stripe_event_process(
        event=event("customer.subscription.deleted", {"id": "sub_1", "customer": "cus_sub"})
    )
    assert User.objects.get(pk=user.pk).subscription_tier == "free"


def test_bil_12_unknown_customer_is_a_permanent_failure(stripe):
    stored = stripe_event_process(
        event=event("customer.subscription.updated", {"id": "sub_1", "customer": "cus_nobody"})
    )
    assert stored.status == "failed"


def test_bil_12_renewal_invoice_resets_bundled_once_per_period(user, stripe):
    User.objects.filter(pk=user.pk).update(stripe_customer_id="cus_inv")
    start_ts = int(timezone.now().timestamp())
    end_ts = start_ts + 30 * 86400
    # The previous period ends where the invoice's period starts, as Stripe's periods do.
    tier_set(user=user, tier="basic", period_end=datetime.fromtimestamp(start_ts, tz=UTC))
    credits_charge(
        charge=Charge(user_id=user.pk, model=TEST_MODEL, tokens_input=3_000_000, tokens_output=0),
        request_id="spend",
    )
    invoice = {
        "customer": "cus_inv",
        "amount_paid": 900,
        "billing_reason": "subscription_cycle",
        "lines": {"data": [{"period": {"start": start_ts, "end": end_ts}}]},
    }
    stripe_event_process(event=event("invoice.payment_succeeded", invoice))
    stripe_event_process(event=event("invoice.payment_succeeded", invoice))  # a second event
    after = User.objects.get(pk=user.pk)
    assert after.bundled_credits == 500
    assert after.credits_reset_at == datetime.fromtimestamp(end_ts, tz=UTC)
    assert after.total_spend_cents == 1800
    resets = CreditLedgerEntry.objects.filter(user=user, entry_type="bundled_reset").count()
    assert resets == 2  # the tier change and one renewal


def test_unhandled_event_types_are_stored_as_ignored(stripe):
    assert stripe_event_process(event=event("customer.created", {})).status == "ignored"


# --- authenticity (BIL-10) and concurrency (R8) -----------------------------------------------


def test_bil_10_signature_is_checked_on_the_raw_body(stripe):
    body, header = signed(event("customer.created", {}))
    assert stripe_gateway.event_verify(body, header)["type"] == "customer.created"
    with pytest.raises(WebhookSignatureInvalid):
        stripe_gateway.event_verify(body + " ", header)
    with pytest.raises(WebhookSignatureInvalid):
        stripe_gateway.event_verify(body, signed(event("x", {}), secret="whsec_other")[1])
    old_body, old_header = signed(
        event("customer.created", {}), timestamp=timezone.now().timestamp() - 301
    )
    with pytest.raises(WebhookSignatureInvalid):
        stripe_gateway.event_verify(old_body, old_header)


@pytest.mark.django_db(transaction=True)
def test_r8_twenty_events_delivered_32_times_at_once_grant_twenty(stripe_settings, monkeypatch):
    monkeypatch.setattr(
        stripe_gateway, "customer_create", lambda **kw: f"cus_{kw['user_id'].hex[:10]}"
    )
    monkeypatch.setattr(
        stripe_gateway,
        "checkout_session_create",
        lambda **kw: (f"cs_{kw['purchase'].pk.hex}", "https://checkout.example"),
    )
    user = UserFactory()
    events = [completed(start(user, key=f"k{i}")) for i in range(20)]

    def deliver(worker):
        for offset in range(20):
            stripe_event_process(event=events[(worker + offset) % 20])

    _, errors = in_threads(32, deliver)
    grants = CreditLedgerEntry.objects.filter(user=user, entry_type="credit_purchase").count()
    figures.record("R8", f"service: 640 deliveries of 20 events, {grants} grants")
    assert errors == []
    assert grants == 20
    assert StripeEvent.objects.count() == 20
    assert User.objects.get(pk=user.pk).purchased_credits == 20 * 500
    assert not UsageLog.objects.exists()
