"""Subscriptions as Stripe reports them (EXTENSIONS.md §13, BIL-77) and whose each Stripe event
is (BIL-78): written only by the webhook handlers, read by staff."""

from datetime import UTC, datetime

import pytest

from accounts.models import SubscriptionTier, User
from billing import stripe_gateway
from billing.models import StripeEvent, Subscription
from tests.billing.api.test_webhook import deliver

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("stripe_settings")]

PERIOD_END = 1_900_000_000


def stripe_reports(monkeypatch, **subscription):
    reported = {
        "id": "sub_1",
        "status": "active",
        "cancel_at_period_end": False,
        "items": {
            "data": [
                {
                    "price": {"id": "price_pro", "recurring": {"interval": "year"}},
                    "current_period_end": PERIOD_END,
                }
            ]
        },
        **subscription,
    }
    monkeypatch.setattr(stripe_gateway, "subscription_retrieve", lambda _: reported)


def changed(number, kind="updated"):
    return {
        "id": f"evt_sub_{number}",
        "type": f"customer.subscription.{kind}",
        "data": {"object": {"id": "sub_1", "object": "subscription", "customer": "cus_sub"}},
    }


@pytest.fixture
def customer(user):
    User.objects.filter(pk=user.pk).update(stripe_customer_id="cus_sub")
    return user


def test_bil_77_a_subscription_event_records_the_subscription(monkeypatch, customer):
    stripe_reports(monkeypatch, cancel_at_period_end=True)
    assert deliver(changed(1)).status_code == 200
    row = Subscription.objects.get(user=customer)
    assert (row.stripe_subscription_id, row.status, row.tier, row.billing_cycle) == (
        "sub_1",
        "active",
        "pro",
        "annual",
    )
    assert row.current_period_end == datetime.fromtimestamp(PERIOD_END, tz=UTC)
    assert row.cancel_at_period_end is True


def test_bil_77_one_row_per_user_follows_the_latest_state(monkeypatch, customer):
    stripe_reports(monkeypatch)
    deliver(changed(1))
    stripe_reports(monkeypatch, status="unpaid")
    deliver(changed(2))
    stripe_reports(monkeypatch, status="canceled")
    deliver(changed(3, "deleted"))
    row = Subscription.objects.get(user=customer)
    assert (row.status, row.tier) == ("canceled", "pro")  # the plan that ended
    assert User.objects.get(pk=customer.pk).subscription_tier == SubscriptionTier.FREE
    assert Subscription.objects.count() == 1


def test_bil_77_a_past_due_status_keeps_the_row_and_says_so(monkeypatch, customer):
    stripe_reports(monkeypatch, status="past_due")
    deliver(changed(1))
    assert Subscription.objects.get(user=customer).status == "past_due"


def test_bil_78_events_name_their_customer_and_user(monkeypatch, customer):
    stripe_reports(monkeypatch)
    deliver(changed(1))
    stored = StripeEvent.objects.get(event_id="evt_sub_1")
    assert (stored.user, stored.stripe_customer_id) == (customer, "cus_sub")


def test_bil_78_an_unknown_customer_keeps_its_id_for_staff(db):
    event = {
        "id": "evt_unknown",
        "type": "customer.subscription.updated",
        "data": {"object": {"id": "sub_x", "customer": "cus_nobody"}},
    }
    assert deliver(event).status_code == 200
    stored = StripeEvent.objects.get(event_id="evt_unknown")
    assert (stored.user, stored.stripe_customer_id) == (None, "cus_nobody")
    assert not Subscription.objects.exists()


def test_bil_78_deleting_the_user_keeps_their_events(monkeypatch, customer):
    stripe_reports(monkeypatch)
    deliver(changed(1))
    User.objects.filter(pk=customer.pk).delete()
    stored = StripeEvent.objects.get(event_id="evt_sub_1")
    assert (stored.user, stored.stripe_customer_id) == (None, "cus_sub")
