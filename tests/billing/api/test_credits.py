"""The public price list, the caller's balance and ledger through the API (BIL-3, BIL-36)."""

from datetime import UTC, datetime, timedelta

import pytest
from rest_framework.test import APIClient

from billing.models import CreditLedgerEntry
from billing.serializers.credits import LedgerEntrySerializer
from billing.services.usage import usage_logs_mark_invoiced
from tests.billing.api.utils import BILLING
from tests.billing.conftest import fund
from tests.billing.factories import usage
from tests.helpers import assert_error, ids
from tests.rendering import served

pytestmark = pytest.mark.django_db

LEDGER = f"{BILLING}ledger/"


def test_config_is_public(settings):
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_123"
    response = APIClient().get(f"{BILLING}config/")
    assert response.status_code == 200
    body = response.json()
    assert body["packages"][0] == {"package": "small", "amount_cents": 500, "credits": 500}
    assert [package["package"] for package in body["packages"]] == [
        "small",
        "medium",
        "large",
        "team",
    ]
    assert body["tiers"][1] == {
        "tier": "basic",
        "bundled_credits": 500,
        "daily_credits": 0,
        "byok": True,
    }
    assert body["stripe_publishable_key"] == "pk_test_123"


def test_balance_includes_what_is_owed(owner_client, user, billing_staff):
    fund(user, daily=5, purchased=10)
    paid = usage(user, "short")  # a 10 ¢ call, paid from the 15 credits
    short = usage(user, "shorter", tokens_input=300_000)  # 30 ¢ with 5 left: 25 owed
    usage_logs_mark_invoiced(logs=[short], actor=billing_staff)
    body = owner_client.get(f"{BILLING}credits/").json()
    assert paid.shortfall_cents == 0
    assert body == {
        "daily_credits": 0,
        "daily_credits_reset_at": None,
        "bundled_credits": 0,
        "credits_reset_at": None,
        "signup_bonus_credits": 0,
        "signup_bonus_expires_at": None,
        "purchased_credits": 0,
        "total_credits": 0,
        "outstanding_cents": 25,
        "subscription_tier": "free",
    }


def test_balance_counts_an_expired_bonus_as_nothing(owner_client, user):
    fund(user, signup_bonus=100)
    user.__class__.objects.filter(pk=user.pk).update(
        signup_bonus_expires_at=datetime.now(UTC) - timedelta(minutes=1)
    )
    body = owner_client.get(f"{BILLING}credits/").json()
    assert (body["signup_bonus_credits"], body["total_credits"]) == (100, 0)


def test_ledger_is_the_callers_own_newest_first(owner_client, user, other_user):
    fund(user, daily=5, purchased=50)
    fund(other_user, purchased=7)
    usage(user, "spend")
    entries = list(CreditLedgerEntry.objects.filter(user=user).order_by("-created_at", "-id"))
    response = owner_client.get(LEDGER)
    assert ids(response) == [str(entry.pk) for entry in entries]
    newest = response.json()["results"][0]
    assert newest["entry_type"] == "usage"
    assert newest["usage_log"] is not None
    assert set(newest) == {
        "id",
        "bucket",
        "entry_type",
        "amount",
        "balance_after",
        "reason",
        "usage_log",
        "credit_purchase",
        "marketplace_transaction",
        "created_at",
    }


def test_w2_ledger_rows_are_the_serializers_json(owner_client, user):
    """The list renders `.values()` rows without its serializer (W2's lean path)."""
    fund(user, daily=5, purchased=50)
    usage(user, "spend")
    entries = CreditLedgerEntry.objects.filter(user=user).order_by("-created_at", "-id")
    response = owner_client.get(LEDGER)
    assert response.json()["results"] == served(LedgerEntrySerializer(entries, many=True).data)


def test_ledger_filters(owner_client, user):
    fund(user, daily=5, purchased=50)
    usage(user, "spend")
    purchased = owner_client.get(LEDGER, {"bucket": "purchased"}).json()["results"]
    assert [row["entry_type"] for row in purchased] == ["usage", "adjustment"]
    adjustments = owner_client.get(LEDGER, {"entry_type": "adjustment"}).json()["results"]
    assert {row["bucket"] for row in adjustments} == {"daily", "purchased"}
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    assert owner_client.get(LEDGER, {"created_after": later}).json()["results"] == []
    assert len(owner_client.get(LEDGER, {"created_before": later}).json()["results"]) == 4


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("bucket", "gold"),
        ("entry_type", "gift"),
        ("created_after", "tomorrow"),
        ("ordering", "amount"),
        ("cursor", "%%%"),
    ],
)
def test_ledger_bad_parameters_are_400(owner_client, name, value):
    assert_error(owner_client.get(LEDGER, {name: value}), 400, "validation_error")


def test_ledger_is_read_only(owner_client):
    assert_error(owner_client.post(LEDGER, {}, format="json"), 405, "method_not_allowed")
