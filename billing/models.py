"""Credits and money (DATA_MODEL.md §6). Amounts are integer cents; one credit is one cent.

The four buckets on `accounts.User` change only in `billing.services`, under a lock on the
user row, each change writing a `CreditLedgerEntry` in the same transaction (BIL-1). Money rows
outlive the users and items they point at (SET_NULL).
"""

from django.db import models
from django.db.models import F, Q
from django_cryptography.fields import encrypt

from accounts.models import SubscriptionTier
from config.audit import audited
from config.encryption import SecretFieldsModel
from config.models import BaseModel
from config.validators import JsonValidator, validate_public_https_url


class CreditBucket(models.TextChoices):
    DAILY = "daily"
    BUNDLED = "bundled"
    SIGNUP_BONUS = "signup_bonus"
    PURCHASED = "purchased"


# The User column holding each bucket.
BUCKET_FIELDS = {
    CreditBucket.DAILY: "daily_credits",
    CreditBucket.BUNDLED: "bundled_credits",
    CreditBucket.SIGNUP_BONUS: "signup_bonus_credits",
    CreditBucket.PURCHASED: "purchased_credits",
}


class LedgerEntryType(models.TextChoices):
    SIGNUP_BONUS = "signup_bonus"
    DAILY_RESET = "daily_reset"
    BUNDLED_RESET = "bundled_reset"
    BONUS_EXPIRY = "bonus_expiry"
    CREDIT_PURCHASE = "credit_purchase"
    CREDIT_REFUND = "credit_refund"
    USAGE = "usage"
    SHORTFALL_SETTLEMENT = "shortfall_settlement"
    MARKETPLACE_PURCHASE = "marketplace_purchase"
    MARKETPLACE_REFUND = "marketplace_refund"
    ADJUSTMENT = "adjustment"


# A Stripe event as delivered; Stripe's own events are a few KiB.
STRIPE_EVENT_MAX_BYTES = 1024 * 1024

CREDITING_TYPES = ["signup_bonus", "credit_purchase", "marketplace_refund"]
DEBITING_TYPES = [
    "bonus_expiry",
    "credit_refund",
    "usage",
    "shortfall_settlement",
    "marketplace_purchase",
]


class UserRowsQuerySet(models.QuerySet):
    """Billing rows that belong to one user through `user`: the ledger, usage, purchases,
    keys and custom models are seen by that user alone."""

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)


class MarketplaceTransactionQuerySet(models.QuerySet):
    def visible_to(self, user, role=None):
        """A sale is seen by its buyer and its creator; `role` (`"buyer"` or `"creator"`)
        keeps the sales where `user` is that side."""
        if not user.is_authenticated:
            return self.none()
        if role is None:
            return self.filter(Q(buyer=user) | Q(creator=user))
        return self.filter(**{role: user})


class InsertOnlyError(Exception):
    """Ledger entries are history: they are never changed or deleted (DATA_MODEL 1.8)."""


class CreditLedgerEntry(BaseModel):
    """One movement of one bucket of one user; the buckets always equal these sums (BIL-3)."""

    user = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="credit_ledger_entries",
        db_index=False,
    )
    bucket = models.CharField(max_length=14, choices=CreditBucket)
    entry_type = models.CharField(max_length=24, choices=LedgerEntryType)
    amount = models.IntegerField()
    balance_after = models.IntegerField()
    usage_log = models.ForeignKey(
        "billing.UsageLog",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ledger_entries",
    )
    credit_purchase = models.ForeignKey(
        "billing.CreditPurchase",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ledger_entries",
    )
    marketplace_transaction = models.ForeignKey(
        "billing.MarketplaceTransaction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ledger_entries",
    )
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=255, blank=True)

    objects = UserRowsQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "credit ledger entries"
        permissions = [
            ("adjust_credits", "Can adjust users' credit buckets"),
            # A tier change refills the bundled bucket: a money movement, like an adjustment.
            ("change_tier", "Can change users' subscription tiers"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(bucket__in=CreditBucket.values), name="billing_ledger_bucket_valid"
            ),
            models.CheckConstraint(
                condition=Q(entry_type__in=LedgerEntryType.values),
                name="billing_ledger_entry_type_valid",
            ),
            models.CheckConstraint(condition=~Q(amount=0), name="billing_ledger_amount_non_zero"),
            models.CheckConstraint(
                condition=Q(balance_after__gte=0), name="billing_ledger_balance_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(entry_type__in=CREDITING_TYPES, amount__gt=0)
                | Q(entry_type__in=DEBITING_TYPES, amount__lt=0)
                | ~Q(entry_type__in=CREDITING_TYPES + DEBITING_TYPES),
                name="billing_ledger_sign_matches_type",
            ),
            models.CheckConstraint(
                condition=~Q(entry_type=LedgerEntryType.ADJUSTMENT) | ~Q(reason=""),
                name="billing_ledger_adjustment_has_reason",
            ),
            # BIL-2: the signup bonus is granted at most once per user.
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(entry_type="signup_bonus"),
                name="billing_ledger_one_signup_bonus",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "created_at", "id"]),
            models.Index(fields=["entry_type", "created_at"]),
            # The admin changelist's order, newest first (PERFORMANCE.md W8).
            models.Index(fields=["created_at", "id"], name="billing_ledger_created"),
        ]

    def __str__(self):
        return f"{self.entry_type} {self.amount:+d} {self.bucket}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise InsertOnlyError("Ledger entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise InsertOnlyError("Ledger entries cannot be deleted.")


class StripeEventStatus(models.TextChoices):
    PROCESSED = "processed"
    IGNORED = "ignored"
    FAILED = "failed"


@audited(only_updates=True)
class StripeEvent(BaseModel):
    """One Stripe webhook event, stored once: the unique id makes delivery idempotent (§6.2)."""

    event_id = models.CharField(max_length=255)
    event_type = models.CharField(max_length=100)
    livemode = models.BooleanField()
    payload = models.JSONField(
        default=dict, validators=[JsonValidator(max_bytes=STRIPE_EVENT_MAX_BYTES)]
    )
    status = models.CharField(max_length=10, choices=StripeEventStatus)
    error = models.TextField(blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    # BIL-78: whose event it is, as it arrived, for staff search; the user may come later.
    user = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="stripe_events",
        db_index=False,
    )
    stripe_customer_id = models.CharField(max_length=255, blank=True, default="", db_default="")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=StripeEventStatus.values),
                name="billing_stripeevent_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status=StripeEventStatus.FAILED) | ~Q(error=""),
                name="billing_stripeevent_failed_has_error",
            ),
            models.UniqueConstraint(
                fields=["event_id"], name="billing_stripeevent_event_id_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(
                fields=["user", "created_at"],
                condition=Q(user__isnull=False),
                name="billing_stripeevent_user",
            ),
            models.Index(
                fields=["stripe_customer_id"],
                condition=~Q(stripe_customer_id=""),
                name="billing_stripeevent_customer",
            ),
        ]

    def __str__(self):
        return f"{self.event_type} {self.event_id}"


class CreditPackage(models.TextChoices):
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"
    TEAM = "team"


class CreditPurchaseStatus(models.TextChoices):
    PENDING = "pending"
    COMPLETED = "completed"
    FAILED = "failed"
    REFUNDED = "refunded"


@audited()
class CreditPurchase(BaseModel):
    """A user buying a credit package through Stripe Checkout (§6.3)."""

    user = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="credit_purchases",
        db_index=False,
    )
    package = models.CharField(max_length=10, choices=CreditPackage)
    amount_cents = models.IntegerField()
    credits_amount = models.IntegerField()
    status = models.CharField(
        max_length=10, choices=CreditPurchaseStatus, default=CreditPurchaseStatus.PENDING
    )
    stripe_checkout_session = models.CharField(max_length=255, unique=True, null=True, blank=True)
    stripe_payment_intent = models.CharField(max_length=255, unique=True, null=True, blank=True)
    checkout_url = models.URLField(
        max_length=2048, blank=True, validators=[validate_public_https_url]
    )
    idempotency_key = models.CharField(max_length=255)
    completed_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)

    objects = UserRowsQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(package__in=CreditPackage.values),
                name="billing_creditpurchase_package_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=CreditPurchaseStatus.values),
                name="billing_creditpurchase_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(amount_cents__gt=0) & Q(credits_amount__gt=0),
                name="billing_creditpurchase_amounts_positive",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["completed", "refunded"]) | Q(completed_at__isnull=False),
                name="billing_creditpurchase_completed_has_time",
            ),
            models.CheckConstraint(
                condition=Q(status="refunded", refunded_at__isnull=False)
                | (~Q(status="refunded") & Q(refunded_at__isnull=True)),
                name="billing_creditpurchase_refunded_has_time",
            ),
            models.UniqueConstraint(
                fields=["user", "idempotency_key"], name="billing_creditpurchase_idempotency_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "created_at"]),
            # The admin home's credits purchased today.
            models.Index(
                fields=["completed_at"],
                name="billing_purchase_completed",
                condition=Q(completed_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.package} ({self.status})"


class BilledStatus(models.TextChoices):
    PENDING = "pending"
    INVOICED = "invoiced"
    PAID = "paid"
    CREDITED = "credited"
    EXEMPT = "exempt"


class UsageLog(BaseModel):
    """One billed use of an LLM: tokens, cost, what credits paid, any shortfall (§6.4)."""

    user = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="usage_logs",
        db_index=False,
    )
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="usage_logs",
        db_index=False,
    )
    agent = models.ForeignKey(
        "marketplace.MarketplaceAgent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="usage_logs",
    )
    creator = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # BIL-70: what the call was for. Money outlives chats and runs, hence SET_NULL; the
    # partial indexes below serve the filters and the deletes' SET NULL lookups.
    chat = models.ForeignKey(
        "chat.Chat",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="usage_logs",
        db_index=False,
    )
    run = models.ForeignKey(
        "chat.AgentRun",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="usage_logs",
        db_index=False,
    )
    model = models.CharField(max_length=200)
    tokens_input = models.IntegerField()
    tokens_output = models.IntegerField()
    cost_total = models.IntegerField()
    credits_charged = models.IntegerField(default=0)
    shortfall_cents = models.IntegerField(default=0)
    collected_cents = models.IntegerField(default=0)
    creator_revenue = models.IntegerField(default=0)
    platform_revenue = models.IntegerField(default=0)
    is_byok = models.BooleanField("BYOK", default=False)
    billed_status = models.CharField(max_length=10, choices=BilledStatus)
    billed_at = models.DateTimeField(null=True, blank=True)
    request_id = models.CharField(max_length=255)

    objects = UserRowsQuerySet.as_manager()

    class Meta:
        permissions = [("charge_usage", "Can record usage and charge credits for any user")]
        constraints = [
            models.CheckConstraint(
                condition=Q(billed_status__in=BilledStatus.values),
                name="billing_usage_billed_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(tokens_input__gte=0)
                & Q(tokens_output__gte=0)
                & Q(cost_total__gte=0)
                & Q(credits_charged__gte=0)
                & Q(shortfall_cents__gte=0)
                & Q(collected_cents__gte=0)
                & Q(creator_revenue__gte=0)
                & Q(platform_revenue__gte=0),
                name="billing_usage_amounts_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(
                    cost_total=F("credits_charged") + F("collected_cents") + F("shortfall_cents")
                ),
                name="billing_usage_covered",
            ),
            models.CheckConstraint(
                condition=Q(cost_total=F("creator_revenue") + F("platform_revenue")),
                name="billing_usage_split",
            ),
            models.CheckConstraint(
                condition=Q(is_byok=False) | Q(cost_total=0), name="billing_usage_byok_free"
            ),
            models.CheckConstraint(
                condition=Q(billed_status="exempt", cost_total=0)
                | (~Q(billed_status="exempt") & ~Q(cost_total=0)),
                name="billing_usage_exempt_iff_free",
            ),
            models.CheckConstraint(
                condition=~Q(billed_status__in=["credited", "paid"]) | Q(shortfall_cents=0),
                name="billing_usage_settled_no_shortfall",
            ),
            models.UniqueConstraint(fields=["request_id"], name="billing_usage_request_id_unique"),
        ]
        indexes = [
            models.Index(fields=["user", "created_at", "id"]),
            models.Index(fields=["project", "created_at"]),
            # The admin changelist's order, newest first (PERFORMANCE.md W8).
            models.Index(fields=["created_at", "id"], name="billing_usage_created"),
            models.Index(
                fields=["user", "created_at"],
                name="billing_usage_pending",
                condition=Q(billed_status="pending"),
            ),
            models.Index(
                fields=["chat", "created_at"],
                name="billing_usage_chat",
                condition=Q(chat__isnull=False),
            ),
            models.Index(fields=["run"], name="billing_usage_run", condition=Q(run__isnull=False)),
        ]

    def __str__(self):
        return f"{self.model}: {self.cost_total}¢"


class TransactionType(models.TextChoices):
    ONE_TIME = "one_time"
    SUBSCRIPTION = "subscription"


class PayoutStatus(models.TextChoices):
    PENDING = "pending"
    PROCESSING = "processing"
    PAID = "paid"
    FAILED = "failed"


@audited()
class MarketplaceTransaction(BaseModel):
    """One sale of a paid marketplace item, split 90/10 between creator and platform (§6.5)."""

    buyer = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="marketplace_transactions",
        db_index=False,
    )
    creator = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="marketplace_sales",
        db_index=False,
    )
    agent = models.ForeignKey(
        "marketplace.MarketplaceAgent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="transactions",
    )
    base = models.ForeignKey(
        "marketplace.MarketplaceBase",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="transactions",
    )
    item_name = models.CharField(max_length=100)
    transaction_type = models.CharField(max_length=12, choices=TransactionType)
    amount_total = models.IntegerField()
    amount_creator = models.IntegerField()
    amount_platform = models.IntegerField()
    payout_status = models.CharField(
        max_length=10, choices=PayoutStatus, default=PayoutStatus.PENDING
    )
    payout_date = models.DateTimeField(null=True, blank=True)
    stripe_payout_id = models.CharField(max_length=255, blank=True)
    idempotency_key = models.CharField(max_length=255)
    refunded_at = models.DateTimeField(null=True, blank=True)
    refund_reason = models.CharField(max_length=255, blank=True)

    objects = MarketplaceTransactionQuerySet.as_manager()

    class Meta:
        permissions = [
            ("refund_marketplacetransaction", "Can refund marketplace purchases"),
            ("manage_payouts", "Can change payout status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(transaction_type__in=TransactionType.values),
                name="billing_mtx_transaction_type_valid",
            ),
            models.CheckConstraint(
                condition=Q(payout_status__in=PayoutStatus.values),
                name="billing_mtx_payout_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(amount_total__gt=0)
                & Q(amount_creator__gte=0)
                & Q(amount_platform__gte=0),
                name="billing_mtx_amounts_valid",
            ),
            models.CheckConstraint(
                condition=Q(amount_total=F("amount_creator") + F("amount_platform")),
                name="billing_mtx_split_sums",
            ),
            models.CheckConstraint(
                condition=Q(agent__isnull=True) | Q(base__isnull=True), name="billing_mtx_one_item"
            ),
            models.CheckConstraint(
                condition=Q(payout_status="paid", payout_date__isnull=False)
                | (~Q(payout_status="paid") & Q(payout_date__isnull=True)),
                name="billing_mtx_paid_has_date",
            ),
            models.CheckConstraint(
                condition=Q(refunded_at__isnull=True) | ~Q(payout_status="paid"),
                name="billing_mtx_refunded_not_paid",
            ),
            models.UniqueConstraint(
                fields=["buyer", "idempotency_key"], name="billing_mtx_idempotency_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["buyer", "created_at"]),
            models.Index(fields=["creator", "created_at"]),
            models.Index(fields=["payout_status", "created_at"]),
        ]

    def __str__(self):
        return f"{self.item_name}: {self.amount_total}¢"


class LLMProvider(models.TextChoices):
    OPENROUTER = "openrouter", "OpenRouter"
    OPENAI = "openai", "OpenAI"
    ANTHROPIC = "anthropic"
    GOOGLE = "google"
    GROQ = "groq"
    TOGETHER = "together"
    DEEPSEEK = "deepseek", "DeepSeek"
    FIREWORKS = "fireworks"
    NANO_GPT = "nano-gpt", "NanoGPT"
    Z_AI = "z-ai", "Z.ai"


@audited()
class UserAPIKey(SecretFieldsModel, BaseModel):
    """A user's own LLM provider key (BYOK), encrypted at rest (§6.6)."""

    secret_fields = ("encrypted_value",)

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="api_keys")
    provider = models.CharField(max_length=20, choices=LLMProvider)
    key_name = models.CharField(max_length=100, blank=True)
    encrypted_value = encrypt(models.TextField())
    encrypted_value_last4 = models.CharField(max_length=4, blank=True)
    base_url = models.URLField(max_length=500, blank=True, validators=[validate_public_https_url])
    is_active = models.BooleanField(default=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = UserRowsQuerySet.as_manager()

    class Meta:
        verbose_name = "user API key"
        constraints = [
            models.CheckConstraint(
                condition=Q(provider__in=LLMProvider.values), name="billing_apikey_provider_valid"
            ),
            models.UniqueConstraint(
                fields=["user", "provider"],
                condition=Q(is_active=True),
                name="billing_apikey_one_active_per_provider",
            ),
        ]

    def __str__(self):
        return f"{self.provider} key {self.key_name or self.encrypted_value_last4}"


@audited()
class UserCustomModel(BaseModel):
    """A model id a user added under one of their BYOK providers (§6.7)."""

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="custom_models", db_index=False
    )
    model_id = models.CharField(max_length=200)
    model_name = models.CharField(max_length=200)
    provider = models.CharField(max_length=20, choices=LLMProvider)
    pricing_input = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    pricing_output = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    is_active = models.BooleanField(default=True)

    objects = UserRowsQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(provider__in=LLMProvider.values),
                name="billing_custommodel_provider_valid",
            ),
            models.UniqueConstraint(
                fields=["user", "provider", "model_id"], name="billing_custommodel_unique"
            ),
            models.CheckConstraint(
                condition=(Q(pricing_input__isnull=True) | Q(pricing_input__gte=0))
                & (Q(pricing_output__isnull=True) | Q(pricing_output__gte=0)),
                name="billing_custommodel_prices_non_negative",
            ),
        ]

    def __str__(self):
        return f"{self.provider}/{self.model_id}"


class ModelPriceQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def for_model(self, model):
        """The row priced for a usage's `model`, `provider/model_id`: the text before the first
        `/` is the provider, the rest the provider's model id."""
        provider, _, model_id = model.partition("/")
        return self.filter(provider=provider, model_id=model_id)


@audited()
class ModelPrice(BaseModel):
    """The platform's price of one model (EXTENSIONS.md §5, BIL-72…76): what a usage charge
    costs, in cents per 1M tokens. A charge copies its cost onto the usage log, so a later
    price change never reprices usage already charged (BIL-74)."""

    provider = models.CharField(max_length=20, choices=LLMProvider)
    model_id = models.CharField(max_length=255)
    display_name = models.CharField(max_length=255, blank=True)
    input_price = models.DecimalField(max_digits=12, decimal_places=4)
    output_price = models.DecimalField(max_digits=12, decimal_places=4)
    cache_read_price = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    cache_write_price = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    params = models.JSONField(default=dict, blank=True, validators=[JsonValidator(dict)])
    is_active = models.BooleanField(default=True)
    is_default = models.BooleanField(default=False)

    objects = ModelPriceQuerySet.as_manager()

    class Meta:
        verbose_name = "model price"
        constraints = [
            models.CheckConstraint(
                condition=Q(provider__in=LLMProvider.values),
                name="billing_modelprice_provider_valid",
            ),
            models.UniqueConstraint(
                fields=["provider", "model_id"], name="billing_modelprice_unique"
            ),
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="billing_modelprice_one_default",
            ),
            models.CheckConstraint(
                condition=Q(input_price__gte=0)
                & Q(output_price__gte=0)
                & (Q(cache_read_price__isnull=True) | Q(cache_read_price__gte=0))
                & (Q(cache_write_price__isnull=True) | Q(cache_write_price__gte=0)),
                name="billing_modelprice_prices_non_negative",
            ),
            models.CheckConstraint(
                condition=~Q(model_id=""), name="billing_modelprice_model_id_not_empty"
            ),
            models.CheckConstraint(
                condition=Q(is_active=True) | Q(is_default=False),
                name="billing_modelprice_default_is_active",
            ),
        ]

    def __str__(self):
        return self.model

    @property
    def model(self):
        """The id usage names this model by (`provider/model_id`)."""
        return f"{self.provider}/{self.model_id}"


class SubscriptionStatus(models.TextChoices):
    ACTIVE = "active"
    TRIALING = "trialing"
    PAST_DUE = "past_due"
    CANCELED = "canceled"
    INCOMPLETE = "incomplete"


class BillingCycle(models.TextChoices):
    MONTHLY = "monthly"
    ANNUAL = "annual"


@audited()
class Subscription(BaseModel):
    """A user's Stripe subscription as Stripe last reported it (EXTENSIONS.md §13, BIL-77):
    written only by the subscription webhooks, which re-read it from Stripe. The OneToOne keeps
    one row per user, as one user never holds two subscriptions."""

    user = models.OneToOneField(
        "accounts.User", on_delete=models.CASCADE, related_name="subscription"
    )
    stripe_subscription_id = models.CharField(max_length=255)
    status = models.CharField(max_length=10, choices=SubscriptionStatus)
    tier = models.CharField(max_length=10, choices=SubscriptionTier, blank=True)
    billing_cycle = models.CharField(max_length=7, choices=BillingCycle, blank=True)
    current_period_end = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)

    objects = UserRowsQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["stripe_subscription_id"], name="billing_subscription_stripe_id_unique"
            ),
            models.CheckConstraint(
                condition=Q(status__in=SubscriptionStatus.values),
                name="billing_subscription_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(tier__in=[*SubscriptionTier.values, ""]),
                name="billing_subscription_tier_valid",
            ),
            models.CheckConstraint(
                condition=Q(billing_cycle__in=[*BillingCycle.values, ""]),
                name="billing_subscription_billing_cycle_valid",
            ),
        ]

    def __str__(self):
        return f"{self.stripe_subscription_id} ({self.status})"
