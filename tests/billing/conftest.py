import hashlib
import hmac
import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from billing.ledger import ledger_mismatches
from billing.models import CreditBucket
from billing.services.credits import credits_adjust
from tests.factories import UserFactory
from tests.helpers import staff_with

WEBHOOK_SECRET = "whsec_test_secret"


@pytest.fixture(autouse=True)
def _ledger_stays_exact(request):
    """BIL-3: after every billing test, every user's buckets equal their ledger."""
    yield
    if "db" in request.fixturenames or "transactional_db" in request.fixturenames:
        assert ledger_mismatches() == []


@pytest.fixture(autouse=True)
def _priced(request):
    """Every billing test that uses the database has the price catalogue (BIL-72)."""
    uses_db = {"db", "transactional_db"} & set(request.fixturenames)
    if uses_db or request.node.get_closest_marker("django_db"):
        request.getfixturevalue("model_catalogue")


@pytest.fixture
def stripe_settings(settings):
    settings.STRIPE_SECRET_KEY = "sk_test_recorded"
    settings.STRIPE_ENABLED = True
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_PRICE_TIERS = {"price_basic": "basic", "price_pro": "pro"}
    return settings


def fund(user, actor=None, **buckets):
    """Puts credits in a user's buckets the only legal way: staff adjustments with a ledger."""
    actor = actor or staff_with("adjust_credits")
    for name, amount in buckets.items():
        credits_adjust(
            user=user, actor=actor, bucket=CreditBucket(name), amount=amount, reason="test funding"
        )
    return User.objects.get(pk=user.pk)


@pytest.fixture
def funded_user(db):
    user = UserFactory()
    return fund(user, daily=5, bundled=100, signup_bonus=50, purchased=1000)


def signed(event, *, secret=WEBHOOK_SECRET, timestamp=None):
    """A Stripe-Signature header for `event`, as Stripe computes it."""
    body = json.dumps(event)
    timestamp = int(timestamp if timestamp is not None else time.time())
    digest = hmac.new(secret.encode(), f"{timestamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return body, f"t={timestamp},v1={digest}"


def later(**delta):
    return timezone.now() + timedelta(**delta)
