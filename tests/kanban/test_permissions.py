"""The permission matrix of the kanban API (API.md §3, §9.6; RELIABILITY.md R1, R2, R4).

One row per route, method and target; one column per role. The project, its board and
everything on it belong to `owner`; to every other role they are someone else's private rows,
so each answer is a 404 whatever the role (the API gives moderators, the service account, staff
and superusers no rights over another user's board). `foreign_comment` was written on the
owner's board by someone else: the owner sees it but may not change it (KAN-13, 403).
A completeness check fails when a route or method has no row.
"""

from datetime import timedelta

import pytest
from django.urls import URLPattern
from django.utils import timezone

from accounts.models import AccessToken, User
from kanban import urls as kanban_urls
from kanban.models import KanbanBoard, ProjectNote
from tests.factories import UserFactory
from tests.kanban.factories import KanbanTaskCommentFactory
from tests.kanban.utils import board_url, column_url, comment_url, note_url, task_url

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "owner", "other_user", "moderator", "service_account", "staff_user")
ROLES += ("superuser",)


def owner_only(ok):
    return (401, ok, 404, 404, 404, 404, 404)


# (route name, method, target): one status per role, in ROLES order.
MATRIX = {
    ("kanban-board", "GET", None): owner_only(200),
    ("kanban-board", "PATCH", None): owner_only(200),
    ("kanban-column-list", "POST", None): owner_only(201),
    ("kanban-column-detail", "PATCH", "column"): owner_only(200),
    ("kanban-column-detail", "DELETE", "column"): owner_only(204),
    ("kanban-column-move", "POST", "column"): owner_only(200),
    ("kanban-task-list", "GET", None): owner_only(200),
    ("kanban-task-list", "POST", None): owner_only(201),
    ("kanban-task-detail", "GET", "task"): owner_only(200),
    ("kanban-task-detail", "PATCH", "task"): owner_only(200),
    ("kanban-task-detail", "DELETE", "task"): owner_only(204),
    ("kanban-task-move", "POST", "task"): owner_only(200),
    ("kanban-task-by-reference", "GET", "task"): owner_only(200),
    ("kanban-comment-list", "GET", "task"): owner_only(200),
    ("kanban-comment-list", "POST", "task"): owner_only(201),
    ("kanban-comment-detail", "PATCH", "comment"): owner_only(200),
    ("kanban-comment-detail", "PATCH", "foreign_comment"): owner_only(403),
    ("kanban-comment-detail", "DELETE", "comment"): owner_only(204),
    ("kanban-comment-detail", "DELETE", "foreign_comment"): owner_only(403),
    ("kanban-note", "GET", None): owner_only(200),
    ("kanban-note", "PUT", None): owner_only(200),
}

# Rows the owner's successful list shows: the one task; the task's two comments.
VISIBLE_ROWS = {"kanban-task-list": 1, "kanban-comment-list": 2}

PATHS = {
    "kanban-board": lambda w: board_url(w["project"]),
    "kanban-column-list": lambda w: board_url(w["project"], "columns/"),
    "kanban-column-detail": lambda w: column_url(w["column"]),
    "kanban-column-move": lambda w: column_url(w["column"], "move/"),
    "kanban-task-list": lambda w: board_url(w["project"], "tasks/"),
    "kanban-task-detail": lambda w: task_url(w["task"]),
    "kanban-task-move": lambda w: task_url(w["task"], "move/"),
    "kanban-task-by-reference": lambda w: board_url(w["project"], f"tasks/{w['task'].reference}/"),
    "kanban-comment-list": lambda w: task_url(w["task"], "comments/"),
    "kanban-comment-detail": lambda w: comment_url(w["comment"]),
    "kanban-note": lambda w: note_url(w["project"]),
}

BODIES = {
    ("kanban-board", "PATCH"): lambda w: {"name": "Renamed"},
    ("kanban-column-list", "POST"): lambda w: {"name": "New"},
    ("kanban-column-detail", "PATCH"): lambda w: {"name": "Renamed"},
    ("kanban-column-move", "POST"): lambda w: {"position": 0},
    ("kanban-task-list", "POST"): lambda w: {"column": str(w["to_do"].pk), "title": "New"},
    ("kanban-task-detail", "PATCH"): lambda w: {"title": "Edited"},
    ("kanban-task-move", "POST"): lambda w: {"column": str(w["column"].pk), "position": 0},
    ("kanban-comment-list", "POST"): lambda w: {"content": "Me too"},
    ("kanban-comment-detail", "PATCH"): lambda w: {"content": "Edited"},
    ("kanban-note", "PUT"): lambda w: {"content": "<p>Plan</p>", "content_format": "html"},
}

CASES = [
    pytest.param(route, method, target, role, expected, id=f"{method} {route} {target} {role}")
    for (route, method, target), statuses in MATRIX.items()
    for role, expected in zip(ROLES, statuses, strict=True)
]


@pytest.fixture
def world(project, board, columns, task):
    """`column` is empty (Review), so it can be deleted; `task` sits in To Do."""
    comment = KanbanTaskCommentFactory(task=task)
    foreign_comment = KanbanTaskCommentFactory(task=task, user=UserFactory())
    return {
        "project": project,
        "to_do": columns["To Do"],
        "column": columns["Review"],
        "task": task,
        "comment": comment,
        "foreign_comment": foreign_comment,
    }


def request_for(world, route, method, target):
    scope = dict(world)
    if target == "foreign_comment":
        scope["comment"] = world["foreign_comment"]
    body = BODIES.get((route, method))
    return PATHS[route](scope), body(world) if body else None


def send(client, method, url, body):
    return getattr(client, method.lower())(url, body, format="json")


@pytest.mark.parametrize(("route", "method", "target", "role", "expected"), CASES)
def test_permission_matrix(request, as_user, world, route, method, target, role, expected):
    actor = None if role == "anonymous" else request.getfixturevalue(role)
    url, body = request_for(world, route, method, target)
    response = send(as_user(actor), method, url, body)
    assert response.status_code == expected, response.content
    if expected == 200 and route in VISIBLE_ROWS:
        assert len(response.json()["results"]) == VISIBLE_ROWS[route]


def routed_methods():
    """Every (route name, method) the kanban URLconf serves."""
    for pattern in kanban_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        actions = getattr(pattern.callback, "actions", None)
        if actions is None:  # an APIView: the handlers it defines and allows
            view = pattern.callback.view_class
            methods = [m for m in view.http_method_names if hasattr(view, m)]
        else:
            methods = list(actions)
        for method in methods:
            if method not in ("head", "options"):
                yield pattern.name, method.upper()


def test_every_route_and_method_has_a_matrix_row():
    assert set(routed_methods()) == {(route, method) for route, method, _ in MATRIX}


@pytest.mark.parametrize(("route", "method", "target"), list(MATRIX))
def test_an_inactive_user_or_an_expired_token_is_401(
    client_for, owner, other_user, world, route, method, target
):
    url, body = request_for(world, route, method, target)
    expired = client_for(owner)
    past = timezone.now() - timedelta(days=1)
    AccessToken.objects.filter(user=owner).update(
        created_at=past - timedelta(days=1), expires_at=past
    )
    inactive = client_for(other_user)
    User.objects.filter(pk=other_user.pk).update(is_active=False)
    for client in (expired, inactive):
        response = send(client, method, url, body)
        assert response.status_code == 401
        assert response.json()["code"] == "authentication_failed"


def test_strangers_never_create_a_board_or_note(client_for, project, other_user, superuser):
    for stranger in (other_user, superuser):
        client = client_for(stranger)
        client.get(board_url(project))
        client.get(note_url(project))
    assert not KanbanBoard.objects.exists() and not ProjectNote.objects.exists()
