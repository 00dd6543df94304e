"""The permission matrix of the billing API (API.md §3; RELIABILITY.md R1, R2, R4).

One row per route, method and target; one column per role. `owner` (the `user` fixture, on
the pro tier) owns every target row; staff and the service account are ordinary users in the
API, except that the service account (and the superuser) may charge usage for anyone.
"""

from datetime import timedelta

import pytest
from django.urls import URLPattern
from django.utils import timezone

from accounts.models import AccessToken, User
from billing import urls as billing_urls
from tests.billing.api.utils import BILLING, WEBHOOK, keyed
from tests.billing.conftest import fund, signed
from tests.billing.factories import (
    TEST_MODEL,
    MarketplaceAgentFactory,
    MarketplaceBaseFactory,
    UserAPIKeyFactory,
    UserCustomModelFactory,
    pending_purchase,
    sale,
    usage,
)

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "user", "other_user", "moderator", "service_account", "staff_user")
ROLES += ("superuser",)
OWNER_ONLY = (200, 404, 404, 404, 404, 404)
EVERYONE = (200,) * 6

# (route name, method, target): one status per role, in ROLES order.
#                                                          anon owner other mod  svc staff super
MATRIX = {
    ("billing-config", "GET", None): (200, *EVERYONE),
    ("billing-credits", "GET", None): (401, *EVERYONE),
    ("billing-ledger-list", "GET", None): (401, *EVERYONE),
    ("billing-usage-list", "GET", None): (401, *EVERYONE),
    ("billing-usage-list", "POST", None): (401, 403, 403, 403, 201, 403, 201),
    ("billing-usage-check", "POST", None): (401, 403, 403, 403, 200, 403, 200),
    ("billing-usage-summary", "GET", None): (401, *EVERYONE),
    ("billing-credit-purchase-list", "GET", None): (401, *EVERYONE),
    ("billing-credit-purchase-list", "POST", None): (401, 201, 201, 201, 201, 201, 201),
    ("billing-credit-purchase-detail", "GET", "purchase"): (401, *OWNER_ONLY),
    ("billing-subscription-checkout", "POST", None): (401, 409, 201, 201, 201, 201, 201),
    ("billing-portal", "POST", None): (401, 200, 409, 409, 409, 409, 409),
    ("billing-stripe-webhook", "POST", None): (200, *EVERYONE),
    ("billing-marketplace-transaction-list", "GET", None): (401, *EVERYONE),
    ("billing-earnings", "GET", None): (401, *EVERYONE),
    ("billing-api-key-list", "GET", None): (401, *EVERYONE),
    ("billing-api-key-list", "POST", None): (401, 201, 403, 403, 403, 403, 403),
    ("billing-api-key-detail", "GET", "api_key"): (401, *OWNER_ONLY),
    ("billing-api-key-detail", "PATCH", "api_key"): (401, *OWNER_ONLY),
    ("billing-api-key-detail", "DELETE", "api_key"): (401, 204, 404, 404, 404, 404, 404),
    ("billing-custom-model-list", "GET", None): (401, *EVERYONE),
    ("billing-model-list", "GET", None): (401, *EVERYONE),
    ("billing-custom-model-list", "POST", None): (401, 201, 400, 400, 400, 400, 400),
    ("billing-custom-model-detail", "GET", "custom_model"): (401, *OWNER_ONLY),
    ("billing-custom-model-detail", "PATCH", "custom_model"): (401, *OWNER_ONLY),
    ("billing-custom-model-detail", "DELETE", "custom_model"): (401, 204, 404, 404, 404, 404, 404),
    ("billing-agent-purchase", "POST", "agent"): (401, 201, 201, 201, 201, 201, 201),
    ("billing-agent-purchase", "POST", "draft_agent"): (401, *OWNER_ONLY),
    ("billing-base-purchase", "POST", "base"): (401, 201, 201, 201, 201, 201, 201),
}

# Rows a successful list shows: the owner's, and nobody else's.
OWNERS_ROWS = {
    "billing-ledger-list": 3,  # the funding, the usage debit, the marketplace purchase
    "billing-usage-list": 1,
    "billing-credit-purchase-list": 1,
    "billing-marketplace-transaction-list": 1,
    "billing-api-key-list": 1,
    "billing-custom-model-list": 1,
}

PATHS = {
    "billing-config": lambda _: f"{BILLING}config/",
    "billing-credits": lambda _: f"{BILLING}credits/",
    "billing-ledger-list": lambda _: f"{BILLING}ledger/",
    "billing-usage-list": lambda _: f"{BILLING}usage/",
    "billing-usage-check": lambda _: f"{BILLING}usage/check/",
    "billing-usage-summary": lambda _: f"{BILLING}usage/summary/",
    "billing-credit-purchase-list": lambda _: f"{BILLING}credit-purchases/",
    "billing-credit-purchase-detail": lambda row: f"{BILLING}credit-purchases/{row.pk}/",
    "billing-subscription-checkout": lambda _: f"{BILLING}subscription/checkout/",
    "billing-portal": lambda _: f"{BILLING}portal/",
    "billing-stripe-webhook": lambda _: WEBHOOK,
    "billing-marketplace-transaction-list": lambda _: f"{BILLING}marketplace-transactions/",
    "billing-earnings": lambda _: f"{BILLING}earnings/",
    "billing-api-key-list": lambda _: f"{BILLING}api-keys/",
    "billing-api-key-detail": lambda row: f"{BILLING}api-keys/{row.pk}/",
    "billing-custom-model-list": lambda _: f"{BILLING}custom-models/",
    "billing-model-list": lambda _: f"{BILLING}models/",
    "billing-custom-model-detail": lambda row: f"{BILLING}custom-models/{row.pk}/",
    "billing-agent-purchase": lambda row: f"/api/v1/marketplace/agents/{row.pk}/purchase/",
    "billing-base-purchase": lambda row: f"/api/v1/marketplace/bases/{row.pk}/purchase/",
}


def bodies(owner):
    return {
        ("billing-usage-list", "POST"): {
            "user": str(owner.pk),
            "model": TEST_MODEL,
            "tokens_input": 1000,
            "tokens_output": 0,
        },
        ("billing-usage-check", "POST"): {"user": str(owner.pk), "model": TEST_MODEL},
        ("billing-credit-purchase-list", "POST"): {"package": "small"},
        ("billing-subscription-checkout", "POST"): {"tier": "pro"},
        ("billing-portal", "POST"): {},
        ("billing-api-key-list", "POST"): {"provider": "anthropic", "value": "sk-ant-secret"},
        ("billing-api-key-detail", "PATCH"): {"key_name": "renamed"},
        ("billing-custom-model-list", "POST"): {
            "provider": "openai",
            "model_id": "new",
            "model_name": "New",
        },
        ("billing-custom-model-detail", "PATCH"): {"model_name": "renamed"},
    }


CASES = [
    pytest.param(route, method, target, role, expected, id=f"{method} {route} {target} {role}")
    for (route, method, target), statuses in MATRIX.items()
    for role, expected in zip(ROLES, statuses, strict=True)
]


@pytest.fixture
def world(user, fake_stripe):
    """The owner (pro tier, a Stripe customer, with credits) and one row of each kind."""
    User.objects.filter(pk=user.pk).update(subscription_tier="pro", stripe_customer_id="cus_1")
    owner = fund(user, purchased=5000)
    usage(owner, "owner-usage")
    sale(owner, MarketplaceAgentFactory(one_time=True))
    return {
        None: None,
        "purchase": pending_purchase(owner),
        "api_key": UserAPIKeyFactory(user=owner, provider="openai"),
        "custom_model": UserCustomModelFactory(user=owner, provider="openai"),
        "agent": MarketplaceAgentFactory(),
        "draft_agent": MarketplaceAgentFactory(draft=True, created_by_user=owner),
        "base": MarketplaceBaseFactory(),
    }


def send(client, route, method, url, body):
    if route == "billing-stripe-webhook":
        event = {"id": "evt_matrix", "type": "customer.created", "data": {"object": {}}}
        raw, signature = signed(event)
        return client.post(
            url, raw, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
        )
    return getattr(client, method.lower())(url, body, format="json", **keyed("matrix-key"))


@pytest.mark.parametrize(("route", "method", "target", "role", "expected"), CASES)
def test_permission_matrix(request, as_user, world, user, route, method, target, role, expected):
    actor = None if role == "anonymous" else request.getfixturevalue(role)
    url = PATHS[route](world[target])
    response = send(as_user(actor), route, method, url, bodies(user).get((route, method)))
    assert response.status_code == expected, response.content
    if route in OWNERS_ROWS and method == "GET" and expected == 200:
        rows = OWNERS_ROWS[route] if role == "user" else 0
        assert len(response.json()["results"]) == rows


def routed_methods():
    """Every (route name, method) billing's URLconf serves."""
    for pattern in billing_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        actions = getattr(pattern.callback, "actions", None)
        if actions is None:  # a plain APIView: the handlers it defines
            view = pattern.callback.view_class
            actions = {m: m for m in view.http_method_names if hasattr(view, m)}
        for method in actions:
            if method not in ("head", "options"):
                yield pattern.name, method.upper()


def test_every_route_and_method_has_a_matrix_row():
    served = set(routed_methods())
    covered = {(route, method) for route, method, _ in MATRIX}
    assert served == covered


@pytest.mark.parametrize(
    ("route", "method", "target"),
    [key for key in MATRIX if key[0] not in ("billing-stripe-webhook",)],
)
def test_an_inactive_user_or_an_expired_token_is_401(
    client_for, other_user, world, user, route, method, target
):
    url = PATHS[route](world[target])
    expired = client_for(other_user)
    past = timezone.now() - timedelta(days=1)
    AccessToken.objects.filter(user=other_user).update(
        created_at=past - timedelta(days=1), expires_at=past
    )
    inactive = client_for(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    for client in (expired, inactive):
        response = send(client, route, method, url, bodies(user).get((route, method)))
        assert response.status_code == 401
        assert response.json()["code"] == "authentication_failed"
