"""The Stripe webhook through the API (BIL-10…13, RELIABILITY.md R8): signatures, duplicates,
retries, and a storm of concurrent deliveries."""

import random
import time

import pytest
from rest_framework.test import APIClient

from accounts.models import SubscriptionTier, User
from billing.models import CreditLedgerEntry, CreditPurchase, StripeEvent, StripeEventStatus
from tests import figures
from tests.billing.api.utils import WEBHOOK
from tests.billing.conftest import signed
from tests.billing.factories import pending_purchase
from tests.concurrency import in_threads
from tests.factories import UserFactory
from tests.helpers import assert_error


def deliver(event, *, client=None, **signing):
    body, signature = signed(event, **signing)
    return (client or APIClient()).post(
        WEBHOOK, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )


def completed(purchase, event_id="evt_completed", amount=None):
    return {
        "id": event_id,
        "type": "checkout.session.completed",
        "livemode": False,
        "data": {
            "object": {
                "id": purchase.stripe_checkout_session,
                "object": "checkout.session",
                "amount_total": purchase.amount_cents if amount is None else amount,
                "currency": "usd",
                "payment_intent": f"pi_{purchase.pk.hex}",
                "metadata": {"type": "credit_purchase", "purchase_id": str(purchase.pk)},
            }
        },
    }


def refunded(purchase, event_id="evt_refunded"):
    return {
        "id": event_id,
        "type": "charge.refunded",
        "data": {
            "object": {
                "id": "ch_1",
                "object": "charge",
                "payment_intent": f"pi_{purchase.pk.hex}",
                "amount_refunded": purchase.amount_cents,
            }
        },
    }


def purchased_credits(user):
    return User.objects.get(pk=user.pk).purchased_credits


@pytest.mark.django_db
class TestWebhook:
    @pytest.fixture(autouse=True)
    def _stripe(self, stripe_settings):
        return stripe_settings

    def test_bil_10_a_valid_event_is_applied_once(self, user):
        purchase = pending_purchase(user, "small")
        response = deliver(completed(purchase))
        assert response.status_code == 200
        assert response.json() == {"received": True}
        assert StripeEvent.objects.get().status == StripeEventStatus.PROCESSED
        assert purchased_credits(user) == 500

    @pytest.mark.parametrize(
        "signing",
        [{"secret": "whsec_wrong"}, {"timestamp": time.time() - 301}],
        ids=["wrong-secret", "stale-timestamp"],
    )
    def test_bil_10_bad_or_stale_signature_is_400_and_stores_nothing(self, user, signing):
        purchase = pending_purchase(user, "small")
        response = deliver(completed(purchase), **signing)
        assert_error(response, 400, "validation_error")
        assert not StripeEvent.objects.exists()
        assert purchased_credits(user) == 0

    def test_bil_10_a_timestamp_within_tolerance_is_accepted(self, user):
        purchase = pending_purchase(user, "small")
        assert deliver(completed(purchase), timestamp=time.time() - 250).status_code == 200

    @pytest.mark.parametrize("header", [None, "", "t=1,v1=abc", "garbage"])
    def test_bil_10_missing_or_malformed_signature_is_400(self, header):
        body, _ = signed({"id": "evt_1", "type": "customer.created", "data": {"object": {}}})
        extra = {} if header is None else {"HTTP_STRIPE_SIGNATURE": header}
        response = APIClient().post(WEBHOOK, body, content_type="application/json", **extra)
        assert_error(response, 400, "validation_error")
        assert not StripeEvent.objects.exists()

    def test_bil_10_a_body_changed_after_signing_is_400(self, user):
        purchase = pending_purchase(user, "small")
        body, signature = signed(completed(purchase))
        tampered = body.replace('"amount_total": 500', '"amount_total": 50')
        response = APIClient().post(
            WEBHOOK, tampered, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
        )
        assert_error(response, 400, "validation_error")

    def test_bil_10_without_a_webhook_secret_every_event_is_refused(self, settings, user):
        settings.STRIPE_WEBHOOK_SECRET = ""
        assert deliver(completed(pending_purchase(user))).status_code == 400

    def test_bil_11_a_duplicate_is_200_and_changes_nothing(self, user):
        purchase = pending_purchase(user, "small")
        assert deliver(completed(purchase)).status_code == 200
        again = deliver(completed(purchase))
        assert again.status_code == 200
        assert again.json() == {"received": True}
        assert StripeEvent.objects.count() == 1
        assert CreditLedgerEntry.objects.filter(entry_type="credit_purchase").count() == 1

    def test_bil_11_a_second_event_for_the_same_purchase_grants_nothing(self, user):
        purchase = pending_purchase(user, "small")
        deliver(completed(purchase, "evt_a"))
        assert deliver(completed(purchase, "evt_b")).status_code == 200
        assert purchased_credits(user) == 500

    def test_bil_11_an_ignored_type_is_stored_and_200(self):
        event = {"id": "evt_ignored", "type": "customer.created", "data": {"object": {}}}
        assert deliver(event).status_code == 200
        assert StripeEvent.objects.get().status == StripeEventStatus.IGNORED

    def test_bil_11_a_permanent_failure_is_stored_as_failed_and_200(self, user):
        purchase = pending_purchase(user, "small")
        response = deliver(completed(purchase, amount=499))
        assert response.status_code == 200
        stored = StripeEvent.objects.get()
        assert stored.status == StripeEventStatus.FAILED and "499" in stored.error
        assert CreditPurchase.objects.get().status == "pending"
        assert purchased_credits(user) == 0

    def test_bil_11_an_event_before_its_state_is_503_retry_later_and_stores_nothing(self, user):
        purchase = pending_purchase(user, "small")
        assert_error(deliver(refunded(purchase)), 503, "retry_later")
        assert not StripeEvent.objects.exists()
        deliver(completed(purchase))
        assert deliver(refunded(purchase)).status_code == 200  # Stripe's retry now applies
        assert CreditPurchase.objects.get().status == "refunded"
        assert purchased_credits(user) == 0

    def test_bil_12_subscription_events_set_the_tier_from_stripe(self, monkeypatch, user):
        from billing import stripe_gateway

        User.objects.filter(pk=user.pk).update(stripe_customer_id="cus_sub")
        subscription = {
            "id": "sub_1",
            "status": "active",
            "items": {"data": [{"price": {"id": "price_pro"}, "current_period_end": 2e9}]},
        }
        monkeypatch.setattr(stripe_gateway, "subscription_retrieve", lambda _: subscription)
        event = {
            "id": "evt_sub",
            "type": "customer.subscription.updated",
            "data": {"object": {"id": "sub_1", "customer": "cus_sub"}},
        }
        assert deliver(event).status_code == 200
        user = User.objects.get(pk=user.pk)
        assert user.subscription_tier == SubscriptionTier.PRO
        assert user.bundled_credits == 2000

    def test_the_webhook_is_not_throttled(self, settings):
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {
                **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                "anon": "2/min",
            },
        }
        for number in range(5):
            event = {"id": f"evt_{number}", "type": "customer.created", "data": {"object": {}}}
            assert deliver(event).status_code == 200
        assert APIClient().get("/api/v1/billing/config/").status_code == 200
        assert APIClient().get("/api/v1/billing/config/").status_code == 200
        assert_error(APIClient().get("/api/v1/billing/config/"), 429, "throttled")

    def test_the_webhook_needs_no_csrf_token_or_session(self, client, staff_user, user):
        csrf_client = APIClient(enforce_csrf_checks=True)
        csrf_client.force_login(staff_user)
        purchase = pending_purchase(user, "small")
        assert deliver(completed(purchase), client=csrf_client).status_code == 200

    @pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
    def test_only_post(self, method):
        response = getattr(APIClient(), method)(WEBHOOK)
        assert_error(response, 405, "method_not_allowed")


@pytest.mark.django_db(transaction=True)
def test_r8_20_events_each_delivered_32_times_concurrently_grant_20_times(stripe_settings):
    buyers = [UserFactory() for _ in range(4)]
    purchases = [pending_purchase(buyers[n % 4], "small") for n in range(20)]
    events = [completed(purchase, f"evt_storm_{n}") for n, purchase in enumerate(purchases)]
    signed_events = [signed(event) for event in events]

    def work(thread):
        client = APIClient()
        order = list(range(len(events)))
        random.Random(thread).shuffle(order)  # noqa: S311 - a delivery order, not a secret
        statuses = []
        for index in order:
            body, signature = signed_events[index]
            response = client.post(
                WEBHOOK, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
            )
            statuses.append(response.status_code)
        return statuses

    results, errors = in_threads(32, work)
    assert errors == []
    assert {status for statuses in results for status in statuses} == {200}
    grants = CreditLedgerEntry.objects.filter(entry_type="credit_purchase").count()
    figures.record("R8", f"API storm: 640 deliveries, {grants} grants for 20 events")
    assert grants == 20
    assert StripeEvent.objects.count() == 20
    for buyer in buyers:
        assert purchased_credits(buyer) == 5 * 500
