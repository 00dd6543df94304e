"""Connector credentials (EXTENSIONS.md §9; PRJ-110 to PRJ-113)."""

import pytest
from django.db import IntegrityError, transaction

from accounts.models import token_digest
from config.exceptions import NotAllowed
from projects import services
from projects.models import ConnectorCredential
from projects.selectors import connector_for_token
from tests.helpers import assert_error
from tests.projects.factories import ConnectorCredentialFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/connectors/"


def create(client, **fields):
    body = {
        "connector_type": "notion",
        "account_label": "Team wiki",
        "access_token": "secret_notion_token_1234",
        **fields,
    }
    return client.post(URL, body, format="json")


def test_prj_110_create_and_read_back_without_secrets(owner_client, user):
    response = create(
        owner_client,
        refresh_token="refresh-notion-5678",
        endpoint_url="https://mcp.composio.example.com/u/123",
        metadata={"toolkit_slug": "notion"},
        enabled_tools=["search", "read_page"],
        is_default=True,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["access_token_set"] and body["has_refresh_token"] and body["endpoint_url_set"]
    assert (body["status"], body["is_default"], body["enabled_tools"]) == (
        "pending",
        True,
        ["search", "read_page"],
    )
    text = response.content.decode()
    for secret in ("secret_notion_token", "refresh-notion", "mcp.composio"):
        assert secret not in text
    stored = ConnectorCredential.objects.get(pk=body["id"])
    assert (stored.access_token_last4, stored.user) == ("1234", user)


def test_prj_110_one_connector_per_type_and_label(owner_client):
    assert create(owner_client).status_code == 201
    body = assert_error(
        create(owner_client, access_token="another-token-0000"), 409, "already_exists"
    )
    assert "account_label" in body["fields"]
    other_label = create(owner_client, account_label="Personal", access_token="third-token-1")
    assert other_label.status_code == 201


def test_prj_110_the_database_holds_the_label_rule(user):
    ConnectorCredentialFactory(user=user, account_label="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        ConnectorCredentialFactory(user=user, account_label="same")


def test_prj_110_another_users_connector_is_a_404(client_for, other_user, owner_client):
    theirs = ConnectorCredentialFactory(user=other_user)
    assert_error(owner_client.get(f"{URL}{theirs.pk}/"), 404, "not_found")
    assert_error(
        owner_client.patch(f"{URL}{theirs.pk}/", {"scope": "x"}, format="json"), 404, "not_found"
    )
    assert_error(owner_client.delete(f"{URL}{theirs.pk}/"), 404, "not_found")
    assert owner_client.get(URL).json()["results"] == []


def test_prj_111_rotation_replaces_token_last4_and_digest(owner_client, user):
    connector = ConnectorCredentialFactory(user=user, access_token="old-token-AAAA")
    response = owner_client.patch(
        f"{URL}{connector.pk}/", {"access_token": "new-token-BBBB"}, format="json"
    )
    assert response.status_code == 200, response.content
    connector.refresh_from_db()
    assert connector.access_token == "new-token-BBBB"
    assert connector.access_token_last4 == "BBBB"
    assert connector.token_digest == token_digest("new-token-BBBB")


def test_prj_111_the_runtime_finds_an_active_connector_by_its_token_digest():
    active = ConnectorCredentialFactory(access_token="mcp-token-active-1")
    ConnectorCredentialFactory(access_token="mcp-token-revoked-1", status="revoked")
    assert connector_for_token("mcp-token-active-1") == active
    assert connector_for_token("mcp-token-revoked-1") is None
    assert connector_for_token("no-such-token") is None


def test_prj_111_a_token_is_linked_once(owner_client, other_user):
    ConnectorCredentialFactory(user=other_user, access_token="shared-token-9999")
    body = assert_error(
        create(owner_client, access_token="shared-token-9999"), 409, "already_exists"
    )
    assert "access_token" in body["fields"]


def test_prj_112_one_default_per_type_moves_with_the_flag(owner_client, user):
    first = ConnectorCredentialFactory(user=user, is_default=True)
    second = ConnectorCredentialFactory(user=user)
    other_type = ConnectorCredentialFactory(user=user, connector_type="notion", is_default=True)
    response = owner_client.patch(f"{URL}{second.pk}/", {"is_default": True}, format="json")
    assert response.json()["is_default"] is True
    defaults = set(
        ConnectorCredential.objects.filter(user=user, is_default=True).values_list("pk", flat=True)
    )
    assert defaults == {second.pk, other_type.pk}
    first.refresh_from_db()
    assert first.is_default is False


def test_prj_112_the_database_holds_one_default(user):
    ConnectorCredentialFactory(user=user, is_default=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        ConnectorCredentialFactory(user=user, is_default=True)


def test_prj_112_a_new_default_replaces_the_old_one(owner_client, user):
    old = ConnectorCredentialFactory(user=user, connector_type="notion", is_default=True)
    assert create(owner_client, is_default=True).status_code == 201
    old.refresh_from_db()
    assert old.is_default is False


def test_prj_113_metadata_takes_no_secret_keys(owner_client):
    body = assert_error(create(owner_client, metadata={"api_key": "x"}), 400, "validation_error")
    assert "metadata" in body["fields"]


def test_prj_113_endpoint_must_be_public_https(owner_client):
    body = assert_error(
        create(owner_client, endpoint_url="http://127.0.0.1/mcp"), 400, "validation_error"
    )
    assert "endpoint_url" in body["fields"]


def test_prj_113_filters_and_delete(owner_client, user):
    ConnectorCredentialFactory(user=user, connector_type="slack", status="needs_reauth")
    gone = ConnectorCredentialFactory(user=user, connector_type="notion")
    listed = owner_client.get(URL, {"status": "needs_reauth"}).json()["results"]
    assert [row["connector_type"] for row in listed] == ["slack"]
    assert_error(owner_client.get(URL, {"status": "bogus"}), 400, "validation_error")
    assert owner_client.delete(f"{URL}{gone.pk}/").status_code == 204
    assert not ConnectorCredential.objects.filter(pk=gone.pk).exists()


def test_prj_110_services_check_the_actor(other_user):
    connector = ConnectorCredentialFactory()
    with pytest.raises(NotAllowed):
        services.connector_update(actor=other_user, connector=connector, scope="x")
    with pytest.raises(NotAllowed):
        services.connector_delete(actor=other_user, connector=connector)
