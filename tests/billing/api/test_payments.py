"""Money in through Stripe, through the API: credit purchases (BIL-20…22), subscriptions and
the billing portal, with Stripe answering from recordings."""

import pytest
import stripe as stripe_sdk

from accounts.models import User
from billing import stripe_gateway
from billing.models import CreditPurchase, CreditPurchaseStatus
from tests.billing.api.utils import BILLING, WEBHOOK, keyed
from tests.billing.conftest import signed
from tests.billing.factories import pending_purchase
from tests.factories import UserFactory
from tests.helpers import assert_error, assert_refused, ids

pytestmark = pytest.mark.django_db

PURCHASES = f"{BILLING}credit-purchases/"
SUBSCRIBE = f"{BILLING}subscription/checkout/"
PORTAL = f"{BILLING}portal/"


def buy(client, package="medium", key="buy-1", **extra):
    return client.post(PURCHASES, {"package": package, **extra}, format="json", **keyed(key))


# --- credit purchases (BIL-20) -------------------------------------------------------------


def test_bil_20_purchase_amounts_come_from_the_package(owner_client, user, fake_stripe):
    refused = buy(owner_client, amount_cents=1, credits_amount=10**6, status="completed")
    assert_refused(refused, "amount_cents", "credits_amount", "status")
    assert not CreditPurchase.objects.exists()
    response = buy(owner_client)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["package"], body["amount_cents"], body["credits_amount"]) == ("medium", 2500, 2500)
    assert body["status"] == "pending"
    assert body["checkout_url"].startswith("https://checkout.stripe.com/")
    purchase = CreditPurchase.objects.get()
    assert (purchase.user, purchase.idempotency_key) == (user, "buy-1")
    (session,) = fake_stripe.named("checkout_session_create")
    assert session["purchase"].pk == purchase.pk
    assert User.objects.get(pk=user.pk).stripe_customer_id.startswith("cus_test_")


def test_bil_20_replay_returns_the_same_purchase_and_url(owner_client, fake_stripe):
    first = buy(owner_client)
    again = buy(owner_client)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert len(fake_stripe.named("checkout_session_create")) == 1


def test_bil_20_same_key_another_package_is_409(owner_client, fake_stripe):
    buy(owner_client, "small")
    assert_error(buy(owner_client, "large"), 409, "idempotency_key_reused")
    assert CreditPurchase.objects.count() == 1


def test_keys_are_per_caller(owner_client, client_for, other_user, fake_stripe):
    buy(owner_client, key="shared")
    assert buy(client_for(other_user), key="shared").status_code == 201
    assert CreditPurchase.objects.count() == 2


def test_bil_20_without_stripe_keys_the_answer_is_503_and_nothing_is_kept(owner_client, user):
    assert_error(buy(owner_client), 503, "payment_provider_unavailable")
    assert not CreditPurchase.objects.exists()


def test_bil_20_when_stripe_fails_nothing_is_kept(owner_client, fake_stripe, monkeypatch):
    def down(**kwargs):
        raise stripe_gateway.PaymentProviderUnavailable()

    monkeypatch.setattr(stripe_gateway, "checkout_session_create", down)
    assert_error(buy(owner_client), 503, "payment_provider_unavailable")
    assert not CreditPurchase.objects.exists()


@pytest.mark.parametrize("package", ["huge", "", None])
def test_bad_package_is_400(owner_client, fake_stripe, package):
    response = buy(owner_client, package)
    assert "package" in assert_error(response, 400, "validation_error")["fields"]


def test_purchase_without_a_key_is_400(owner_client, fake_stripe):
    response = owner_client.post(PURCHASES, {"package": "small"}, format="json")
    assert_error(response, 400, "idempotency_key_required")


def test_purchases_list_and_detail_are_the_callers_own(owner_client, user, other_user):
    mine = [pending_purchase(user), pending_purchase(user, "large")]
    theirs = pending_purchase(other_user)
    CreditPurchase.objects.filter(pk=mine[0].pk).update(status=CreditPurchaseStatus.FAILED)
    assert ids(owner_client.get(PURCHASES)) == [str(mine[1].pk), str(mine[0].pk)]
    assert ids(owner_client.get(PURCHASES, {"status": "failed"})) == [str(mine[0].pk)]
    assert owner_client.get(f"{PURCHASES}{mine[0].pk}/").json()["status"] == "failed"
    assert_error(owner_client.get(f"{PURCHASES}{theirs.pk}/"), 404, "not_found")
    assert_error(owner_client.get(PURCHASES, {"status": "paid"}), 400, "validation_error")


def test_purchase_to_credits_end_to_end(owner_client, user, fake_stripe):
    """The client starts a purchase, Stripe reports the payment, the client polls it."""
    purchase = buy(owner_client).json()
    event = {
        "id": "evt_paid",
        "type": "checkout.session.completed",
        "data": {
            "object": {
                "id": "cs_x",
                "object": "checkout.session",
                "amount_total": 2500,
                "currency": "usd",
                "payment_intent": "pi_paid",
                "metadata": {"type": "credit_purchase", "purchase_id": purchase["id"]},
            }
        },
    }
    body, signature = signed(event)
    hook = owner_client.post(
        WEBHOOK, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )
    assert hook.status_code == 200
    polled = owner_client.get(f"{PURCHASES}{purchase['id']}/").json()
    assert polled["status"] == "completed" and polled["completed_at"]
    balance = owner_client.get(f"{BILLING}credits/").json()
    assert balance["purchased_credits"] == 2500


# --- subscriptions and the portal ----------------------------------------------------------


@pytest.fixture
def priced(settings):
    settings.STRIPE_PRICE_IDS = {"basic": "price_basic", "pro": "price_pro"}
    settings.BILLING_RETURN_URLS = ["https://studio.example.com/billing", "https://x.example/ok"]
    return settings


def test_subscription_checkout_from_the_free_tier(owner_client, user, fake_stripe, priced):
    response = owner_client.post(
        SUBSCRIBE, {"tier": "pro", "success_url": "https://x.example/ok"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["checkout_url"].startswith("https://checkout.stripe.com/")
    (call,) = fake_stripe.named("subscription_checkout_session_create")
    assert call["price"] == "price_pro"
    assert call["user_id"] == user.pk
    assert call["success_url"] == "https://x.example/ok"
    assert call["cancel_url"] == priced.STRIPE_CANCEL_URL


def test_subscription_price_ids_default_to_the_price_tiers_read_backwards(
    owner_client, fake_stripe
):
    response = owner_client.post(SUBSCRIBE, {"tier": "basic"}, format="json")
    assert response.status_code == 201
    assert fake_stripe.named("subscription_checkout_session_create")[0]["price"] == "price_basic"


def test_subscription_checkout_on_a_paid_tier_is_409(client_for, fake_stripe, priced):
    paid = UserFactory(subscription_tier="basic")
    response = client_for(paid).post(SUBSCRIBE, {"tier": "pro"}, format="json")
    assert_error(response, 409, "already_subscribed")
    assert fake_stripe.calls == []


def test_subscription_checkout_for_a_tier_without_a_price_is_503(owner_client, fake_stripe, priced):
    response = owner_client.post(SUBSCRIBE, {"tier": "ultra"}, format="json")
    assert_error(response, 503, "payment_provider_unavailable")


def test_subscription_checkout_without_stripe_is_503(owner_client, priced):
    response = owner_client.post(SUBSCRIBE, {"tier": "pro"}, format="json")
    assert_error(response, 503, "payment_provider_unavailable")


@pytest.mark.parametrize(
    "body",
    [
        {"tier": "free"},
        {"tier": "gold"},
        {},
        {"tier": "pro", "success_url": "https://evil.example/phish"},
        {"tier": "pro", "cancel_url": "javascript:alert(1)"},
    ],
)
def test_subscription_checkout_bad_input_is_400(owner_client, fake_stripe, priced, body):
    assert_error(owner_client.post(SUBSCRIBE, body, format="json"), 400, "validation_error")
    assert fake_stripe.calls == []


def test_portal_needs_a_stripe_customer(owner_client, fake_stripe, priced):
    assert_error(owner_client.post(PORTAL, {}, format="json"), 409, "no_stripe_customer")


def test_portal_opens_for_a_customer(owner_client, user, fake_stripe, priced):
    User.objects.filter(pk=user.pk).update(stripe_customer_id="cus_known")
    response = owner_client.post(
        PORTAL, {"return_url": "https://studio.example.com/billing"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["url"].startswith("https://billing.stripe.com/")
    (call,) = fake_stripe.named("billing_portal_session_create")
    assert call == {"customer": "cus_known", "return_url": "https://studio.example.com/billing"}


def test_portal_return_url_must_be_listed(owner_client, user, fake_stripe, priced):
    User.objects.filter(pk=user.pk).update(stripe_customer_id="cus_known")
    response = owner_client.post(PORTAL, {"return_url": "https://evil.example/"}, format="json")
    assert "return_url" in assert_error(response, 400, "validation_error")["fields"]


# --- the gateway functions this issue adds, against a recorded Stripe client -------------------


class RecordedClient:
    """`StripeClient` as far as the two new gateway functions reach into it."""

    def __init__(self, *, fail=False):
        self.params = []
        self.fail = fail
        self.v1 = self
        self.checkout = self.billing_portal = self
        self.sessions = self

    def create(self, *, params, options=None):
        if self.fail:
            raise stripe_sdk.APIConnectionError("network down")
        self.params.append(params)
        return stripe_sdk.StripeObject.construct_from({"url": "https://stripe.test/s"}, "sk")


def test_gateway_subscription_checkout_sends_the_price_and_the_user(monkeypatch, stripe_settings):
    client = RecordedClient()
    monkeypatch.setattr(stripe_gateway, "_client", lambda: client)
    url = stripe_gateway.subscription_checkout_session_create(
        customer="cus_1", price="price_pro", user_id="u1", success_url="s", cancel_url="c"
    )
    assert url == "https://stripe.test/s"
    (params,) = client.params
    assert params["mode"] == "subscription"
    assert params["line_items"] == [{"price": "price_pro", "quantity": 1}]
    assert params["subscription_data"]["metadata"] == {"user_id": "u1"}


def test_gateway_portal_session(monkeypatch, stripe_settings):
    client = RecordedClient()
    monkeypatch.setattr(stripe_gateway, "_client", lambda: client)
    assert stripe_gateway.billing_portal_session_create(customer="cus_1", return_url="r")
    assert client.params == [{"customer": "cus_1", "return_url": "r"}]


@pytest.mark.parametrize(
    "call",
    [
        lambda: stripe_gateway.billing_portal_session_create(customer="c", return_url="r"),
        lambda: stripe_gateway.subscription_checkout_session_create(
            customer="c", price="p", user_id="u", success_url="s", cancel_url="c"
        ),
    ],
)
def test_gateway_stripe_errors_are_503(monkeypatch, stripe_settings, call):
    monkeypatch.setattr(stripe_gateway, "_client", lambda: RecordedClient(fail=True))
    with pytest.raises(stripe_gateway.PaymentProviderUnavailable):
        call()
