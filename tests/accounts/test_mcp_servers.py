"""Users' MCP servers (EXTENSIONS.md §10, ACC-42…44): CRUD of one's own, headers encrypted and
write-only, a public-https URL, unique names and at most 20 per user, even under a race."""

import pytest
from django.db import connection

from accounts.errors import McpServerLimitReached
from accounts.models import MCP_SERVERS_PER_USER, McpServer
from accounts.services import mcp_server_create
from tests.concurrency import outcomes_in_threads, raised
from tests.factories import UserFactory
from tests.helpers import assert_error

pytestmark = pytest.mark.django_db

SERVERS = "/api/v1/auth/mcp-servers/"
SECRET = "Bearer mcp-secret-value-1234"


def body(**extra):
    return {
        "name": "search",
        "url": "https://mcp.example.com/sse",
        "transport": "sse",
        "headers": {"Authorization": SECRET},
        "enabled_tools": ["search", "fetch"],
        **extra,
    }


def test_acc_42_a_user_adds_a_server_and_reads_header_names_only(client_for, user):
    client = client_for(user)
    response = client.post(SERVERS, body(), format="json")
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["header_names"] == ["Authorization"] and answer["has_headers"] is True
    assert "headers" not in answer and SECRET not in response.content.decode()
    server = McpServer.objects.get(pk=answer["id"])
    assert server.user == user and server.headers == {"Authorization": SECRET}
    listed = client.get(SERVERS)
    assert SECRET not in listed.content.decode()
    assert [row["id"] for row in listed.json()["results"]] == [answer["id"]]


def test_acc_42_headers_are_encrypted_at_rest(user):
    server = mcp_server_create(
        actor=user, name="enc", url="https://mcp.example.com/", headers={"X-Key": SECRET}
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT headers::text FROM accounts_mcpserver WHERE id = %s", [server.pk])
        (stored,) = cursor.fetchone()
    assert SECRET not in stored


def test_acc_42_patch_replaces_headers_and_keeps_them_when_absent(client_for, user):
    client = client_for(user)
    created = client.post(SERVERS, body(), format="json").json()
    url = f"{SERVERS}{created['id']}/"
    renamed = client.patch(url, {"name": "renamed"}, format="json")
    assert renamed.status_code == 200, renamed.content
    assert McpServer.objects.get(pk=created["id"]).headers == {"Authorization": SECRET}
    replaced = client.patch(url, {"headers": {"X-Api-Key": "other-secret-5678"}}, format="json")
    assert replaced.json()["header_names"] == ["X-Api-Key"]
    assert McpServer.objects.get(pk=created["id"]).headers == {"X-Api-Key": "other-secret-5678"}


def test_acc_42_another_users_server_is_a_404(client_for, user, other_user):
    server = mcp_server_create(actor=other_user, name="theirs", url="https://mcp.example.com/")
    client = client_for(user)
    url = f"{SERVERS}{server.pk}/"
    assert_error(client.get(url), 404, "not_found")
    assert_error(client.patch(url, {"name": "mine"}, format="json"), 404, "not_found")
    assert_error(client.delete(url), 404, "not_found")
    assert McpServer.objects.filter(pk=server.pk, name="theirs").exists()


def test_acc_42_the_owner_deletes_a_server(client_for, user):
    server = mcp_server_create(actor=user, name="gone", url="https://mcp.example.com/")
    assert client_for(user).delete(f"{SERVERS}{server.pk}/").status_code == 204
    assert not McpServer.objects.filter(pk=server.pk).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"url": "http://mcp.example.com/"}, "url"),
        ({"url": "https://127.0.0.1/"}, "url"),
        ({"url": "https://user:pw@mcp.example.com/"}, "url"),
        ({"name": "Not a slug!"}, "name"),
        ({"transport": "stdio"}, "transport"),
        ({"headers": {"Bad Header": "x"}}, "headers"),
        ({"headers": {"X-Key": "a\nb"}}, "headers"),
        ({"headers": ["not", "an", "object"]}, "headers"),
        ({"enabled_tools": "search"}, "enabled_tools"),
        ({"enabled_tools": [1, 2]}, "enabled_tools"),
    ],
)
def test_acc_42_bad_input_is_a_400_on_its_field(client_for, user, change, field):
    response = client_for(user).post(SERVERS, body(**change), format="json")
    assert field in assert_error(response, 400, "validation_error")["fields"]
    assert not McpServer.objects.exists()


def test_acc_43_names_are_unique_per_user(client_for, user, other_user):
    mcp_server_create(actor=other_user, name="search", url="https://mcp.example.com/")
    client = client_for(user)
    assert client.post(SERVERS, body(), format="json").status_code == 201
    assert_error(client.post(SERVERS, body(), format="json"), 409, "already_exists")
    other = client.post(SERVERS, body(name="other"), format="json").json()
    renamed = client.patch(f"{SERVERS}{other['id']}/", {"name": "search"}, format="json")
    assert_error(renamed, 409, "already_exists")


def test_acc_43_at_most_20_servers_per_user(client_for, user):
    for n in range(MCP_SERVERS_PER_USER):
        mcp_server_create(actor=user, name=f"s{n}", url="https://mcp.example.com/")
    response = client_for(user).post(SERVERS, body(name="one-more"), format="json")
    assert_error(response, 409, "mcp_server_limit_reached")
    assert McpServer.objects.filter(user=user).count() == MCP_SERVERS_PER_USER


@pytest.mark.django_db(transaction=True)
def test_acc_43_concurrent_adds_never_pass_the_limit():
    user = UserFactory()
    for n in range(MCP_SERVERS_PER_USER - 3):
        mcp_server_create(actor=user, name=f"s{n}", url="https://mcp.example.com/")
    outcomes = outcomes_in_threads(
        10,
        lambda index: mcp_server_create(
            actor=user, name=f"race{index}", url="https://mcp.example.com/"
        ),
    )
    assert sum(isinstance(outcome, McpServer) for outcome in outcomes) == 3
    assert [type(error) for error in raised(outcomes)] == [McpServerLimitReached] * 7
    assert McpServer.objects.filter(user=user).count() == MCP_SERVERS_PER_USER
