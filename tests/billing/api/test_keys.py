"""Users' own LLM keys and custom models through the API (BIL-50…53, BIL-60, R13)."""

import pytest
from django.db import connection

from billing.models import UsageLog, UserAPIKey, UserCustomModel
from tests.billing.api.utils import BILLING, keyed
from tests.billing.factories import UserAPIKeyFactory, UserCustomModelFactory
from tests.factories import UserFactory
from tests.helpers import assert_error, assert_refused, ids

pytestmark = pytest.mark.django_db

KEYS = f"{BILLING}api-keys/"
MODELS = f"{BILLING}custom-models/"
SECRET = "sk-live-very-secret-value-7Q2x"


@pytest.fixture
def paid_user(db):
    return UserFactory(subscription_tier="pro")


@pytest.fixture
def paid_client(client_for, paid_user):
    return client_for(paid_user)


def add_key(client, **extra):
    return client.post(KEYS, {"provider": "openai", "value": SECRET, **extra}, format="json")


# --- keys (BIL-50…53) ------------------------------------------------------------------------


def test_bil_50_free_tier_cannot_add_a_key(owner_client):
    assert_error(add_key(owner_client), 403, "upgrade_required")
    assert not UserAPIKey.objects.exists()


def test_bil_50_the_tier_is_checked_before_the_body(owner_client):
    response = owner_client.post(KEYS, {"provider": "nope"}, format="json")
    assert_error(response, 403, "upgrade_required")


def test_bil_51_the_value_is_write_only(paid_client, paid_user):
    response = add_key(paid_client, key_name="Work", base_url="https://llm.example.com/v1")
    assert response.status_code == 201, response.content
    body = response.json()
    assert SECRET not in response.content.decode()
    assert body["value_set"] is True
    assert "value" not in body and "encrypted_value" not in body
    assert (body["provider"], body["key_name"], body["is_active"]) == ("openai", "Work", True)
    key = UserAPIKey.objects.get()
    assert (key.user, key.encrypted_value, key.encrypted_value_last4) == (paid_user, SECRET, "7Q2x")
    for page in (paid_client.get(KEYS), paid_client.get(f"{KEYS}{key.pk}/")):
        assert SECRET not in page.content.decode()
        assert "7Q2x" not in page.content.decode()


def test_bil_51_one_active_key_per_provider(paid_client):
    add_key(paid_client)
    response = add_key(paid_client)
    assert "provider" in assert_error(response, 409, "already_exists")["fields"]
    assert add_key(paid_client, provider="anthropic").status_code == 201


@pytest.mark.parametrize(
    "base_url",
    [
        "http://llm.example.com",
        "https://localhost/v1",
        "https://127.0.0.1/v1",
        "https://10.0.0.7/v1",
        "https://169.254.169.254/latest",
        "https://user:pass@llm.example.com",
        "ftp://llm.example.com",
    ],
)
def test_bil_52_base_url_must_be_public_https(paid_client, base_url):
    response = add_key(paid_client, base_url=base_url)
    assert "base_url" in assert_error(response, 400, "validation_error")["fields"]
    assert not UserAPIKey.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"provider": "openai"},
        {"provider": "openai", "value": ""},
        {"provider": "mistral", "value": SECRET},
        {"provider": "openai", "value": "x" * 4097},
        {"provider": "openai", "value": SECRET, "key_name": "n" * 101},
    ],
)
def test_bad_key_input_is_400(paid_client, body):
    assert_error(paid_client.post(KEYS, body, format="json"), 400, "validation_error")


def test_r3_posting_owner_or_usage_fields_is_refused(paid_client, paid_user, other_user):
    response = add_key(
        paid_client, user=str(other_user.pk), last_used_at="2020-01-01T00:00:00Z", is_active=False
    )
    assert_refused(response, "user", "last_used_at", "is_active")
    assert not UserAPIKey.objects.exists()


def test_bil_51_rotating_the_value(paid_client):
    key_id = add_key(paid_client).json()["id"]
    response = paid_client.patch(f"{KEYS}{key_id}/", {"value": "sk-new-value-ABCD"}, format="json")
    assert response.status_code == 200
    assert response.json()["value_set"] is True
    key = UserAPIKey.objects.get(pk=key_id)
    assert (key.encrypted_value, key.encrypted_value_last4) == ("sk-new-value-ABCD", "ABCD")


def test_patch_renames_moves_and_deactivates(paid_client):
    key_id = add_key(paid_client).json()["id"]
    body = {"key_name": "Old", "base_url": "https://llm.example.org", "is_active": False}
    response = paid_client.patch(f"{KEYS}{key_id}/", body, format="json")
    assert response.status_code == 200
    assert {name: response.json()[name] for name in body} == body
    assert UserAPIKey.objects.get(pk=key_id).encrypted_value == SECRET


@pytest.mark.parametrize(
    "body",
    [{"is_active": "maybe"}, {"base_url": "http://llm.example.com"}, {"value": ""}],
)
def test_bad_patch_is_400_and_changes_nothing(paid_client, body):
    key_id = add_key(paid_client).json()["id"]
    response = paid_client.patch(f"{KEYS}{key_id}/", body, format="json")
    assert set(body) <= set(assert_error(response, 400, "validation_error")["fields"])
    key = UserAPIKey.objects.get(pk=key_id)
    assert (key.is_active, key.base_url, key.encrypted_value) == (True, "", SECRET)


def test_bil_50_activating_on_the_free_tier_is_403(client_for, user):
    key = UserAPIKeyFactory(user=user, is_active=False)  # kept from a paid period
    response = client_for(user).patch(f"{KEYS}{key.pk}/", {"is_active": True}, format="json")
    assert_error(response, 403, "upgrade_required")
    assert not UserAPIKey.objects.get(pk=key.pk).is_active


def test_bil_50_free_tier_may_still_deactivate_and_delete(client_for, user):
    key = UserAPIKeyFactory(user=user)
    client = client_for(user)
    assert client.patch(f"{KEYS}{key.pk}/", {"is_active": False}, format="json").status_code == 200
    assert client.delete(f"{KEYS}{key.pk}/").status_code == 204


def test_bil_51_activating_a_second_key_for_a_provider_is_409(paid_client, paid_user):
    UserAPIKeyFactory(user=paid_user, provider="openai")
    spare = UserAPIKeyFactory(user=paid_user, provider="openai", is_active=False)
    response = paid_client.patch(f"{KEYS}{spare.pk}/", {"is_active": True}, format="json")
    assert_error(response, 409, "already_exists")


def test_bil_53_deleting_a_key_removes_the_row_and_the_secret(paid_client):
    key_id = add_key(paid_client).json()["id"]
    assert paid_client.delete(f"{KEYS}{key_id}/").status_code == 204
    assert not UserAPIKey.objects.filter(pk=key_id).exists()
    assert_error(paid_client.get(f"{KEYS}{key_id}/"), 404, "not_found")


def test_keys_are_the_callers_own(paid_client, paid_user, other_user):
    mine = UserAPIKeyFactory(user=paid_user)
    theirs = UserAPIKeyFactory(user=other_user)
    assert ids(paid_client.get(KEYS)) == [str(mine.pk)]
    url = f"{KEYS}{theirs.pk}/"
    assert_error(paid_client.get(url), 404, "not_found")
    assert_error(paid_client.patch(url, {"key_name": "mine"}, format="json"), 404, "not_found")
    assert_error(paid_client.delete(url), 404, "not_found")
    assert UserAPIKey.objects.get(pk=theirs.pk).key_name == ""


def test_listing_keys_never_loads_the_encrypted_column(paid_client, paid_user):
    UserAPIKeyFactory.create_batch(2, user=paid_user, provider="groq", is_active=False)
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        paid_client.get(KEYS)
    assert not any('"encrypted_value"' in query["sql"] for query in queries)


def test_r13_the_plaintext_is_in_no_column(paid_client):
    add_key(paid_client, key_name="label")
    with connection.cursor() as cursor:
        cursor.execute("SELECT t::text FROM billing_userapikey t")
        (row,) = cursor.fetchone()
    assert SECRET not in row
    assert SECRET.encode().hex() not in row


# --- custom models (BIL-60) --------------------------------------------------------------------


def add_model(client, **extra):
    body = {"provider": "openai", "model_id": "gpt-x", "model_name": "GPT X", **extra}
    return client.post(MODELS, body, format="json")


def test_bil_60_a_custom_model_needs_an_active_key(paid_client, paid_user):
    assert_error(add_model(paid_client), 400, "byok_key_missing")
    UserAPIKeyFactory(user=paid_user, provider="openai", is_active=False)
    assert_error(add_model(paid_client), 400, "byok_key_missing")
    assert not UserCustomModel.objects.exists()


def test_bil_60_custom_model_under_an_active_key(paid_client, paid_user):
    UserAPIKeyFactory(user=paid_user, provider="openai")
    response = add_model(paid_client, pricing_input="7.5", pricing_output="30")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["pricing_input"], body["pricing_output"]) == ("7.5000", "30.0000")
    assert body["is_active"] is True
    assert_error(add_model(paid_client), 409, "already_exists")


@pytest.mark.parametrize(
    "extra",
    [
        {"provider": "mistral"},
        {"model_id": ""},
        {"model_name": "n" * 201},
        {"pricing_input": "-1"},
        {"pricing_output": "1.00001"},
        {"pricing_input": "100000000"},
    ],
)
def test_bad_custom_model_input_is_400(paid_client, paid_user, extra):
    UserAPIKeyFactory(user=paid_user, provider="openai")
    assert_error(add_model(paid_client, **extra), 400, "validation_error")


def test_custom_models_patch_and_delete(paid_client, paid_user):
    model = UserCustomModelFactory(user=paid_user)
    url = f"{MODELS}{model.pk}/"
    body = {"model_name": "Renamed", "pricing_input": "1.2500", "is_active": False}
    refused = paid_client.patch(url, {**body, "provider": "groq", "model_id": "x"}, format="json")
    assert_refused(refused, "provider", "model_id")
    response = paid_client.patch(url, body, format="json")
    assert response.status_code == 200
    assert {name: response.json()[name] for name in body} == body
    assert (response.json()["provider"], response.json()["model_id"]) == ("openai", model.model_id)
    assert_error(
        paid_client.patch(url, {"pricing_output": "-2"}, format="json"), 400, "validation_error"
    )
    assert paid_client.delete(url).status_code == 204


def test_custom_models_are_the_callers_own(paid_client, paid_user, other_user):
    mine = UserCustomModelFactory(user=paid_user)
    theirs = UserCustomModelFactory(user=other_user)
    assert ids(paid_client.get(MODELS)) == [str(mine.pk)]
    assert_error(paid_client.get(f"{MODELS}{theirs.pk}/"), 404, "not_found")
    assert_error(paid_client.delete(f"{MODELS}{theirs.pk}/"), 404, "not_found")


def test_bil_30_a_users_custom_price_does_not_price_platform_paid_calls(
    paid_client, paid_user, service_client
):
    """A paid user adds a key, a custom model named like a platform model at price 0, then
    deactivates the key: the runtime's ordinary (not BYOK) calls must still cost the table
    price."""
    key = add_key(paid_client).json()["id"]
    add_model(paid_client, model_id="gpt-5", pricing_input="0", pricing_output="0")
    paid_client.patch(f"{KEYS}{key}/", {"is_active": False}, format="json")
    charge = {
        "user": str(paid_user.pk),
        "model": "openai/gpt-5",
        "tokens_input": 1_000_000,
        "tokens_output": 0,
    }
    response = service_client.post(f"{BILLING}usage/", charge, format="json", **keyed("free?"))
    assert response.status_code == 201
    assert UsageLog.objects.get().cost_total == 125  # the catalogue's openai/gpt-5 input price
