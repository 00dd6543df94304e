"""R7 through the API: one Idempotency-Key sent by 32 threads at once takes effect once, and
the other 31 answers replay the first (real threads on real PostgreSQL)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from accounts.models import AccessToken, User
from billing.models import CreditLedgerEntry, CreditPurchase, MarketplaceTransaction, UsageLog
from tests import figures
from tests.billing.api.utils import BILLING, agent_purchase_url, keyed
from tests.billing.conftest import fund
from tests.billing.factories import TEST_MODEL, MarketplaceAgentFactory
from tests.concurrency import in_threads
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 32


def token_for(user):
    _, raw = AccessToken.issue(user=user, ttl=timedelta(hours=1), name="concurrency")
    return raw


def post_from_threads(token, url, body, key):
    def work(_):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        response = client.post(url, body, format="json", **keyed(key))
        return response.status_code, response.get("Idempotent-Replayed"), response.json()

    results, errors = in_threads(THREADS, work)
    assert errors == []
    return results


def assert_one_effect(results, label):
    statuses = sorted(status for status, _, _ in results)
    replays = sum(1 for _, replayed, _ in results if replayed == "true")
    figures.record("R7", f"API {label}: {statuses.count(201)} effect, {replays} replays")
    assert statuses == [200] * (THREADS - 1) + [201]
    assert replays == THREADS - 1


def test_r7_32_concurrent_marketplace_purchases_with_one_key_charge_once(transactional_db):
    buyer = fund(UserFactory(), purchased=50_000)
    agent = MarketplaceAgentFactory(one_time=True, price=1234)
    results = post_from_threads(token_for(buyer), agent_purchase_url(agent), {}, "buy-once")
    assert_one_effect(results, "marketplace purchase")
    assert len({body["transaction"] for _, _, body in results}) == 1
    assert MarketplaceTransaction.objects.count() == 1
    assert User.objects.get(pk=buyer.pk).purchased_credits == 50_000 - 1234
    assert CreditLedgerEntry.objects.filter(entry_type="marketplace_purchase").count() == 1


def test_r7_32_concurrent_usage_charges_with_one_key_charge_once(transactional_db):
    user = fund(UserFactory(), purchased=1000)
    # Granted directly: a transactional test's flush drops the migrations' group grants.
    runtime = UserFactory()
    runtime.user_permissions.add(
        Permission.objects.get(codename="charge_usage", content_type__app_label="billing")
    )
    body = {
        "user": str(user.pk),
        "model": TEST_MODEL,
        "tokens_input": 1_000_000,
        "tokens_output": 0,
    }
    results = post_from_threads(token_for(runtime), f"{BILLING}usage/", body, "charge-once")
    assert_one_effect(results, "usage charge")
    assert len({body["usage"]["id"] for _, _, body in results}) == 1
    assert all(body["debits"] == results[0][2]["debits"] for _, _, body in results)
    assert UsageLog.objects.count() == 1
    assert User.objects.get(pk=user.pk).purchased_credits == 900


def test_r7_32_concurrent_credit_purchases_with_one_key_open_one_checkout(
    transactional_db, fake_stripe
):
    user = UserFactory()
    results = post_from_threads(
        token_for(user), f"{BILLING}credit-purchases/", {"package": "large"}, "checkout-once"
    )
    assert_one_effect(results, "credit purchase")
    assert len({body["checkout_url"] for _, _, body in results}) == 1
    assert CreditPurchase.objects.count() == 1
    assert len(fake_stripe.named("checkout_session_create")) == 1
