"""Every credit movement (BIL-1…6, BIL-30…36). Rule ids refer to DATA_MODEL.md §6.

One rule holds everywhere: a bucket changes only here, with the user row locked
(`select_for_update`), and each bucket touched gets one ledger entry in the same transaction,
so the buckets always equal the ledger (BIL-3).
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import ROUND_CEILING, Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, Subquery
from django.utils import timezone

from accounts.models import SubscriptionTier, User
from billing.errors import (
    BucketWouldGoNegative,
    IdempotencyKeyReused,
    InsufficientCredits,
    ModelNotAvailable,
)
from billing.models import (
    BUCKET_FIELDS,
    BilledStatus,
    CreditBucket,
    CreditLedgerEntry,
    LedgerEntryType,
    ModelPrice,
    UsageLog,
)
from billing.permissions import user_can_adjust_credits, user_can_change_tier
from billing.services.prices import require_usable_model
from billing.tiers import tier_allowance
from config.exceptions import require, violated_unique_fields

TOKENS_PER_PRICE_UNIT = Decimal(1_000_000)
BILLING_PERIOD = timedelta(days=30)
# BIL-32: the order in which a charge takes from the buckets.
CHARGE_ORDER = (
    CreditBucket.DAILY,
    CreditBucket.BUNDLED,
    CreditBucket.SIGNUP_BONUS,
    CreditBucket.PURCHASED,
)


def lock_user(user_id):
    """The user row, locked until the transaction ends: every bucket decision starts here."""
    return User.objects.select_for_update(of=("self",)).get(pk=user_id)


def next_utc_midnight(now):
    return datetime.combine(now.date() + timedelta(days=1), time.min, tzinfo=now.tzinfo)


def move(user, changes, *, entry_type, extra_user_fields=None, **links):
    """Applies `{bucket: delta}` to a locked user and writes one ledger entry per bucket.

    Two statements: the entries' bulk insert and the user update (with `extra_user_fields`).
    Raises `BucketWouldGoNegative` before writing anything when a bucket would drop below 0.
    """
    entries, columns = [], dict(extra_user_fields or {})
    for bucket, delta in changes.items():
        if not delta:
            continue
        field = BUCKET_FIELDS[bucket]
        balance = getattr(user, field) + delta
        if balance < 0:
            raise BucketWouldGoNegative()
        columns[field] = balance
        entries.append(
            CreditLedgerEntry(
                user=user,
                bucket=bucket,
                entry_type=entry_type,
                amount=delta,
                balance_after=balance,
                **links,
            )
        )
    if entries:
        CreditLedgerEntry.objects.bulk_create(entries)
    if columns:
        User.objects.filter(pk=user.pk).update(**columns)
        for field, value in columns.items():
            setattr(user, field, value)
    return entries


# --- grants and staff adjustments (BIL-2, BIL-4) -------------------------------------------


def credits_grant_daily_start(*, user):
    """BIL-2, on `user_registered`: the first daily credits, due again at the next midnight."""
    with transaction.atomic():
        user = lock_user(user.pk)
        now = timezone.now()
        daily = tier_allowance(user.subscription_tier)["daily_credits"]
        move(
            user,
            {CreditBucket.DAILY: daily - user.daily_credits},
            entry_type=LedgerEntryType.DAILY_RESET,
            extra_user_fields={"daily_credits_reset_at": next_utc_midnight(now)},
        )


def credits_grant_signup(*, user):
    """BIL-2, on the first `email_verified`: the signup bonus, at most once per user."""
    with transaction.atomic():
        user = lock_user(user.pk)
        if CreditLedgerEntry.objects.filter(
            user=user, entry_type=LedgerEntryType.SIGNUP_BONUS
        ).exists():
            return False
        expires_at = timezone.now() + timedelta(days=settings.SIGNUP_BONUS_DAYS)
        move(
            user,
            {CreditBucket.SIGNUP_BONUS: settings.SIGNUP_BONUS_CREDITS},
            entry_type=LedgerEntryType.SIGNUP_BONUS,
            extra_user_fields={"signup_bonus_expires_at": expires_at},
        )
    return True


def credits_adjust(*, user, actor, bucket, amount, reason):
    """BIL-4: a staff correction with a reason; refused whole if a bucket would go below 0.

    Purchased credits added this way settle the user's pending shortfalls first, as purchased
    credits always do (BIL-36): the returned ledger entries include those settlements.
    """
    require(user_can_adjust_credits(actor))
    if not reason.strip():
        raise ValueError("An adjustment needs a reason.")
    with transaction.atomic():
        user = lock_user(user.pk)
        extra = {}
        if bucket == CreditBucket.SIGNUP_BONUS and user.signup_bonus_expires_at is None:
            # The bonus bucket may only hold credits with an expiry (accounts constraint).
            extra["signup_bonus_expires_at"] = timezone.now() + timedelta(
                days=settings.SIGNUP_BONUS_DAYS
            )
        entries = move(
            user,
            {bucket: amount},
            entry_type=LedgerEntryType.ADJUSTMENT,
            extra_user_fields=extra,
            created_by=actor,
            reason=reason.strip()[:255],
        )
        if bucket == CreditBucket.PURCHASED and amount > 0:
            entries += shortfalls_settle(user=user, created_by=actor)
        return entries


def settled_cents(entries):
    """How much of the user's outstanding shortfall these ledger entries paid."""
    return -sum(e.amount for e in entries if e.entry_type == LedgerEntryType.SHORTFALL_SETTLEMENT)


# --- scheduled resets and tier changes (BIL-5, BIL-6) --------------------------------------


def bundled_reset(user, *, next_reset_at):
    """A locked paid-tier user's bundled credits back to the allowance; unused ones do not
    roll over. The next reset is due at `next_reset_at`."""
    allowance = tier_allowance(user.subscription_tier)["bundled_credits"]
    return move(
        user,
        {CreditBucket.BUNDLED: allowance - user.bundled_credits},
        entry_type=LedgerEntryType.BUNDLED_RESET,
        extra_user_fields={"credits_reset_at": next_reset_at},
    )


def credits_reset_user(*, user_id, now=None):
    """BIL-5 for one user, under its lock: daily refill, bonus expiry, bundled refill.

    Returns the ledger entries written; a second run right after writes none.
    """
    now = now or timezone.now()
    written = []
    with transaction.atomic():
        user = lock_user(user_id)
        allowance = tier_allowance(user.subscription_tier)
        if user.subscription_tier == SubscriptionTier.FREE and (
            user.daily_credits_reset_at is None or user.daily_credits_reset_at <= now
        ):
            written += move(
                user,
                {CreditBucket.DAILY: allowance["daily_credits"] - user.daily_credits},
                entry_type=LedgerEntryType.DAILY_RESET,
                extra_user_fields={"daily_credits_reset_at": next_utc_midnight(now)},
            )
        if user.signup_bonus_credits > 0 and user.signup_bonus_expires_at <= now:
            written += move(
                user,
                {CreditBucket.SIGNUP_BONUS: -user.signup_bonus_credits},
                entry_type=LedgerEntryType.BONUS_EXPIRY,
            )
        if user.subscription_tier != SubscriptionTier.FREE and (
            user.credits_reset_at is not None and user.credits_reset_at <= now
        ):
            reset_at = user.credits_reset_at
            while reset_at <= now:
                reset_at += BILLING_PERIOD
            written += move(
                user,
                {CreditBucket.BUNDLED: allowance["bundled_credits"] - user.bundled_credits},
                entry_type=LedgerEntryType.BUNDLED_RESET,
                extra_user_fields={"credits_reset_at": reset_at},
            )
    return written


def users_due_for_reset(now=None):
    now = now or timezone.now()
    return User.objects.filter(
        Q(subscription_tier=SubscriptionTier.FREE)
        & (Q(daily_credits_reset_at__isnull=True) | Q(daily_credits_reset_at__lte=now))
        | Q(signup_bonus_credits__gt=0, signup_bonus_expires_at__lte=now)
        | (~Q(subscription_tier=SubscriptionTier.FREE) & Q(credits_reset_at__lte=now))
    )


def tier_set(*, user, tier, period_end=None, actor=None, reason=""):
    """BIL-6. The buckets change only when the tier does, so a repeated event refills nothing.

    A staff change names its `actor` and `reason`, kept on the ledger entries it writes; with no
    actor the change is the platform's own (a Stripe event)."""
    if actor is not None:
        require(user_can_change_tier(actor))
    links = {"created_by": actor, "reason": reason.strip()[:255]}
    with transaction.atomic():
        user = lock_user(user.pk)
        now = timezone.now()
        if tier == user.subscription_tier:
            if tier != SubscriptionTier.FREE:
                User.objects.filter(pk=user.pk).update(
                    credits_reset_at=period_end or now + BILLING_PERIOD
                )
            return []
        allowance = tier_allowance(tier)
        if tier == SubscriptionTier.FREE:
            fields = {
                "subscription_tier": tier,
                "credits_reset_at": None,
                "daily_credits_reset_at": next_utc_midnight(now),
            }
        else:
            fields = {
                "subscription_tier": tier,
                "credits_reset_at": period_end or now + BILLING_PERIOD,
            }
        written = move(
            user,
            {CreditBucket.BUNDLED: allowance["bundled_credits"] - user.bundled_credits},
            entry_type=LedgerEntryType.BUNDLED_RESET,
            extra_user_fields=fields,
            **links,
        )
        written += move(
            user,
            {CreditBucket.DAILY: allowance["daily_credits"] - user.daily_credits},
            entry_type=LedgerEntryType.DAILY_RESET,
            **links,
        )
    return written


# --- usage charges (BIL-30…36) ---------------------------------------------------------------


@dataclass(frozen=True)
class Charge:
    """What a charge request asks for; a replay must ask for exactly the same."""

    user_id: object
    model: str
    tokens_input: int
    tokens_output: int
    project_id: object = None
    agent_id: object = None
    is_byok: bool = False
    chat_id: object = None
    run_id: object = None

    def matches(self, log):
        return (
            log.user_id == self.user_id
            and log.model == self.model
            and log.tokens_input == self.tokens_input
            and log.tokens_output == self.tokens_output
            and log.project_id == self.project_id
            and log.agent_id == self.agent_id
            and log.is_byok == self.is_byok
            and log.chat_id == self.chat_id
            and log.run_id == self.run_id
        )


def usage_cost(*, tokens_input, tokens_output, price_in, price_out):
    """BIL-30: `ceil((in * p_in + out * p_out) / 1M)` in Decimal, rounded up once."""
    total = Decimal(tokens_input) * Decimal(price_in) + Decimal(tokens_output) * Decimal(price_out)
    return int((total / TOKENS_PER_PRICE_UNIT).to_integral_value(rounding=ROUND_CEILING))


def lock_user_with_price(user_id, model):
    """The user row locked as `lock_user`, annotated in the same statement with the
    catalogue's active price of `model` (`price_in`, `price_out`: None when it has none), so
    pricing a charge costs no statement of its own (W6)."""
    prices = ModelPrice.objects.active().for_model(model)
    return (
        User.objects.select_for_update(of=("self",))
        .annotate(
            price_in=Subquery(prices.values("input_price")[:1]),
            price_out=Subquery(prices.values("output_price")[:1]),
        )
        .get(pk=user_id)
    )


def model_price(user, model, *, agent=None):
    """BIL-30, BIL-73: the catalogue's active price of `model`, read by
    `lock_user_with_price` (400 `model_not_available` when it has none), or an api-priced
    agent's own prices for a catalogue model.

    A user's own custom-model prices are for display and estimates only: the platform pays
    for non-BYOK calls, so a user's price of 0 must not make them free.
    """
    if user.price_in is None:
        raise ModelNotAvailable(model)
    if agent is not None and agent.pricing_type == "api":
        return agent.api_pricing_input, agent.api_pricing_output
    return user.price_in, user.price_out


def creator_share(amount):
    """BIL-34, BIL-40: the creator's 90 %, rounded down; the platform keeps the remainder."""
    return amount * settings.MARKETPLACE_CREATOR_SHARE_PERCENT // 100


def split_charge(user, cost, now):
    """BIL-32: how much each bucket gives, in the fixed order, and what is left unpaid."""
    available = {
        CreditBucket.DAILY: user.daily_credits,
        CreditBucket.BUNDLED: user.bundled_credits,
        CreditBucket.SIGNUP_BONUS: user.signup_bonus_credits
        if user.signup_bonus_active(now)
        else 0,
        CreditBucket.PURCHASED: user.purchased_credits,
    }
    taken, remaining = {}, cost
    for bucket in CHARGE_ORDER:
        part = min(available[bucket], remaining)
        if part:
            taken[bucket] = part
            remaining -= part
    return taken, remaining


def credits_charge(*, charge, request_id, agent=None):
    """BIL-32/33: records one LLM call and takes its cost from the buckets, exactly once.

    Returns `(usage_log, replayed)`. Five statements: lock, request-id lookup, log insert,
    entries insert, bucket update. Concurrent charges with one key queue on the user lock and
    then find the first one's log; a key reused by another user hits the unique index.
    """
    with transaction.atomic():
        user = lock_user_with_price(charge.user_id, charge.model)
        existing = UsageLog.objects.filter(request_id=request_id).first()
        if existing is not None:
            if not charge.matches(existing):
                raise IdempotencyKeyReused()
            return existing, True
        now = timezone.now()
        # BIL-74: priced now, after the replay check, so a replay keeps its first cost.
        if charge.is_byok:
            require_usable_model(user=user, model=charge.model, is_byok=True)
            cost = 0
        else:
            price_in, price_out = model_price(user, charge.model, agent=agent)
            cost = usage_cost(
                tokens_input=charge.tokens_input,
                tokens_output=charge.tokens_output,
                price_in=price_in,
                price_out=price_out,
            )
        taken, shortfall = split_charge(user, cost, now)
        charged = cost - shortfall
        creator = (
            agent.created_by_user_id if agent is not None and agent.pricing_type == "api" else None
        )
        # BIL-34: the creator earns on what credits paid now; the platform carries the rest of
        # the cost until a settlement moves the creator's share of it across (the split
        # constraint keeps creator + platform = cost_total throughout).
        creator_revenue = creator_share(charged) if creator else 0
        if cost == 0:
            billed_status = BilledStatus.EXEMPT
        else:
            billed_status = BilledStatus.PENDING if shortfall else BilledStatus.CREDITED
        try:
            with transaction.atomic():
                log = UsageLog.objects.create(
                    user=user,
                    project_id=charge.project_id,
                    agent_id=charge.agent_id,
                    chat_id=charge.chat_id,
                    run_id=charge.run_id,
                    creator_id=creator,
                    model=charge.model,
                    tokens_input=charge.tokens_input,
                    tokens_output=charge.tokens_output,
                    cost_total=cost,
                    credits_charged=charged,
                    shortfall_cents=shortfall,
                    creator_revenue=creator_revenue,
                    platform_revenue=cost - creator_revenue,
                    is_byok=charge.is_byok,
                    billed_status=billed_status,
                    billed_at=None if billed_status == BilledStatus.PENDING else now,
                    request_id=request_id,
                )
        except IntegrityError as exc:
            # Another user's charge holds this key; any other violation is a real error.
            if violated_unique_fields(exc) != ["request_id"]:
                raise
            raise IdempotencyKeyReused() from None
        move(
            user,
            {bucket: -part for bucket, part in taken.items()},
            entry_type=LedgerEntryType.USAGE,
            usage_log=log,
        )
    return log, False


def credits_check(*, user, byok_ok=False):
    """BIL-35: may the runtime start a call? BYOK calls, or any credit left."""
    if byok_ok:
        return
    if User.objects.get(pk=user.pk).total_credits <= 0:
        raise InsufficientCredits()


def shortfalls_settle(*, user, created_by=None):
    """BIL-36, inside the caller's transaction on a locked user: pays pending shortfalls,
    oldest first, from purchased credits only. Returns the settlement entries it wrote."""
    settled = []
    pending = (
        UsageLog.objects.select_for_update()
        .filter(user=user, billed_status=BilledStatus.PENDING)
        .order_by("created_at", "id")
    )
    now = timezone.now()
    for log in pending:
        part = min(log.shortfall_cents, user.purchased_credits)
        if not part:
            break
        settled += move(
            user,
            {CreditBucket.PURCHASED: -part},
            entry_type=LedgerEntryType.SHORTFALL_SETTLEMENT,
            usage_log=log,
            created_by=created_by,
        )
        log.shortfall_cents -= part
        log.credits_charged += part
        if log.creator_id:
            # The platform carried the creator's share of the unpaid part; now it is paid.
            share = creator_share(part)
            log.creator_revenue += share
            log.platform_revenue -= share
        fields = ["shortfall_cents", "credits_charged", "creator_revenue", "platform_revenue"]
        if log.shortfall_cents == 0:
            log.billed_status, log.billed_at = BilledStatus.PAID, now
            fields += ["billed_status", "billed_at"]
        UsageLog.objects.filter(pk=log.pk).update(
            **{field: getattr(log, field) for field in fields}
        )
    return settled
