"""Marketplace purchases through the API (BIL-40…42, API.md §9.4), the caller's sales and
purchases, and a creator's earnings."""

from datetime import datetime

import pytest
from django.utils import timezone

from accounts.models import User
from billing.models import MarketplaceTransaction
from billing.services.marketplace_sales import marketplace_transaction_refund, payout_set
from marketplace.models import UserPurchasedAgent
from tests.billing.api.utils import BILLING, agent_purchase_url, base_purchase_url, keyed
from tests.billing.conftest import fund
from tests.billing.factories import (
    TEST_MODEL,
    MarketplaceAgentFactory,
    MarketplaceBaseFactory,
    sale,
)
from tests.helpers import assert_error, ids

pytestmark = pytest.mark.django_db

TRANSACTIONS = f"{BILLING}marketplace-transactions/"
EARNINGS = f"{BILLING}earnings/"


def buy(client, item, key="buy-1", url=agent_purchase_url, body=None):
    return client.post(url(item), body or {}, format="json", **keyed(key))


def purchased_credits(user):
    return User.objects.get(pk=user.pk).purchased_credits


def test_bil_41_one_time_agent_is_charged_split_and_added(owner_client, user):
    fund(user, purchased=1500, daily=5, signup_bonus=5000)
    agent = MarketplaceAgentFactory(one_time=True, price=999)
    response = buy(owner_client, agent)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["charged_cents"] == 999
    assert body["entry"]["agent"] == {
        "id": str(agent.pk),
        "name": agent.name,
        "slug": agent.slug,
        "icon": agent.icon,
    }
    assert body["entry"]["purchase_type"] == "purchased"
    assert body["entry"]["has_access"] is True
    sold = MarketplaceTransaction.objects.get()
    assert body["transaction"] == str(sold.pk)
    assert (sold.amount_creator, sold.amount_platform) == (899, 100)  # BIL-40: 90 % rounded down
    assert sold.creator_id == agent.created_by_user_id
    assert purchased_credits(user) == 501  # purchased only: daily and bonus untouched
    assert User.objects.get(pk=user.pk).daily_credits == 5


def test_bil_41_replay_is_200_with_the_header_and_charges_once(owner_client, user):
    fund(user, purchased=5000)
    agent = MarketplaceAgentFactory(one_time=True)
    first = buy(owner_client, agent)
    again = buy(owner_client, agent)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["transaction"] == first.json()["transaction"]
    assert again.json()["charged_cents"] == 1000
    assert purchased_credits(user) == 4000


def test_bil_41_r19_buying_an_owned_item_again_charges_nothing(owner_client, user):
    fund(user, purchased=5000)
    agent = MarketplaceAgentFactory(one_time=True)
    buy(owner_client, agent, key="first")
    again = buy(owner_client, agent, key="second")
    assert again.status_code == 200
    assert again.json()["charged_cents"] == 0
    assert again.json()["transaction"] is None
    assert "Idempotent-Replayed" not in again
    assert purchased_credits(user) == 4000


def test_bil_41_r19_buying_ones_own_item_does_nothing(owner_client, user):
    fund(user, purchased=5000)
    mine = MarketplaceAgentFactory(one_time=True, created_by_user=user)
    response = buy(owner_client, mine)
    assert response.status_code == 200
    assert response.json() == {"entry": None, "charged_cents": 0, "transaction": None}
    assert not MarketplaceTransaction.objects.exists()


def test_bil_41_only_purchased_credits_pay(owner_client, user):
    fund(user, daily=5, bundled=2000, signup_bonus=15000, purchased=999)
    agent = MarketplaceAgentFactory(one_time=True)
    assert_error(buy(owner_client, agent), 402, "insufficient_credits")
    assert not MarketplaceTransaction.objects.exists()
    assert not UserPurchasedAgent.objects.exists()
    assert purchased_credits(user) == 999


def test_bil_41_a_key_used_for_another_item_is_409(owner_client, user):
    fund(user, purchased=5000)
    buy(owner_client, MarketplaceAgentFactory(one_time=True), key="k")
    other = MarketplaceAgentFactory(one_time=True)
    assert_error(buy(owner_client, other, key="k"), 409, "idempotency_key_reused")
    assert purchased_credits(user) == 4000


def test_bil_41_a_free_install_key_used_for_another_item_is_409(owner_client, user):
    """A free install records no sale; its key still names that request only."""
    fund(user, purchased=5000)
    buy(owner_client, MarketplaceAgentFactory(), key="free")
    for other, url in (
        (MarketplaceAgentFactory(), agent_purchase_url),
        (MarketplaceAgentFactory(one_time=True), agent_purchase_url),
        (MarketplaceBaseFactory(), base_purchase_url),
    ):
        assert_error(buy(owner_client, other, key="free", url=url), 409, "idempotency_key_reused")
    assert UserPurchasedAgent.objects.filter(user=user).count() == 1
    assert purchased_credits(user) == 5000


def test_bil_41_an_item_the_caller_cannot_see_is_404(owner_client, user):
    fund(user, purchased=5000)
    draft = MarketplaceAgentFactory(one_time=True, draft=True)
    assert_error(buy(owner_client, draft), 404, "not_found")
    private = MarketplaceBaseFactory(paid=True, visibility="private")
    assert_error(buy(owner_client, private, url=base_purchase_url), 404, "not_found")
    assert purchased_credits(user) == 5000


def test_bil_41_404_comes_before_the_missing_key(owner_client):
    draft = MarketplaceAgentFactory(draft=True)
    response = owner_client.post(agent_purchase_url(draft), {}, format="json")
    assert_error(response, 404, "not_found")


def test_bil_41_a_visible_item_without_a_key_is_400(owner_client):
    response = owner_client.post(agent_purchase_url(MarketplaceAgentFactory()), format="json")
    assert_error(response, 400, "idempotency_key_required")


def test_bil_41_an_item_in_the_library_stays_buyable_once_unlisted(owner_client, user):
    fund(user, purchased=5000)
    agent = MarketplaceAgentFactory(monthly=True)
    buy(owner_client, agent, key="month-1")
    agent.is_published = False
    agent.save()
    response = buy(owner_client, agent, key="month-2")
    assert response.status_code == 201
    assert response.json()["charged_cents"] == 500  # a second month, from the end of the first


def test_bil_41_free_agent_is_added_then_200(owner_client, user):
    agent = MarketplaceAgentFactory()
    first = buy(owner_client, agent, key="a")
    again = buy(owner_client, agent, key="b")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["charged_cents"] == 0
    assert first.json()["entry"]["purchase_type"] == "free"
    assert "Idempotent-Replayed" not in again  # another key: a new request that changed nothing


def test_bil_41_a_free_install_replayed_with_its_key_says_so(owner_client, user):
    """Issue 22: a free install records no sale, yet its replay answers as a paid one's does."""
    agent = MarketplaceAgentFactory()
    first = buy(owner_client, agent, key="free-1")
    again = buy(owner_client, agent, key="free-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert "Idempotent-Replayed" not in first
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["entry"] == first.json()["entry"]
    base = MarketplaceBaseFactory()
    assert buy(owner_client, base, key="free-2", url=base_purchase_url).status_code == 201
    replayed = buy(owner_client, base, key="free-2", url=base_purchase_url)
    assert replayed["Idempotent-Replayed"] == "true"


def test_bil_41_paid_base(owner_client, user):
    fund(user, purchased=1000)
    base = MarketplaceBaseFactory(paid=True)
    response = buy(owner_client, base, url=base_purchase_url)
    assert response.status_code == 201
    body = response.json()
    assert body["entry"]["base"]["id"] == str(base.pk)
    assert "expires_at" not in body["entry"]
    assert body["charged_cents"] == 700
    assert MarketplaceTransaction.objects.get().base_id == base.pk


def test_r3_a_price_in_the_body_is_refused(owner_client, user):
    """The purchase takes no body: a price sent with it is named and nothing is charged."""
    fund(user, purchased=5000)
    agent = MarketplaceAgentFactory(one_time=True)
    response = buy(owner_client, agent, body={"price": 1, "amount_total": 1, "charged_cents": 1})
    fields = assert_error(response, 400, "validation_error")["fields"]
    assert set(fields) == {"price", "amount_total", "charged_cents"}
    assert not MarketplaceTransaction.objects.exists()


# --- the caller's sales and purchases --------------------------------------------------------


@pytest.fixture
def sales(user, other_user):
    """`user` bought two of `other_user`'s items, and sold one to `other_user`."""
    fund(user, purchased=5000)
    fund(other_user, purchased=5000)
    bought = [
        sale(user, MarketplaceAgentFactory(one_time=True, created_by_user=other_user)),
        sale(user, MarketplaceAgentFactory(monthly=True, created_by_user=other_user)),
    ]
    sold = sale(other_user, MarketplaceAgentFactory(one_time=True, created_by_user=user))
    return bought, sold


def test_transactions_are_the_buyers_by_default(owner_client, sales):
    bought, _ = sales
    response = owner_client.get(TRANSACTIONS)
    assert ids(response) == [str(bought[1].pk), str(bought[0].pk)]
    row = response.json()["results"][0]
    assert set(row) == {
        "id",
        "item_name",
        "agent",
        "base",
        "transaction_type",
        "amount_total",
        "amount_creator",
        "amount_platform",
        "payout_status",
        "payout_date",
        "refunded_at",
        "created_at",
    }


def test_transactions_as_creator(owner_client, sales):
    _, sold = sales
    assert ids(owner_client.get(TRANSACTIONS, {"role": "creator"})) == [str(sold.pk)]


def test_transactions_filters(owner_client, sales):
    bought, _ = sales
    by_type = owner_client.get(TRANSACTIONS, {"transaction_type": "subscription"})
    assert ids(by_type) == [str(bought[1].pk)]
    assert ids(owner_client.get(TRANSACTIONS, {"payout_status": "paid"})) == []


@pytest.mark.parametrize(
    ("name", "value"),
    [("role", "admin"), ("transaction_type", "gift"), ("payout_status", "done")],
)
def test_transactions_bad_parameters_are_400(owner_client, name, value):
    assert_error(owner_client.get(TRANSACTIONS, {name: value}), 400, "validation_error")


def test_earnings_by_payout_status(client_for, user, other_user, billing_staff):
    fund(user, purchased=10_000)
    agents = [MarketplaceAgentFactory(one_time=True, created_by_user=other_user) for _ in range(4)]
    sold = [sale(user, agent) for agent in agents]  # 900 each for the creator
    payout_set(sale=sold[0], new_status="processing", actor=billing_staff)
    payout_set(sale=sold[1], new_status="paid", actor=billing_staff)
    marketplace_transaction_refund(sale=sold[2], actor=billing_staff, reason="asked")
    body = client_for(other_user).get(EARNINGS).json()
    assert body == {
        "pending_cents": 900,
        "processing_cents": 900,
        "paid_cents": 900,
        "failed_cents": 0,
        "refunded_cents": 900,
        "usage_creator_revenue_cents": 0,
    }
    assert client_for(user).get(EARNINGS).json()["pending_cents"] == 0


def test_earnings_count_the_usage_of_ones_api_priced_agents(
    service_client, client_for, user, other_user
):
    fund(user, purchased=10_000)
    agent = MarketplaceAgentFactory(api_priced=True, created_by_user=other_user)
    service_client.post(
        f"{BILLING}usage/",
        {
            "user": str(user.pk),
            "model": TEST_MODEL,
            "tokens_input": 1_000_000,
            "tokens_output": 0,
            "agent": str(agent.pk),
        },
        format="json",
        **keyed("api-call"),
    )
    body = client_for(other_user).get(EARNINGS).json()
    assert body["usage_creator_revenue_cents"] == 180  # 90 % of 200


def test_library_entry_of_a_subscription_expires_in_30_days(owner_client, user):
    fund(user, purchased=1000)
    response = buy(owner_client, MarketplaceAgentFactory(monthly=True))
    expires = response.json()["entry"]["expires_at"]
    remaining = datetime.fromisoformat(expires) - timezone.now()
    assert 29 < remaining.days + remaining.seconds / 86400 <= 30
