"""Credit buckets and usage charges through the billing services (BIL-1…6, BIL-30…36)."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts import services as account_services
from accounts.models import User
from billing.errors import (
    BucketWouldGoNegative,
    IdempotencyKeyReused,
    InsufficientCredits,
    ModelNotAvailable,
)
from billing.models import (
    CreditLedgerEntry,
    InsertOnlyError,
    LedgerEntryType,
    UsageLog,
)
from billing.services import credits
from billing.services.credits import Charge, credits_charge, usage_cost
from tests.billing.conftest import fund, later
from tests.billing.factories import TEST_MODEL
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def reload(user):
    return User.objects.get(pk=user.pk)


def charge(user, key, *, model="openai/gpt-5", tokens_input=1_000_000, tokens_output=0, **extra):
    return credits_charge(
        charge=Charge(
            user_id=user.pk,
            model=model,
            tokens_input=tokens_input,
            tokens_output=tokens_output,
            **extra,
        ),
        request_id=key,
    )


# --- grants (BIL-2) ---------------------------------------------------------------------------


def test_bil_2_registration_grants_the_daily_credits():
    user, _, _ = account_services.user_register(
        email="fresh@example.com", password="a-long-passphrase-9", name="Fresh"
    )
    user = reload(user)
    assert user.daily_credits == 5
    assert user.daily_credits_reset_at > timezone.now()
    assert user.daily_credits_reset_at.time().isoformat() == "00:00:00"
    (entry,) = CreditLedgerEntry.objects.filter(user=user)
    assert (entry.entry_type, entry.amount, entry.balance_after) == ("daily_reset", 5, 5)


def test_bil_2_signup_bonus_once_on_first_verification(user):
    account_services.mark_email_verified(user=user)
    account_services.mark_email_verified(user=user)
    assert credits.credits_grant_signup(user=user) is False
    user = reload(user)
    assert user.signup_bonus_credits == 15000
    assert abs(user.signup_bonus_expires_at - (timezone.now() + timedelta(days=60))) < timedelta(
        minutes=1
    )
    assert CreditLedgerEntry.objects.filter(user=user, entry_type="signup_bonus").count() == 1


# --- staff adjustments (BIL-4) ---------------------------------------------------------------


def test_bil_4_adjustment_records_who_and_why(user, billing_staff):
    credits.credits_adjust(
        user=user, actor=billing_staff, bucket="purchased", amount=250, reason="goodwill"
    )
    (entry,) = CreditLedgerEntry.objects.filter(user=user)
    assert (entry.amount, entry.created_by, entry.reason) == (250, billing_staff, "goodwill")
    assert reload(user).purchased_credits == 250


def test_bil_4_adjustment_below_zero_is_refused_and_changes_nothing(user, billing_staff):
    fund(user, purchased=10)
    with pytest.raises(BucketWouldGoNegative):
        credits.credits_adjust(
            user=user, actor=billing_staff, bucket="purchased", amount=-11, reason="too much"
        )
    assert reload(user).purchased_credits == 10
    assert CreditLedgerEntry.objects.filter(user=user).count() == 1


def test_bil_4_adjustment_needs_a_reason(user, billing_staff):
    with pytest.raises(ValueError, match="reason"):
        credits.credits_adjust(
            user=user, actor=billing_staff, bucket="purchased", amount=5, reason="  "
        )


def test_bil_7_ledger_entries_are_insert_only(user, billing_staff):
    (entry,) = credits.credits_adjust(
        user=user, actor=billing_staff, bucket="daily", amount=3, reason="x"
    )
    entry.amount = 4
    with pytest.raises(InsertOnlyError):
        entry.save()
    with pytest.raises(InsertOnlyError):
        entry.delete()


# --- scheduled resets (BIL-5) and tiers (BIL-6) ---------------------------------------------


def test_bil_5_daily_reset_refills_without_rollover_and_is_idempotent(user):
    fund(user, daily=2)
    User.objects.filter(pk=user.pk).update(daily_credits_reset_at=timezone.now())
    User.objects.exclude(pk=user.pk).update(daily_credits_reset_at=later(days=1))
    out = StringIO()
    call_command("credits_reset_due", stdout=out)
    assert "1 daily resets" in out.getvalue()
    after = reload(user)
    assert after.daily_credits == 5 and after.daily_credits_reset_at > timezone.now()
    call_command("credits_reset_due", stdout=(again := StringIO()))
    assert "0 daily resets" in again.getvalue()
    assert reload(user).daily_credits == 5


def test_bil_5_expired_bonus_goes_to_zero(user):
    fund(user, signup_bonus=300)
    User.objects.filter(pk=user.pk).update(
        signup_bonus_expires_at=timezone.now() - timedelta(seconds=1)
    )
    credits.credits_reset_user(user_id=user.pk)
    assert reload(user).signup_bonus_credits == 0
    assert (
        CreditLedgerEntry.objects.filter(user=user, entry_type="bonus_expiry").get().amount == -300
    )


def test_bil_5_bundled_reset_moves_by_whole_periods(user):
    credits.tier_set(user=user, tier="pro")
    credits.credits_charge(
        charge=Charge(user_id=user.pk, model=TEST_MODEL, tokens_input=10**8, tokens_output=0),
        request_id="spend",
    )
    overdue = timezone.now() - timedelta(days=65)
    User.objects.filter(pk=user.pk).update(credits_reset_at=overdue)
    credits.credits_reset_user(user_id=user.pk)
    after = reload(user)
    assert after.bundled_credits == 2000
    assert after.credits_reset_at == overdue + timedelta(days=90)


def test_bil_6_tier_changes_set_the_allowances(user):
    credits.tier_set(user=user, tier="pro")
    pro = reload(user)
    assert (pro.subscription_tier, pro.bundled_credits, pro.daily_credits) == ("pro", 2000, 0)
    assert pro.credits_reset_at is not None
    credits.tier_set(user=user, tier="free")
    free = reload(user)
    assert (free.bundled_credits, free.daily_credits, free.credits_reset_at) == (0, 5, None)


def test_bil_6_repeating_a_tier_refills_nothing(user):
    credits.tier_set(user=user, tier="basic")
    charge(user, "spend-some", model=TEST_MODEL, tokens_input=100_000_000)
    before = reload(user).bundled_credits
    period_end = timezone.now() + timedelta(days=12)
    assert credits.tier_set(user=user, tier="basic", period_end=period_end) == []
    after = reload(user)
    assert after.bundled_credits == before
    assert after.credits_reset_at == period_end


# --- cost (BIL-30) ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tokens_in", "tokens_out", "price_in", "price_out", "cents"),
    [
        (0, 0, "100", "300", 0),
        (1, 0, "100", "300", 1),  # any tokens cost at least a cent
        (1_000_000, 0, "100", "300", 100),
        (1_000_000, 1_000_000, "100", "300", 400),
        (333_333, 0, "7.5", "0", 3),  # 2.4999975 rounds up once
        (10_000, 10_000, "0.0001", "0.0001", 1),
    ],
)
def test_bil_30_cost_is_rounded_up_once_over_the_total(
    tokens_in, tokens_out, price_in, price_out, cents
):
    assert (
        usage_cost(
            tokens_input=tokens_in,
            tokens_output=tokens_out,
            price_in=Decimal(price_in),
            price_out=Decimal(price_out),
        )
        == cents
    )


def test_bil_73_an_unknown_model_is_refused_and_charges_nothing(funded_user):
    with pytest.raises(ModelNotAvailable) as refused:
        charge(funded_user, "k", model="acme/mystery", tokens_input=1_000_000)
    assert "acme/mystery" in refused.value.message
    assert not UsageLog.objects.filter(request_id="k").exists()


def test_bil_32_buckets_are_taken_in_order(funded_user):
    # 5 daily + 100 bundled + 50 bonus + 1000 purchased; the charge costs 300.
    log, replayed = charge(funded_user, "order", model=TEST_MODEL, tokens_input=3_000_000)
    assert not replayed and log.cost_total == 300
    after = reload(funded_user)
    assert (
        after.daily_credits,
        after.bundled_credits,
        after.signup_bonus_credits,
        after.purchased_credits,
    ) == (0, 0, 0, 855)
    debits = {e.bucket: e.amount for e in log.ledger_entries.all()}
    assert debits == {"daily": -5, "bundled": -100, "signup_bonus": -50, "purchased": -145}
    assert (log.credits_charged, log.shortfall_cents, log.billed_status) == (300, 0, "credited")


def test_bil_32_an_expired_bonus_is_not_spent(funded_user):
    User.objects.filter(pk=funded_user.pk).update(
        signup_bonus_expires_at=timezone.now() - timedelta(seconds=1)
    )
    charge(funded_user, "no-bonus", model=TEST_MODEL, tokens_input=2_000_000)
    after = reload(funded_user)
    assert after.signup_bonus_credits == 50
    assert after.purchased_credits == 1000 - (200 - 105)


def test_bil_32_a_shortfall_is_recorded_never_forgiven(user):
    fund(user, purchased=30)
    log, _ = charge(user, "short", model=TEST_MODEL, tokens_input=1_000_000)
    assert (log.cost_total, log.credits_charged, log.shortfall_cents) == (100, 30, 70)
    assert log.billed_status == "pending" and log.billed_at is None
    assert reload(user).purchased_credits == 0


def test_bil_32_zero_cost_is_exempt(user):
    log, _ = charge(user, "free", model=TEST_MODEL, tokens_input=0)
    assert (log.cost_total, log.billed_status) == (0, "exempt")
    assert not log.ledger_entries.exists()


@pytest.mark.django_db(transaction=True)
def test_w6_a_charge_is_five_statements():
    user = fund(UserFactory(), purchased=500)
    with CaptureQueriesContext(connection) as queries:
        charge(user, "counted", model=TEST_MODEL, tokens_input=1_000_000)
    control = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE")
    statements = [q["sql"] for q in queries if not q["sql"].startswith(control)]
    print(f"\nW6 charge: {len(statements)} statements")
    assert len(statements) == 5


def test_bil_33_same_key_same_body_replays_without_debiting(funded_user):
    first, _ = charge(funded_user, "retry-me")
    balance = reload(funded_user).purchased_credits
    again, replayed = charge(funded_user, "retry-me")
    assert replayed and again.pk == first.pk
    assert reload(funded_user).purchased_credits == balance
    assert UsageLog.objects.count() == 1


@pytest.mark.parametrize("change", [{"tokens_input": 5}, {"model": "openai/gpt-5-mini"}])
def test_bil_33_same_key_other_body_is_409(funded_user, change):
    charge(funded_user, "one-key")
    with pytest.raises(IdempotencyKeyReused):
        charge(funded_user, "one-key", **change)


def test_bil_33_same_key_for_another_user_is_409(funded_user, other_user):
    charge(funded_user, "shared-key")
    with pytest.raises(IdempotencyKeyReused):
        charge(other_user, "shared-key")


def test_bil_35_pre_check(user):
    with pytest.raises(InsufficientCredits):
        credits.credits_check(user=user)
    credits.credits_check(user=user, byok_ok=True)
    fund(user, daily=1)
    credits.credits_check(user=user)


def test_bil_36_purchased_credits_settle_shortfalls_oldest_first(user, billing_staff):
    fund(user, purchased=10)
    older, _ = charge(user, "a", model=TEST_MODEL, tokens_input=1_000_000)  # 100: 10 paid, 90 short
    newer, _ = charge(user, "b", model=TEST_MODEL, tokens_input=500_000)  # 50 short
    entries = credits.credits_adjust(
        user=user, actor=billing_staff, bucket="purchased", amount=120, reason="top-up"
    )
    settled = [e for e in entries if e.entry_type == LedgerEntryType.SHORTFALL_SETTLEMENT]
    assert [entry.usage_log_id for entry in settled] == [older.pk, newer.pk]
    assert credits.settled_cents(entries) == 120
    older.refresh_from_db()
    newer.refresh_from_db()
    assert (older.shortfall_cents, older.credits_charged, older.billed_status) == (0, 100, "paid")
    assert (newer.shortfall_cents, newer.credits_charged, newer.billed_status) == (
        20,
        30,
        "pending",
    )
    assert reload(user).purchased_credits == 0
    assert LedgerEntryType.SHORTFALL_SETTLEMENT in set(
        CreditLedgerEntry.objects.filter(usage_log=older).values_list("entry_type", flat=True)
    )


def test_check_credit_ledger_command_reports_drift(user):
    fund(user, purchased=40)
    out = StringIO()
    call_command("check_credit_ledger", stdout=out)
    assert "Every bucket equals its ledger" in out.getvalue()
    User.objects.filter(pk=user.pk).update(purchased_credits=41)  # drift on purpose
    with pytest.raises(CommandError, match="1 bucket"):
        call_command("check_credit_ledger", stdout=StringIO())
    User.objects.filter(pk=user.pk).update(purchased_credits=40)
