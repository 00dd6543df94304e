"""Personal API tokens (EXTENSIONS.md §6, ACC-40…41): users make their own tokens for
scripts, and the ACC-23 cap evicts per kind, so a login never evicts a personal token."""

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from accounts.models import AccessToken, TokenKind, token_digest
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

TOKENS = "/api/v1/auth/tokens/"


def test_acc_41_a_user_makes_a_personal_token_shown_once(client_for, user):
    client = client_for(user)
    response = client.post(TOKENS, {"name": "deploy script", "ttl_days": 30}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "personal" and body["name"] == "deploy script"
    raw = body["token"]
    token = AccessToken.objects.get(pk=body["id"])
    assert token.user == user and token.kind == TokenKind.PERSONAL
    assert token.token_digest == token_digest(raw)
    assert timedelta(days=29) < token.expires_at - token.created_at <= timedelta(days=30)
    listed = client.get(TOKENS).json()["results"]
    assert all("token" not in row for row in listed)
    script = APIClient()
    script.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert script.get("/api/v1/auth/me/").status_code == 200


@pytest.mark.parametrize(
    "body",
    [{"name": "x", "ttl_days": 0}, {"name": "x", "ttl_days": 366}, {"ttl_days": 5}, {"name": "x"}],
)
def test_acc_41_a_personal_token_needs_a_name_and_1_to_365_days(client_for, user, body):
    client = client_for(user)
    before = AccessToken.objects.count()
    assert_error(client.post(TOKENS, body, format="json"), 400, "validation_error")
    assert AccessToken.objects.count() == before


def test_acc_41_anonymous_callers_make_no_token():
    assert_error(APIClient().post(TOKENS, {"name": "x", "ttl_days": 5}), 401, "not_authenticated")


def test_acc_40_logins_never_evict_a_personal_token(user, settings):
    settings.ACCESS_TOKEN_MAX_PER_USER = 3
    personal, _ = AccessToken.issue(
        user=user, ttl=timedelta(days=30), name="script", kind=TokenKind.PERSONAL
    )
    for n in range(5):
        AccessToken.issue(user=user, ttl=timedelta(days=1), name=f"login {n}")
    assert AccessToken.objects.filter(pk=personal.pk).exists()
    assert AccessToken.objects.filter(user=user, kind=TokenKind.SESSION).count() == 3


def test_acc_40_personal_tokens_evict_the_oldest_personal_token(user, settings):
    settings.ACCESS_TOKEN_MAX_PER_USER = 2
    login, _ = AccessToken.issue(user=user, ttl=timedelta(days=1), name="login")
    made = [
        AccessToken.issue(user=user, ttl=timedelta(days=5), name=f"p{n}", kind=TokenKind.PERSONAL)[
            0
        ]
        for n in range(3)
    ]
    kept = set(AccessToken.objects.filter(user=user).values_list("pk", flat=True))
    assert kept == {login.pk, made[1].pk, made[2].pk}
