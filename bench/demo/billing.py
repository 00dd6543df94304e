"""Demo billing for the run command (`seed_demo`): credits, a purchase, usage, a BYOK key, a
marketplace sale when the catalogue has one, and Stripe events for staff to look at.

Every credit movement goes through the billing services, so the ledger stays exact, and every
step is idempotent: grants happen only to users with no ledger yet, charges and purchases
replay their idempotency keys, and rows are looked up before they are created.
"""

from decimal import Decimal

from django.conf import settings

from accounts.models import SubscriptionTier
from accounts.services import mark_email_verified
from bench.demo.accounts import demo_users
from billing.catalogue import seed_catalogue
from billing.errors import InsufficientCredits
from billing.models import (
    CreditLedgerEntry,
    CreditPurchase,
    LLMProvider,
    ModelPrice,
    UsageLog,
    UserAPIKey,
    UserCustomModel,
)
from billing.services.api_keys import api_key_create, custom_model_create
from billing.services.credit_purchases import credit_purchase_fulfil
from billing.services.credits import credits_grant_daily_start, tier_set
from billing.services.marketplace_sales import item_purchase
from billing.services.stripe_events import stripe_event_process
from billing.services.subscriptions import subscription_sync
from billing.services.usage import usage_record
from chat.models import AgentRun
from marketplace.models import AgentPricingType, MarketplaceAgent
from projects.models import Project

# (model, tokens in, tokens out) per demo user; linus has only his daily credits, so his
# second call leaves a shortfall that staff can see being owed.
DEMO_USAGE = {
    "ada": (
        ("anthropic/claude-sonnet-4", 42_000, 3_100),
        ("openai/gpt-5-mini", 120_000, 8_000),
        ("anthropic/claude-haiku-4", 18_000, 2_500),
    ),
    "grace": (
        ("google/gemini-2.5-pro", 64_000, 5_200),
        ("deepseek/deepseek-chat", 250_000, 12_000),
    ),
    "linus": (
        ("openai/gpt-5-mini", 9_000, 700),
        ("anthropic/claude-sonnet-4", 300_000, 40_000),
    ),
}
DEMO_STRIPE_EVENTS = (
    {
        "id": "evt_demo_ignored",
        "type": "customer.created",
        "livemode": False,
        "data": {"object": {"id": "cus_demo_new", "object": "customer"}},
    },
    {
        "id": "evt_demo_unknown_customer",
        "type": "customer.subscription.updated",
        "livemode": False,
        "data": {"object": {"id": "sub_demo", "object": "subscription", "customer": "cus_gone"}},
    },
)
DEMO_BYOK_MODEL = "anthropic/claude-opus-4"
DEMO_RETIRED_MODEL = "gpt-4o"


def seed(stdout):
    _catalogue()
    users = {user.username: user for user in demo_users()}
    if not users:
        stdout.write("Demo billing: skipped (no demo users).")
        return
    for username, user in users.items():
        if not CreditLedgerEntry.objects.filter(user=user).exists():
            credits_grant_daily_start(user=user)
        if username != "linus":  # linus never verified his address: no signup bonus
            mark_email_verified(user=user)
    if "grace" in users:
        tier_set(user=users["grace"], tier=SubscriptionTier.PRO)
        users["grace"].refresh_from_db()  # the services read the tier from the instance
        _subscription(users["grace"])
        _byok(users["grace"])
    if "ada" in users:
        _credit_purchase(users["ada"], package="medium", payment_intent="pi_demo_ada")
    for username, calls in DEMO_USAGE.items():
        if username in users:
            _usage(users[username], calls)
    sold = _marketplace_sale(users.get("ada"))
    for event in DEMO_STRIPE_EVENTS:
        stripe_event_process(event=event)
    logs = UsageLog.objects.filter(request_id__startswith="demo-").count()
    stdout.write(
        f"Demo billing holds credits for {len(users)} users, {logs} usage logs, "
        f"{'a marketplace sale' if sold else 'no marketplace sale (no paid item listed)'}."
    )


def _subscription(user):
    """Grace's Pro plan as the webhook records it (BIL-77), cancelling at the period's end."""
    subscription_sync(
        user=user,
        subscription={
            "id": "sub_demo_grace",
            "status": "active",
            "cancel_at_period_end": True,
            "items": {"data": [{"price": {"recurring": {"interval": "month"}}}]},
        },
        tier=SubscriptionTier.PRO,
        period_end=user.credits_reset_at,
    )


def _catalogue():
    """The migration's starting prices (a flushed test database has none) and one retired
    model, so staff see an inactive row that usage is refused for (BIL-73)."""
    seed_catalogue(ModelPrice)
    ModelPrice.objects.get_or_create(
        provider=LLMProvider.OPENAI,
        model_id=DEMO_RETIRED_MODEL,
        defaults={
            "display_name": "GPT-4o (retired)",
            "input_price": Decimal("250"),
            "output_price": Decimal("1000"),
            "is_active": False,
        },
    )


def _credit_purchase(user, *, package, payment_intent):
    """A completed package purchase, as the webhook would complete it (no Stripe call)."""
    cents = settings.CREDIT_PACKAGES[package]
    purchase, _ = CreditPurchase.objects.get_or_create(
        user=user,
        idempotency_key=f"demo-{package}",
        defaults={"package": package, "amount_cents": cents, "credits_amount": cents},
    )
    credit_purchase_fulfil(
        purchase_id=purchase.pk,
        amount_total=purchase.amount_cents,
        currency="usd",
        payment_intent=payment_intent,
    )


def _usage(user, calls):
    """The user's calls in their first project; where that project's first chat has agent
    runs, each call is attributed to one of them, oldest first (BIL-70)."""
    project = Project.objects.filter(owner=user).order_by("created_at").first()
    runs = list(
        AgentRun.objects.filter(chat__project=project).order_by("created_at")
        if project is not None
        else ()
    )
    for number, (model, tokens_input, tokens_output) in enumerate(calls):
        run = runs[number] if number < len(runs) else None
        usage_record(
            user=user,
            model=model,
            tokens_input=tokens_input,
            tokens_output=tokens_output,
            project=project,
            run=run,
            request_id=f"demo-{user.username}-{number}",
        )


def _byok(user):
    """A paid-tier user's own Anthropic key, a custom model under it, and a call with it."""
    if not UserAPIKey.objects.filter(user=user, provider=LLMProvider.ANTHROPIC).exists():
        api_key_create(
            user=user,
            provider=LLMProvider.ANTHROPIC,
            value="sk-ant-demo-not-a-real-key-0000",
            key_name="Team key",
        )
    provider, _, model_id = DEMO_BYOK_MODEL.partition("/")
    if not UserCustomModel.objects.filter(user=user, provider=provider, model_id=model_id).exists():
        custom_model_create(
            user=user,
            provider=provider,
            model_id=model_id,
            model_name="Claude Opus 4 (own key)",
            pricing_input="1500",
            pricing_output="7500",
        )
    usage_record(
        user=user,
        model=DEMO_BYOK_MODEL,
        tokens_input=80_000,
        tokens_output=6_000,
        is_byok=True,
        request_id=f"demo-{user.username}-byok",
    )


def _marketplace_sale(buyer):
    """ada buys the first listed paid agent someone else made, if the catalogue has one."""
    if buyer is None:
        return False
    agent = (
        MarketplaceAgent.objects.listed()
        .filter(pricing_type__in=[AgentPricingType.ONE_TIME, AgentPricingType.MONTHLY])
        .exclude(created_by_user=buyer)
        .order_by("slug")
        .first()
    )
    if agent is None:
        return False
    try:
        item_purchase(buyer=buyer, item=agent, idempotency_key=f"demo-buy-{agent.slug}")
    except InsufficientCredits:
        return False
    return True
