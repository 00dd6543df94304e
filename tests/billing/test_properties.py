"""R6 and R9, property-based: the ledger invariant and the 90/10 split lose nothing."""

from contextlib import suppress
from datetime import timedelta
from itertools import count

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User
from billing.errors import BucketWouldGoNegative
from billing.ledger import ledger_mismatches
from billing.models import CreditPurchase, UsageLog
from billing.services import credits
from billing.services.credit_purchases import credit_purchase_fulfil, credit_purchase_refund
from billing.services.credits import Charge, creator_share
from marketplace.models import MarketplaceAgent
from tests import figures
from tests.billing.factories import TEST_MODEL
from tests.factories import UserFactory
from tests.helpers import staff_with

pytestmark = pytest.mark.django_db

keys = count()
PROPERTY_SETTINGS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

operations = st.lists(
    st.one_of(
        st.tuples(
            st.just("grant"),
            st.sampled_from(["daily", "bundled", "signup_bonus", "purchased"]),
            st.integers(-500, 500).filter(bool),
        ),
        st.tuples(st.just("charge"), st.integers(0, 5_000_000)),
        st.tuples(st.just("purchase"), st.sampled_from(["small", "medium"])),
        st.tuples(st.just("refund_last"), st.just(0)),
        st.tuples(st.just("reset"), st.integers(0, 90)),
        st.tuples(st.just("tier"), st.sampled_from(["free", "basic", "pro", "ultra"])),
    ),
    max_size=12,
)


def apply(user, staff, operation):
    kind, *args = operation
    if kind == "grant":
        bucket, amount = args
        with suppress(BucketWouldGoNegative):  # a refused adjustment is part of the property
            credits.credits_adjust(
                user=user, actor=staff, bucket=bucket, amount=amount, reason="property"
            )
    elif kind == "charge":
        credits.credits_charge(
            charge=Charge(user_id=user.pk, model=TEST_MODEL, tokens_input=args[0], tokens_output=0),
            request_id=f"prop-{next(keys)}",
        )
    elif kind == "purchase":
        amount = {"small": 500, "medium": 2500}[args[0]]
        purchase = CreditPurchase.objects.create(
            user=user,
            package=args[0],
            amount_cents=amount,
            credits_amount=amount,
            idempotency_key=f"prop-{next(keys)}",
        )
        credit_purchase_fulfil(
            purchase_id=purchase.pk,
            amount_total=amount,
            currency="usd",
            payment_intent=f"pi_{purchase.pk.hex}",
        )
    elif kind == "refund_last":
        last = (
            CreditPurchase.objects.filter(user=user, status="completed")
            .order_by("-created_at")
            .first()
        )
        if last is not None:
            credit_purchase_refund(
                payment_intent=last.stripe_payment_intent, amount_refunded=last.amount_cents
            )
    elif kind == "reset":
        credits.credits_reset_user(user_id=user.pk, now=timezone.now() + timedelta(days=args[0]))
    elif kind == "tier":
        credits.tier_set(user=user, tier=args[0])


@PROPERTY_SETTINGS
@given(sequence=operations)
def test_r6_buckets_equal_the_ledger_after_any_sequence(billing_staff, sequence):
    user = UserFactory()
    with transaction.atomic():
        for operation in sequence:
            apply(User.objects.get(pk=user.pk), billing_staff, operation)
        mismatches = ledger_mismatches()
        figures.count("R6", "random sequences")
        figures.count("R6", "discrepancies", len(mismatches))
        assert mismatches == []
        user = User.objects.get(pk=user.pk)
        assert (
            min(
                user.daily_credits,
                user.bundled_credits,
                user.signup_bonus_credits,
                user.purchased_credits,
            )
            >= 0
        )


@settings(max_examples=500, deadline=None)
@given(price=st.integers(1, 10**7))
def test_r9_split_rounds_the_creator_down_and_loses_no_cent(price):
    creator = creator_share(price)
    platform = price - creator
    figures.count("R9", "prices split")
    figures.count("R9", "cents lost", price - creator - platform)
    assert creator + platform == price
    assert creator * 100 <= price * 90 < (creator + 1) * 100
    assert platform >= 0


@PROPERTY_SETTINGS
@given(tokens=st.integers(0, 20_000_000), paid=st.integers(0, 3000), settle=st.integers(0, 3000))
def test_r9_usage_split_follows_the_money(tokens, paid, settle):
    creator = UserFactory()
    buyer = UserFactory()
    staff = staff_with("adjust_credits")
    agent = MarketplaceAgent.objects.create(
        name="Priced",
        slug=f"priced-{next(keys)}",
        description="d",
        pricing_type="api",
        api_pricing_input="150",
        created_by_user=creator,
    )
    with transaction.atomic():
        if paid:
            credits.credits_adjust(
                user=buyer, actor=staff, bucket="purchased", amount=paid, reason="property"
            )
        log, _ = credits.credits_charge(
            charge=Charge(
                user_id=buyer.pk,
                model=TEST_MODEL,
                tokens_input=tokens,
                tokens_output=0,
                agent_id=agent.pk,
            ),
            request_id=f"split-{next(keys)}",
            agent=agent,
        )
        assert log.creator_revenue == creator_share(log.credits_charged)
        if settle:
            credits.credits_adjust(
                user=buyer, actor=staff, bucket="purchased", amount=settle, reason="property"
            )
            credits.shortfalls_settle(user=credits.lock_user(buyer.pk))
        log = UsageLog.objects.get(pk=log.pk)
        assert log.creator_revenue + log.platform_revenue == log.cost_total
        assert log.credits_charged + log.shortfall_cents + log.collected_cents == log.cost_total
        assert log.creator_revenue <= creator_share(log.credits_charged)
        assert log.creator_revenue >= creator_share(log.credits_charged) - 1
        assert ledger_mismatches() == []
