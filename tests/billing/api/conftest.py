"""Fixtures of the billing API tests: clients per role and a Stripe that answers from
recordings, so no request leaves the machine."""

import itertools
import threading

import pytest
from rest_framework.test import APIClient

from billing import stripe_gateway


@pytest.fixture
def as_user(client_for):
    """`as_user(u)`: an API client for `u`, or an anonymous one for None."""
    return lambda member: APIClient() if member is None else client_for(member)


@pytest.fixture
def owner_client(client_for, user):
    return client_for(user)


@pytest.fixture
def service_client(client_for, service_account):
    return client_for(service_account)


class RecordedStripe:
    """The gateway's calls, answered as Stripe answered them in test mode; `calls` keeps
    `(function, kwargs)` in order. Thread-safe: the concurrency tests share one."""

    def __init__(self):
        self.calls = []
        self._lock = threading.Lock()
        self._numbers = itertools.count(1)
        self.subscription = {
            "id": "sub_test_1",
            "status": "active",
            "items": {
                "data": [{"price": {"id": "price_pro"}, "current_period_end": 1_900_000_000}]
            },
        }

    def _record(self, name, kwargs):
        with self._lock:
            self.calls.append((name, kwargs))
            return next(self._numbers)

    def named(self, name):
        return [kwargs for called, kwargs in self.calls if called == name]

    def customer_create(self, **kwargs):
        self._record("customer_create", kwargs)
        return f"cus_test_{kwargs['user_id'].hex[:12]}"

    def checkout_session_create(self, **kwargs):
        number = self._record("checkout_session_create", kwargs)
        session = f"cs_test_{number}_{kwargs['purchase'].pk.hex[:8]}"
        return session, f"https://checkout.stripe.com/c/pay/{session}"

    def subscription_checkout_session_create(self, **kwargs):
        number = self._record("subscription_checkout_session_create", kwargs)
        return f"https://checkout.stripe.com/c/pay/cs_test_sub_{number}"

    def billing_portal_session_create(self, **kwargs):
        number = self._record("billing_portal_session_create", kwargs)
        return f"https://billing.stripe.com/p/session/test_{number}"

    def subscription_retrieve(self, subscription_id):
        self._record("subscription_retrieve", {"subscription_id": subscription_id})
        return self.subscription


@pytest.fixture
def fake_stripe(monkeypatch, stripe_settings):
    """Stripe on (test keys), every gateway call answered by `RecordedStripe`."""
    recorded = RecordedStripe()
    for name in (
        "customer_create",
        "checkout_session_create",
        "subscription_checkout_session_create",
        "billing_portal_session_create",
        "subscription_retrieve",
    ):
        monkeypatch.setattr(stripe_gateway, name, getattr(recorded, name))
    return recorded
