"""Billing rows for tests, made the way the product makes them: money moves only through the
billing services (so the ledger invariant the conftest checks holds), other rows through
factories that are minimal and valid by default."""

import uuid
from decimal import Decimal

import factory

from billing.catalogue import seed_catalogue
from billing.models import CreditPurchase, ModelPrice, UserAPIKey, UserCustomModel
from billing.services.credits import Charge, credits_charge
from billing.services.marketplace_sales import item_purchase
from marketplace.models import MarketplaceAgent, MarketplaceBase
from tests.factories import UserFactory


class MarketplaceAgentFactory(factory.django.DjangoModelFactory):
    """A listed free agent by a user of its own; traits for the paid pricings."""

    class Meta:
        model = MarketplaceAgent

    name = factory.Sequence(lambda n: f"Agent {n}")
    slug = factory.Sequence(lambda n: f"agent-{n}")
    description = "Does things."
    created_by_user = factory.SubFactory(UserFactory)
    is_published = True

    class Params:
        one_time = factory.Trait(pricing_type="one_time", price=1000)
        monthly = factory.Trait(pricing_type="monthly", price=500)
        api_priced = factory.Trait(
            pricing_type="api", api_pricing_input="200", api_pricing_output="800"
        )
        draft = factory.Trait(is_published=False)


class MarketplaceBaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MarketplaceBase

    name = factory.Sequence(lambda n: f"Base {n}")
    slug = factory.Sequence(lambda n: f"base-{n}")
    description = "A starting point."
    git_repo_url = "https://github.com/example/base"
    category = "fullstack"
    created_by_user = factory.SubFactory(UserFactory)
    visibility = "public"

    class Params:
        paid = factory.Trait(pricing_type="paid", price=700)


class UserAPIKeyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserAPIKey

    user = factory.SubFactory(UserFactory, subscription_tier="pro")
    provider = "openai"
    encrypted_value = factory.Sequence(lambda n: f"sk-test-secret-{n:06d}")


class UserCustomModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserCustomModel

    user = factory.SubFactory(UserFactory)
    provider = "openai"
    model_id = factory.Sequence(lambda n: f"custom-{n}")
    model_name = factory.Sequence(lambda n: f"Custom {n}")


def pending_purchase(user, package="small", key=None):
    """A purchase as `credit_purchase_create` leaves it before Stripe answers the webhook."""
    cents = {"small": 500, "medium": 2500, "large": 10000, "team": 50000}[package]
    return CreditPurchase.objects.create(
        user=user,
        package=package,
        amount_cents=cents,
        credits_amount=cents,
        idempotency_key=key or f"purchase-{uuid.uuid4()}",
        stripe_checkout_session=f"cs_test_{uuid.uuid4().hex}",
    )


# A catalogue model priced as unknown models were before the catalogue (BIL-72): 100¢ per 1M
# tokens in, 300¢ out, so the arithmetic of the ledger tests reads the same.
TEST_MODEL = "openrouter/test-model"


def price_catalogue():
    """The starting catalogue (billing.catalogue) and TEST_MODEL: what the data migration
    leaves, and what a flushed (transactional) test database no longer holds."""
    seed_catalogue(ModelPrice)
    provider, _, model_id = TEST_MODEL.partition("/")
    ModelPrice.objects.get_or_create(
        provider=provider,
        model_id=model_id,
        defaults={"input_price": Decimal(100), "output_price": Decimal(300)},
    )


def usage(user, key, *, model=TEST_MODEL, tokens_input=100_000, tokens_output=0, **extra):
    """One charge through `credits_charge`; returns the usage log."""
    log, _ = credits_charge(
        charge=Charge(
            user_id=user.pk,
            model=model,
            tokens_input=tokens_input,
            tokens_output=tokens_output,
            **extra,
        ),
        request_id=key,
    )
    return log


def sale(buyer, item, key=None):
    """A marketplace sale through `item_purchase` (the buyer needs purchased credits)."""
    result = item_purchase(buyer=buyer, item=item, idempotency_key=key or f"buy-{item.pk}")
    return result.transaction
