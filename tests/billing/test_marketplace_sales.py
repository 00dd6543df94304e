"""Marketplace sales through the services: purchases, the split, refunds, payouts (BIL-40…43)."""

from datetime import timedelta
from functools import partial
from itertools import count

import pytest
from django.utils import timezone

from accounts.models import User
from billing.errors import IdempotencyKeyReused, InsufficientCredits
from billing.models import CreditLedgerEntry, MarketplaceTransaction
from billing.services.marketplace_sales import (
    RefundNotAllowed,
    item_purchase,
    marketplace_transaction_refund,
    payout_set,
)
from config.exceptions import InvalidStateTransition
from marketplace.library import library_add, library_remove, library_row
from marketplace.models import AgentCoInstall, MarketplaceAgent, MarketplaceBase, UserPurchasedAgent
from tests import figures
from tests.billing.conftest import fund
from tests.concurrency import in_threads, run_at_once
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
slugs = count()


def agent(creator=None, *, pricing_type="one_time", price=1000, **extra):
    return MarketplaceAgent.objects.create(
        name="Reviewer",
        slug=f"agent-{next(slugs)}",
        description="Reviews code.",
        pricing_type=pricing_type,
        price=price,
        created_by_user=creator,
        is_published=True,
        **extra,
    )


def base(creator=None, *, price=700):
    return MarketplaceBase.objects.create(
        name="Next.js",
        slug=f"base-{next(slugs)}",
        description="A base.",
        git_repo_url="https://github.com/acme/next.git",
        category="frontend",
        pricing_type="paid",
        price=price,
        created_by_user=creator,
        visibility="public",
    )


def purchased_credits(user):
    return User.objects.get(pk=user.pk).purchased_credits


@pytest.fixture
def creator(db):
    return UserFactory()


@pytest.fixture
def buyer(db):
    return fund(UserFactory(), purchased=5000, daily=5, bundled=100)


def test_bil_41_one_off_purchase_charges_purchased_credits_and_splits(buyer, creator):
    item = agent(creator, price=999)
    result = item_purchase(buyer=buyer, item=item, idempotency_key="k1")
    assert result.changed and result.charged_cents == 999
    sale = result.transaction
    assert (sale.amount_creator, sale.amount_platform) == (899, 100)
    assert sale.creator == creator and sale.item_name == "Reviewer"
    assert purchased_credits(buyer) == 4001
    assert User.objects.get(pk=buyer.pk).bundled_credits == 100  # other buckets never pay
    assert result.entry.purchase_type == "purchased" and result.entry.is_active
    entry = CreditLedgerEntry.objects.get(marketplace_transaction=sale)
    assert (entry.entry_type, entry.amount) == ("marketplace_purchase", -999)
    assert MarketplaceAgent.objects.get(pk=item.pk).downloads == 1


def test_bil_40_platform_items_give_the_creator_nothing(buyer):
    sale = item_purchase(buyer=buyer, item=agent(None, price=500), idempotency_key="k").transaction
    assert (sale.amount_creator, sale.amount_platform, sale.creator) == (0, 500, None)


def test_bil_41_a_replay_returns_the_first_result(buyer, creator):
    item = agent(creator)
    first = item_purchase(buyer=buyer, item=item, idempotency_key="same")
    again = item_purchase(buyer=buyer, item=item, idempotency_key="same")
    assert again.replayed and again.transaction.pk == first.transaction.pk
    assert purchased_credits(buyer) == 4000
    with pytest.raises(IdempotencyKeyReused):
        item_purchase(buyer=buyer, item=agent(creator), idempotency_key="same")


def test_bil_41_buying_an_owned_one_off_item_again_charges_nothing(buyer, creator):
    item = agent(creator)
    item_purchase(buyer=buyer, item=item, idempotency_key="a")
    library_remove(row=library_row(user=buyer, item=item))
    again = item_purchase(buyer=buyer, item=item, idempotency_key="b")
    assert again.changed and again.charged_cents == 0 and again.transaction is None
    assert again.entry.is_active
    assert purchased_credits(buyer) == 4000
    assert MarketplaceAgent.objects.get(pk=item.pk).downloads == 1  # MKT-10: no new download


def test_bil_41_not_enough_purchased_credits_is_402_and_changes_nothing(creator):
    poor = fund(UserFactory(), purchased=50, bundled=2000)
    with pytest.raises(InsufficientCredits):
        item_purchase(buyer=poor, item=agent(creator, price=100), idempotency_key="k")
    assert purchased_credits(poor) == 50
    assert not MarketplaceTransaction.objects.exists()
    assert not UserPurchasedAgent.objects.filter(user=poor).exists()


def test_bil_41_the_creator_buying_their_own_item_changes_nothing(creator):
    item = agent(creator)
    library_add(user=creator, item=item, purchase_type="free")
    result = item_purchase(buyer=creator, item=item, idempotency_key="own")
    assert not result.changed and result.transaction is None
    assert MarketplaceAgent.objects.get(pk=item.pk).downloads == 0


def test_bil_41_free_and_api_items_are_added_without_a_charge(buyer, creator):
    for pricing, price in (("free", 0), ("api", 0)):
        result = item_purchase(
            buyer=buyer,
            item=agent(creator, pricing_type=pricing, price=price),
            idempotency_key=f"free-{pricing}",
        )
        assert result.changed and result.charged_cents == 0
        assert result.entry.purchase_type == "free"
    assert purchased_credits(buyer) == 5000


def test_bil_41_monthly_extends_by_thirty_days_from_the_later_of_now_and_expiry(buyer, creator):
    item = agent(creator, pricing_type="monthly", price=300)
    first = item_purchase(buyer=buyer, item=item, idempotency_key="m1").entry
    renewed = item_purchase(buyer=buyer, item=item, idempotency_key="m2").entry
    assert renewed.expires_at - first.expires_at == timedelta(days=30)
    assert purchased_credits(buyer) == 4400


def test_bil_41_removed_during_a_paid_period_comes_back_free(buyer, creator):
    item = agent(creator, pricing_type="monthly", price=300)
    item_purchase(buyer=buyer, item=item, idempotency_key="m1")
    library_remove(row=library_row(user=buyer, item=item))
    back = item_purchase(buyer=buyer, item=item, idempotency_key="m2")
    assert back.changed and back.charged_cents == 0 and back.entry.is_active
    assert purchased_credits(buyer) == 4700


def test_bil_41_bases_sell_the_same_way(buyer, creator):
    result = item_purchase(buyer=buyer, item=base(creator, price=700), idempotency_key="b")
    assert result.transaction.base_id and result.transaction.agent_id is None
    assert (result.transaction.amount_creator, result.transaction.amount_platform) == (630, 70)
    assert purchased_credits(buyer) == 4300


@pytest.mark.django_db(transaction=True)
def test_r7_one_purchase_key_from_32_threads_charges_once():
    creator = UserFactory()
    buyer = fund(UserFactory(), purchased=5000)
    item = agent(creator, price=1000)
    results, errors = in_threads(
        32, lambda _: item_purchase(buyer=buyer, item=item, idempotency_key="burst")
    )
    assert errors == []
    figures.record(
        "R7",
        f"service purchase: {sum(not r.replayed for r in results)} effect, "
        f"{sum(r.replayed for r in results)} replays",
    )
    assert sum(not result.replayed for result in results) == 1
    assert MarketplaceTransaction.objects.count() == 1
    assert purchased_credits(buyer) == 4000


@pytest.mark.django_db(transaction=True)
def test_mkt_10_concurrent_first_adds_count_every_download():
    item = agent(UserFactory(), pricing_type="free", price=0)
    users = UserFactory.create_batch(16)
    run_at_once([partial(library_add, user=u, item=item, purchase_type="free") for u in users])
    assert MarketplaceAgent.objects.get(pk=item.pk).downloads == 16


def test_mkt_50_co_installs_count_both_ways(creator):
    first, second, third = (agent(creator, pricing_type="free", price=0) for _ in range(3))
    for user in UserFactory.create_batch(2):
        for item in (first, second):
            library_add(user=user, item=item, purchase_type="free")
    library_add(user=UserFactory(), item=third, purchase_type="free")
    pairs = {
        (c.agent_id, c.related_agent_id): c.co_install_count for c in AgentCoInstall.objects.all()
    }
    assert pairs == {(second.pk, first.pk): 2, (first.pk, second.pk): 2}


# --- refunds (BIL-42) and payouts (BIL-43) ----------------------------------------------------


def test_bil_42_refund_returns_credits_and_withdraws_a_one_off(buyer, creator, billing_staff):
    item = agent(creator)
    sale = item_purchase(buyer=buyer, item=item, idempotency_key="r").transaction
    marketplace_transaction_refund(sale=sale, actor=billing_staff, reason="did not work")
    sale.refresh_from_db()
    assert sale.refunded_at is not None and sale.refund_reason == "did not work"
    assert purchased_credits(buyer) == 5000
    assert library_row(user=buyer, item=item).is_active is False
    assert MarketplaceAgent.objects.get(pk=item.pk).downloads == 1  # never reduced
    with pytest.raises(RefundNotAllowed):
        marketplace_transaction_refund(sale=sale, actor=billing_staff, reason="again")


def test_bil_42_subscription_refund_moves_the_expiry_back(buyer, creator, billing_staff):
    item = agent(creator, pricing_type="monthly", price=300)
    item_purchase(buyer=buyer, item=item, idempotency_key="m1")
    second = item_purchase(buyer=buyer, item=item, idempotency_key="m2").transaction
    before = library_row(user=buyer, item=item).expires_at
    marketplace_transaction_refund(sale=second, actor=billing_staff, reason="double")
    row = library_row(user=buyer, item=item)
    assert before - row.expires_at == timedelta(days=30)
    assert row.is_active and row.expires_at > timezone.now()


def test_bil_42_no_refund_after_payout(buyer, creator, billing_staff):
    sale = item_purchase(buyer=buyer, item=agent(creator), idempotency_key="p").transaction
    payout_set(sale=sale, new_status="paid", actor=billing_staff, stripe_payout_id="po_1")
    with pytest.raises(RefundNotAllowed):
        marketplace_transaction_refund(sale=sale, actor=billing_staff, reason="late")
    assert purchased_credits(buyer) == 4000


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        (["processing", "paid"], True),
        (["failed", "pending", "processing", "failed"], True),
        (["paid", "failed"], False),
        (["processing", "pending"], False),
    ],
)
def test_bil_43_payout_state_machine(buyer, creator, billing_staff, path, allowed):
    sale = item_purchase(buyer=buyer, item=agent(creator), idempotency_key="s").transaction
    if allowed:
        for status in path:
            payout_set(sale=sale, new_status=status, actor=billing_staff)
    else:
        *ok, refused = path
        for status in ok:
            payout_set(sale=sale, new_status=status, actor=billing_staff)
        with pytest.raises(InvalidStateTransition):
            payout_set(sale=sale, new_status=refused, actor=billing_staff)
    sale.refresh_from_db()
    assert (sale.payout_status == "paid") == (sale.payout_date is not None)


def test_bil_43_a_refunded_sale_is_never_paid_out(buyer, creator, billing_staff):
    sale = item_purchase(buyer=buyer, item=agent(creator), idempotency_key="x").transaction
    marketplace_transaction_refund(sale=sale, actor=billing_staff, reason="r")
    with pytest.raises(InvalidStateTransition):
        payout_set(sale=sale, new_status="paid", actor=billing_staff)
