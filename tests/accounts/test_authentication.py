"""Bearer tokens (ACC-20…25, R12) through real HTTP."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from accounts.models import AccessToken, User
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.probe")]

URL = "/api/v1/probe/echo/"


def post(client):
    return client.post(URL, {"name": "ok"}, format="json")


def test_a_live_token_authenticates(client_for, user):
    assert post(client_for(user)).status_code == 201


def test_expired_token_is_refused(client_for, user):
    client = client_for(user)
    now = timezone.now()
    AccessToken.objects.filter(user=user).update(
        created_at=now - timedelta(days=2), expires_at=now - timedelta(seconds=1)
    )
    response = post(client)
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_revoked_token_is_refused(client_for, user):
    client = client_for(user)
    AccessToken.objects.filter(user=user).delete()
    assert post(client).json()["code"] == "authentication_failed"


def test_inactive_users_token_is_refused(client_for, user):
    client = client_for(user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert post(client).status_code == 401


@pytest.mark.parametrize("where", ["query", "body"])
def test_token_outside_the_header_is_ignored(client_for, api_client, user, where):
    raw = client_for(user).raw_token
    if where == "query":
        response = api_client.post(
            f"{URL}?access_token={raw}&token={raw}", {"name": "ok"}, format="json"
        )
    else:
        response = api_client.post(
            URL, {"name": "ok", "token": raw, "access_token": raw}, format="json"
        )
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_only_the_digest_is_stored(client_for, user):
    raw = client_for(user).raw_token
    token = AccessToken.objects.get(user=user)
    assert raw.startswith("stu_") and token.token_prefix == raw[:12]
    with connection.cursor() as cursor:
        cursor.execute("SELECT row_to_json(t)::text FROM accounts_accesstoken t")
        rows = [row[0] for row in cursor.fetchall()]
    assert rows and not any(raw in row or raw[12:] in row for row in rows)


def test_authentication_costs_one_query(client_for, user, django_assert_num_queries):
    client = client_for(user)
    post(client)  # the first use stamps last_used_at
    with django_assert_num_queries(1):
        assert post(client).status_code == 201


def test_last_used_at_is_stamped_at_most_once_a_minute(client_for, user):
    client = client_for(user)
    post(client)
    first = AccessToken.objects.get(user=user).last_used_at
    post(client)
    assert AccessToken.objects.get(user=user).last_used_at == first
    AccessToken.objects.filter(user=user).update(last_used_at=first - timedelta(seconds=61))
    post(client)
    assert AccessToken.objects.get(user=user).last_used_at > first


def test_issuing_past_the_cap_drops_the_oldest(settings):
    settings.ACCESS_TOKEN_MAX_PER_USER = 3
    member = UserFactory()
    issued = [
        AccessToken.issue(user=member, ttl=timedelta(days=1), name=f"t{i}")[0] for i in range(5)
    ]
    remaining = set(AccessToken.objects.filter(user=member).values_list("name", flat=True))
    assert remaining == {"t2", "t3", "t4"}
    assert len(issued) == 5


def test_expiry_must_follow_creation(user):
    token, _ = AccessToken.issue(user=user, ttl=timedelta(days=1), name="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessToken.objects.filter(pk=token.pk).update(expires_at=token.created_at)
