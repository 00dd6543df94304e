"""R1, R2, R4: every chat endpoint, method and role in one table (API.md §3, §9.3).

Rows are the routes; columns the callers. The project and everything under it belong to the
owner; every other caller is a stranger to it. Staff and moderators are ordinary users in the
API. The service account holds the chat service permissions (the Service accounts group); a
superuser passes every permission check, but owner-only rows stay scoped to their owner. A
completeness check fails when a route has no row.
"""

from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import URLPattern
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import AccessToken, User
from chat import urls as chat_urls
from config.roles import MODERATORS_GROUP, SERVICE_ACCOUNTS_GROUP
from tests.chat.factories import (
    AgentCommandLogFactory,
    AgentRunFactory,
    ChatBookmarkFactory,
    ChatFactory,
    ChatSummaryFactory,
    MessageFactory,
    ShellSessionFactory,
)
from tests.factories import UserFactory
from tests.projects.factories import ContainerFactory, ProjectFactory

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "owner", "other", "moderator", "service", "staff", "superuser")
STRANGERS = ("other", "moderator", "service", "staff", "superuser")


def owner_only(ok):
    """Owner rows: strangers get 404, whatever their role."""
    return {"anonymous": 401, "owner": ok, **dict.fromkeys(STRANGERS, 404)}


def owner_or_service(ok):
    """The owner, and the holder of the endpoint's service permission for any project."""
    return {**owner_only(ok), "service": ok, "superuser": ok}


def service_only(ok):
    """The owner sees the target but may not act (403); other users do not see it (404)."""
    return {**owner_or_service(ok), "owner": 403}


@dataclass
class Endpoint:
    route: str
    method: str
    path: str  # formatted with the world's ids
    expected: dict
    body: object = None  # a dict, or a callable taking the world
    rows: dict | None = None  # for lists: rows each role that gets 200 sees
    label: str = ""

    @property
    def id(self):
        return f"{self.method} {self.route}{self.label}"


P = "/api/v1/projects/{project}"
OWNER_ROWS = {"owner": 1}
SHARED_ROWS = {"owner": 1, "service": 1, "superuser": 1}

ENDPOINTS = [
    Endpoint("project-chat-list", "GET", f"{P}/chats/", owner_only(200), rows=OWNER_ROWS),
    Endpoint("project-chat-list", "POST", f"{P}/chats/", owner_only(201), body={"title": "New"}),
    Endpoint("project-chat-detail", "GET", f"{P}/chats/{{chat}}/", owner_only(200)),
    Endpoint(
        "project-chat-detail", "PATCH", f"{P}/chats/{{chat}}/", owner_only(200), {"title": "x"}
    ),
    Endpoint("project-chat-detail", "DELETE", f"{P}/chats/{{chat}}/", owner_only(204)),
    Endpoint(
        "project-chat-message-list",
        "GET",
        f"{P}/chats/{{chat}}/messages/",
        owner_only(200),
        rows=OWNER_ROWS,
    ),
    Endpoint(
        "project-chat-message-list",
        "POST",
        f"{P}/chats/{{chat}}/messages/",
        owner_or_service(201),
        body={"role": "user", "content": "Add dark mode"},
        label=" user",
    ),
    ASSISTANT_MESSAGE := Endpoint(
        "project-chat-message-list",
        "POST",
        f"{P}/chats/{{chat}}/messages/",
        service_only(201),
        body={"role": "assistant", "content": "Dark mode is on."},
        label=" assistant",
    ),
    Endpoint(
        "project-command-log-list", "GET", f"{P}/command-logs/", owner_only(200), rows=OWNER_ROWS
    ),
    COMMAND_LOG := Endpoint(
        "project-command-log-list",
        "POST",
        f"{P}/command-logs/",
        service_only(201),
        body={"command": "ls", "success": True, "risk_level": "safe"},
    ),
    Endpoint("project-command-log-detail", "GET", f"{P}/command-logs/{{log}}/", owner_only(200)),
    Endpoint(
        "project-shell-session-list",
        "GET",
        f"{P}/shell-sessions/",
        owner_or_service(200),
        rows=SHARED_ROWS,
    ),
    Endpoint(
        "project-shell-session-list",
        "POST",
        f"{P}/shell-sessions/",
        owner_or_service(201),
        body=lambda world: {"container_name": world.container},
    ),
    Endpoint(
        "project-shell-session-detail",
        "GET",
        f"{P}/shell-sessions/{{session}}/",
        owner_or_service(200),
    ),
    Endpoint(
        "project-shell-session-close",
        "POST",
        f"{P}/shell-sessions/{{session}}/close/",
        owner_or_service(200),
    ),
    Endpoint(
        "project-shell-session-status",
        "POST",
        f"{P}/shell-sessions/{{session}}/status/",
        service_only(200),
        body={"status": "active"},
    ),
    Endpoint(
        "project-shell-session-usage",
        "POST",
        f"{P}/shell-sessions/{{session}}/usage/",
        service_only(200),
        body={"bytes_read": 1, "bytes_written": 1},
    ),
    Endpoint(
        "project-chat-run-list",
        "GET",
        f"{P}/chats/{{chat}}/runs/",
        owner_only(200),
        rows=OWNER_ROWS,
    ),
    Endpoint(
        "project-chat-run-list",
        "POST",
        f"{P}/chats/{{chat}}/runs/",
        service_only(201),
        body={"request_id": "claim-1", "model": "m", "run_type": "chat_run"},
    ),
    Endpoint(
        "project-chat-run-detail", "GET", f"{P}/chats/{{chat}}/runs/{{run}}/", owner_or_service(200)
    ),
    Endpoint(
        "project-chat-run-status",
        "POST",
        f"{P}/chats/{{chat}}/runs/{{run}}/status/",
        service_only(200),
        body={"status": "paused"},
    ),
    Endpoint(
        "project-chat-run-cancel",
        "POST",
        f"{P}/chats/{{chat}}/runs/{{run}}/cancel/",
        owner_or_service(200),
    ),
    Endpoint(
        "project-chat-summary-list",
        "GET",
        f"{P}/chats/{{chat}}/summaries/",
        owner_only(200),
        rows=OWNER_ROWS,
    ),
    Endpoint(
        "project-chat-summary-list",
        "POST",
        f"{P}/chats/{{chat}}/summaries/",
        service_only(201),
        body=lambda world: {
            "end_message": str(MessageFactory(chat=world.chat).pk),
            "summary_text": "Dark mode, then a sticky header.",
            "original_tokens": 900,
            "summary_tokens": 90,
            "model": "m",
        },
    ),
    Endpoint(
        "project-chat-summary-latest",
        "GET",
        f"{P}/chats/{{chat}}/summaries/latest/",
        owner_or_service(200),
    ),
    Endpoint("project-chat-bookmark", "PUT", f"{P}/chats/{{chat}}/bookmarks/pin/", owner_only(204)),
    Endpoint(
        "project-chat-bookmark", "DELETE", f"{P}/chats/{{chat}}/bookmarks/pin/", owner_only(204)
    ),
    Endpoint(
        "chat-bookmark-list",
        "GET",
        "/api/v1/chats/bookmarks/",
        {"anonymous": 401, "owner": 200, **dict.fromkeys(STRANGERS, 200)},
        rows={"owner": 1, **dict.fromkeys(STRANGERS, 0)},
    ),
]


def build_world():
    """The owner's project with one of each chat row, in states where every call works."""
    owner = UserFactory()
    project = ProjectFactory(owner=owner)
    container = ContainerFactory(project=project)
    chat = ChatFactory(project=project)
    ChatSummaryFactory(chat=chat, end_message=MessageFactory(chat=chat))
    ChatBookmarkFactory(chat=chat)
    return SimpleNamespace(
        owner=owner,
        project=project,
        container=container.container_name,
        chat=chat,
        run=AgentRunFactory(chat=chat, running=True),
        log=AgentCommandLogFactory(project=project),
        session=ShellSessionFactory(project=project, container_name=container.container_name),
    )


def caller_for(role, world):
    if role == "owner":
        return world.owner
    if role == "staff":
        return UserFactory(staff=True)
    if role == "superuser":
        return UserFactory(superuser=True)
    caller = UserFactory()
    if role in ("moderator", "service"):
        group = MODERATORS_GROUP if role == "moderator" else SERVICE_ACCOUNTS_GROUP
        caller.groups.add(Group.objects.get_or_create(name=group)[0])
    return caller


def call(client, endpoint, world):
    ids = {name: getattr(world, name).pk for name in ("project", "chat", "log", "session", "run")}
    body = endpoint.body(world) if callable(endpoint.body) else endpoint.body
    method = getattr(client, endpoint.method.lower())
    return method(endpoint.path.format(**ids), body, format="json")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.id)
def test_r1_permission_matrix(client_for, endpoint, role):
    world = build_world()
    client = APIClient() if role == "anonymous" else client_for(caller_for(role, world))
    response = call(client, endpoint, world)
    assert response.status_code == endpoint.expected[role], response.content
    if endpoint.rows is not None and response.status_code == 200:
        assert len(response.json()["results"]) == endpoint.rows[role]


def routed_methods():
    """Every (route name, method) the chat URLconf serves."""
    for pattern in chat_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        for method in pattern.callback.actions:
            if method not in ("head", "options"):
                yield pattern.name, method.upper()


def test_r1_every_route_and_method_has_a_matrix_row():
    assert set(routed_methods()) == {(e.route, e.method) for e in ENDPOINTS}


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.id)
def test_r1_inactive_users_and_expired_or_revoked_tokens_are_401(client_for, endpoint):
    world = build_world()
    expired = client_for(world.owner)
    past = timezone.now() - timedelta(days=1)
    AccessToken.objects.filter(user=world.owner).update(
        created_at=past - timedelta(days=1), expires_at=past
    )
    revoked_owner = UserFactory()
    revoked = client_for(revoked_owner)
    AccessToken.objects.filter(user=revoked_owner).delete()
    inactive_user = UserFactory()
    inactive = client_for(inactive_user)
    User.objects.filter(pk=inactive_user.pk).update(is_active=False)
    for client in (expired, revoked, inactive):
        response = call(client, endpoint, world)
        assert response.status_code == 401
        assert response.json()["code"] == "authentication_failed"


def test_r4_the_service_account_holds_exactly_the_chat_service_permissions(service_account):
    granted = {p for p in service_account.get_all_permissions() if p.startswith("chat.")}
    assert granted == {
        "chat.record_messages",
        "chat.record_command_logs",
        "chat.manage_shell_sessions",
        "chat.record_runs",
    }


def test_r4_a_user_holding_one_service_permission_gets_only_that_one(client_for):
    world = build_world()
    recorder = UserFactory()
    recorder.user_permissions.add(*_permissions("record_messages"))
    client = client_for(recorder)
    assert call(client, ASSISTANT_MESSAGE, world).status_code == 201
    assert call(client, COMMAND_LOG, world).status_code == 404


def _permissions(*codenames):
    return Permission.objects.filter(content_type__app_label="chat", codename__in=codenames)
