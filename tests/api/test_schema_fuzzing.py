"""R14: schemathesis against the generated OpenAPI schema, in process, with a fixed seed.

Every operation is called with generated input, as a normal user and as a service account;
there must be no server error, no response outside the documented schema and no
undocumented status code. Each failure found became a fix and a regression test.
"""

from datetime import timedelta

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, Phase, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import AccessToken
from billing import stripe_gateway
from tests import figures, leaks
from tests.factories import UserFactory
from tests.projects.factories import (
    DeploymentFactory,
    GitProviderCredentialFactory,
    ProjectFactory,
)

R14_CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
]
UNTHROTTLED = "1000000/min"


@pytest.fixture
def recorded_stripe(settings, monkeypatch):
    """Stripe answers from recordings, so the payment endpoints are fuzzed for real rather
    than answering their documented 503 (payments off)."""
    settings.STRIPE_SECRET_KEY, settings.STRIPE_ENABLED = "sk_test_recorded", True
    settings.STRIPE_PRICE_TIERS = {
        "price_basic": "basic",
        "price_pro": "pro",
        "price_ultra": "ultra",
    }
    monkeypatch.setattr(stripe_gateway, "customer_create", lambda **kw: f"cus_{kw['user_id'].hex}")
    monkeypatch.setattr(
        stripe_gateway,
        "checkout_session_create",
        lambda **kw: (f"cs_{kw['purchase'].pk.hex}", "https://checkout.stripe.com/c/recorded"),
    )
    monkeypatch.setattr(
        stripe_gateway,
        "subscription_checkout_session_create",
        lambda **kw: "https://checkout.stripe.com/c/subscription",
    )
    monkeypatch.setattr(
        stripe_gateway,
        "billing_portal_session_create",
        lambda **kw: "https://billing.stripe.com/p/session/recorded",
    )


@pytest.fixture
def api_schema(db, settings, recorded_stripe):
    """The schema, served in process by Django's WSGI handler.

    As Django's test client does, connections are not closed between requests: they run
    inside the test's transaction.
    """
    # Before the signals change: the test client puts `close_old_connections` back.
    leaks.watch.public_text = Client().get("/api/v1/schema/", {"format": "json"}).content.decode()
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    settings.ALLOWED_HOSTS = ["*"]
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": dict.fromkeys(rates, UNTHROTTLED),
    }
    app = get_wsgi_application()
    leaks.attach_log_scanner()  # django.setup() applied LOGGING again (R20: tests/leaks.py)
    yield schemathesis.openapi.from_wsgi("/api/v1/schema/", app)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")

FUZZ_SETTINGS = settings(
    max_examples=15,
    derandomize=True,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


def bearer(user):
    """A fresh token for every call: generated logouts must not starve the next case."""
    _, raw = AccessToken.issue(user=user, ttl=timedelta(hours=1), name="fuzz")
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def fuzz_user(db):
    """A user with rows whose optional values are blank, as most rows' are: the reads the
    fuzzer makes answer them, and the schema must describe them (a blank `provider_email`
    once broke its `format: email`)."""
    user = UserFactory()
    GitProviderCredentialFactory(user=user, provider_email="")
    DeploymentFactory(project=ProjectFactory(owner=user, git_remote_url=""), deployment_url="")
    return user


@pytest.fixture
def fuzz_service(service_account):
    return service_account


def fuzz(case, user):
    """One generated call, validated; its outcome counted for the R14 summary line (a failing
    example is replayed while Hypothesis shrinks it, so failures count calls, not bugs)."""
    figures.count("R14", "calls")
    try:
        case.call_and_validate(headers=bearer(user), checks=R14_CHECKS)
    except Exception as failure:
        kind = type(failure).__name__
        figures.count("R14", "failed calls")
        figures.record("R14", f"failure: {case.method} {case.path}: {kind}")
        raise
    figures.count("R14", "failed calls", 0)


def test_r14_blank_values_answer_within_the_schema(api_schema, fuzz_user):
    for path in ("/api/v1/git-credentials/", "/api/v1/projects/", "/api/v1/auth/me/"):
        case = api_schema[path]["GET"].Case()
        fuzz(case, fuzz_user)


@schema.parametrize()
@FUZZ_SETTINGS
def test_r14_as_a_user(case, fuzz_user):
    fuzz(case, fuzz_user)


@schema.parametrize()
@FUZZ_SETTINGS
def test_r14_as_a_service_account(case, fuzz_service):
    fuzz(case, fuzz_service)
