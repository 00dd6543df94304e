"""The billing demo data: credits, usage and money for the demo users, loaded idempotently
through the services (the conftest checks the ledger after each test)."""

from io import StringIO

import pytest

from accounts.models import User
from bench.demo import accounts as accounts_demo
from bench.demo import billing as demo
from bench.demo import chat as chat_demo
from bench.demo import projects as projects_demo
from billing.models import (
    CreditLedgerEntry,
    CreditPurchase,
    MarketplaceTransaction,
    StripeEvent,
    UsageLog,
    UserAPIKey,
    UserCustomModel,
)
from tests.billing.factories import MarketplaceAgentFactory

pytestmark = pytest.mark.django_db

MODELS = (
    CreditLedgerEntry,
    CreditPurchase,
    UsageLog,
    MarketplaceTransaction,
    StripeEvent,
    UserAPIKey,
    UserCustomModel,
)


def table_sizes():
    return [model.objects.count() for model in MODELS]


def demo_user(username):
    return User.objects.get(username=username)


def test_seed_is_idempotent_and_keeps_the_ledger_exact():
    accounts_demo.seed(StringIO())
    demo.seed(StringIO())
    first = table_sizes()
    buckets = list(User.objects.order_by("email").values_list("purchased_credits", "daily_credits"))
    demo.seed(StringIO())
    assert table_sizes() == first
    assert (
        list(User.objects.order_by("email").values_list("purchased_credits", "daily_credits"))
        == buckets
    )
    assert UsageLog.objects.count() == 8  # 7 paid calls and grace's BYOK call


def test_seed_makes_a_living_product():
    accounts_demo.seed(StringIO())
    demo.seed(StringIO())
    ada, grace, linus = (demo_user(name) for name in ("ada", "grace", "linus"))
    assert CreditPurchase.objects.get(user=ada).status == "completed"
    assert grace.subscription_tier == "pro" and grace.bundled_credits > 0
    assert UserAPIKey.objects.get(user=grace).last_used_at is not None
    assert UsageLog.objects.filter(user=linus, billed_status="pending").exists()
    bonuses = CreditLedgerEntry.objects.filter(entry_type="signup_bonus")
    assert set(bonuses.values_list("user__username", flat=True)) == {"ada", "grace"}
    assert set(StripeEvent.objects.values_list("status", flat=True)) == {"ignored", "failed"}


def test_seed_buys_a_listed_paid_agent_once_when_there_is_one():
    accounts_demo.seed(StringIO())
    MarketplaceAgentFactory(one_time=True, created_by_user=demo_user("grace"))
    out = StringIO()
    demo.seed(out)
    demo.seed(StringIO())
    assert MarketplaceTransaction.objects.get().buyer == demo_user("ada")
    assert "a marketplace sale" in out.getvalue()


def test_seed_without_demo_users_does_nothing():
    out = StringIO()
    demo.seed(out)
    assert table_sizes() == [0] * len(MODELS)
    assert "skipped" in out.getvalue()


def test_bil_70_seed_attributes_usage_to_the_demo_runs():
    accounts_demo.seed(StringIO())
    projects_demo.seed(StringIO())
    chat_demo.seed(StringIO())
    demo.seed(StringIO())
    attributed = UsageLog.objects.filter(run__isnull=False)
    assert attributed.count() == 3
    assert all(log.chat_id == log.run.chat_id for log in attributed.select_related("run"))
