"""The model price catalogue (EXTENSIONS.md §5, BIL-72…76): what usage may name, what it
costs, who changes it, and what clients read."""

from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from rest_framework.test import APIClient

from billing.models import ModelPrice, UsageLog
from billing.services.prices import model_price_save
from config.exceptions import NotAllowed
from tests.billing.api.utils import BILLING, keyed
from tests.billing.conftest import fund
from tests.billing.factories import TEST_MODEL, UserAPIKeyFactory, UserCustomModelFactory
from tests.factories import UserFactory
from tests.helpers import admin_url, assert_error, staff_with

pytestmark = pytest.mark.django_db

MODELS = f"{BILLING}models/"
USAGE = f"{BILLING}usage/"
CHECK = f"{USAGE}check/"


def price_of(model):
    return ModelPrice.objects.for_model(model).get()


def charge(client, user, model, key="charge-1", **extra):
    body = {"user": str(user.pk), "model": model, "tokens_input": 1_000_000, "tokens_output": 0}
    return client.post(USAGE, {**body, **extra}, format="json", **keyed(key))


# --- BIL-72: the catalogue and what clients read ---------------------------------------------


def test_bil_72_clients_read_active_models_only(owner_client):
    price = price_of("anthropic/claude-haiku-4")
    price.is_active = False
    price.save()
    response = owner_client.get(MODELS)
    assert response.status_code == 200
    models = [row["model"] for row in response.json()["results"]]
    assert "anthropic/claude-sonnet-4" in models
    assert "anthropic/claude-haiku-4" not in models
    sonnet = next(
        r for r in response.json()["results"] if r["model"] == "anthropic/claude-sonnet-4"
    )
    assert sonnet["is_default"] is True
    assert Decimal(sonnet["input_price"]) == 300


def test_bil_72_anonymous_callers_may_not_read_the_catalogue():
    assert_error(APIClient().get(MODELS), 401, "not_authenticated")


def test_bil_72_opus_costs_more_than_sonnet():
    opus, sonnet = price_of("anthropic/claude-opus-4"), price_of("anthropic/claude-sonnet-4")
    assert opus.input_price > sonnet.input_price
    assert opus.output_price > sonnet.output_price


def test_bil_72_one_provider_model_pair_and_one_default():
    with pytest.raises(IntegrityError), transaction.atomic():
        ModelPrice.objects.create(
            provider="anthropic", model_id="claude-sonnet-4", input_price=1, output_price=1
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ModelPrice.objects.create(
            provider="openai", model_id="another", input_price=1, output_price=1, is_default=True
        )


def test_bil_72_prices_are_never_negative():
    with pytest.raises(IntegrityError), transaction.atomic():
        ModelPrice.objects.create(
            provider="openai", model_id="negative", input_price=-1, output_price=1
        )


# --- BIL-73: unknown or inactive models are refused --------------------------------------


@pytest.mark.parametrize("model", ["no-such/model", "openai/no-such-model", "x"])
def test_bil_73_an_unknown_model_is_refused_by_the_charge_and_the_check(
    service_client, user, model
):
    fund(user, purchased=1000)
    body = assert_error(charge(service_client, user, model), 400, "model_not_available")
    assert model in body["message"]
    assert model in body["fields"]["model"][0]
    check = service_client.post(CHECK, {"user": str(user.pk), "model": model}, format="json")
    assert model in assert_error(check, 400, "model_not_available")["message"]
    assert not UsageLog.objects.exists()


def test_bil_73_an_inactive_model_is_refused(service_client, user):
    fund(user, purchased=1000)
    price = price_of("openai/gpt-5")
    price.is_active = False
    price.save()
    assert_error(charge(service_client, user, "openai/gpt-5"), 400, "model_not_available")
    check = service_client.post(
        CHECK, {"user": str(user.pk), "model": "openai/gpt-5"}, format="json"
    )
    assert_error(check, 400, "model_not_available")


def test_bil_73_a_byok_call_may_name_the_users_own_custom_model(service_client):
    user = UserFactory(subscription_tier="pro")
    UserAPIKeyFactory(user=user, provider="openai")
    UserCustomModelFactory(user=user, provider="openai", model_id="my-tuned")
    response = charge(service_client, user, "openai/my-tuned", is_byok=True)
    assert response.status_code == 201, response.content
    assert response.json()["usage"]["cost_total"] == 0
    other = UserFactory(subscription_tier="pro")
    UserAPIKeyFactory(user=other, provider="openai")
    refused = charge(service_client, other, "openai/my-tuned", key="other", is_byok=True)
    assert_error(refused, 400, "model_not_available")


# --- BIL-74: prices from the catalogue, never repriced ----------------------------------------


def test_bil_74_a_charge_is_priced_from_the_catalogue(service_client, user):
    fund(user, purchased=10_000)
    price = price_of("openai/gpt-5")
    price.input_price = Decimal("200")
    price.save()
    response = charge(service_client, user, "openai/gpt-5")
    assert response.json()["usage"]["cost_total"] == 200


def test_bil_74_a_price_change_never_reprices_charged_usage(service_client, user):
    fund(user, purchased=10_000)
    first = charge(service_client, user, TEST_MODEL, key="before")
    assert first.json()["usage"]["cost_total"] == 100
    price = price_of(TEST_MODEL)
    price.input_price = Decimal("1000")
    price.save()
    replay = charge(service_client, user, TEST_MODEL, key="before")
    assert replay.status_code == 200
    assert replay.json()["usage"] == first.json()["usage"]
    assert UsageLog.objects.get(request_id="before").cost_total == 100
    assert (
        charge(service_client, user, TEST_MODEL, key="after").json()["usage"]["cost_total"] == 1000
    )


def test_bil_74_a_replay_after_the_model_is_retired_still_answers(service_client, user):
    fund(user, purchased=1000)
    first = charge(service_client, user, TEST_MODEL, key="retired")
    price = price_of(TEST_MODEL)
    price.is_active = False
    price.save()
    again = charge(service_client, user, TEST_MODEL, key="retired")
    assert (first.status_code, again.status_code) == (201, 200)


# --- BIL-75: staff keep the catalogue ---------------------------------------------------------


def test_bil_75_making_a_model_the_default_moves_the_flag():
    clerk = staff_with("change_modelprice")
    gpt = price_of("openai/gpt-5")
    gpt.is_default = True
    model_price_save(actor=clerk, price=gpt)
    assert list(ModelPrice.objects.filter(is_default=True)) == [gpt]


def test_bil_75_only_price_keepers_change_prices():
    price = price_of("openai/gpt-5")
    price.input_price = 0
    with pytest.raises(NotAllowed):
        model_price_save(actor=UserFactory(staff=True), price=price)
    assert price_of("openai/gpt-5").input_price == 125


def test_bil_75_the_billing_group_reprices_a_model_in_admin_with_history(client):
    clerk = staff_with("view_modelprice", "change_modelprice")
    client.force_login(clerk)
    price = price_of("openai/gpt-5")
    url = admin_url(ModelPrice, f"{price.pk}/change/")
    form = {
        "display_name": "GPT-5",
        "input_price": "150",
        "output_price": "1000",
        "params": "{}",
        "is_active": "on",
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content
    assert price_of("openai/gpt-5").input_price == 150
    assert ModelPrice.pgh_event_model.objects.filter(pgh_obj_id=price.pk).exists()
    assert client.get(admin_url(ModelPrice, f"{price.pk}/delete/")).status_code == 403


# --- BIL-76: disabled models name catalogue models ---------------------------------------------


def test_bil_76_disabled_models_must_be_in_the_catalogue(owner_client):
    me = "/api/v1/auth/me/"
    ok = owner_client.patch(me, {"disabled_models": ["openai/gpt-5"]}, format="json")
    assert ok.status_code == 200, ok.content
    assert ok.json()["disabled_models"] == ["openai/gpt-5"]
    refused = owner_client.patch(
        me, {"disabled_models": ["openai/gpt-5", "acme/nope"]}, format="json"
    )
    body = assert_error(refused, 400, "validation_error")
    assert "acme/nope" in str(body["fields"])
