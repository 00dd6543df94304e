"""The permission matrix of the feedback API (API.md §3, RELIABILITY.md R1, R2, R4).

One row per route, method and target; one column per role. `author` wrote the visible post,
the hidden post and both comments; staff and the service account are ordinary users in the
API; superusers pass the moderator check but rows are still scoped like a moderator's.
"""

from datetime import timedelta

import pytest
from django.urls import URLPattern
from django.utils import timezone

from accounts.models import AccessToken, User
from feedback import urls as feedback_urls
from tests.feedback.utils import POSTS

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "author", "other_user", "moderator", "service_account", "staff_user")
ROLES += ("superuser",)

# (route name, method, target): one status per role, in ROLES order.
#                                                      anon auth other  mod  svc staff super
MATRIX = {
    ("feedback-post-list", "GET", None): (401, 200, 200, 200, 200, 200, 200),
    ("feedback-post-list", "POST", None): (401, 201, 201, 201, 201, 201, 201),
    ("feedback-post-detail", "GET", "post"): (401, 200, 200, 200, 200, 200, 200),
    ("feedback-post-detail", "GET", "hidden_post"): (401, 200, 404, 200, 404, 404, 200),
    ("feedback-post-detail", "PATCH", "post"): (401, 200, 403, 403, 403, 403, 403),
    ("feedback-post-detail", "PATCH", "hidden_post"): (401, 200, 404, 403, 404, 404, 403),
    ("feedback-post-detail", "DELETE", "post"): (401, 204, 403, 403, 403, 403, 403),
    ("feedback-post-detail", "DELETE", "hidden_post"): (401, 204, 404, 403, 404, 404, 403),
    ("feedback-post-moderation", "PATCH", "post"): (401, 403, 403, 200, 403, 403, 200),
    ("feedback-post-moderation", "PATCH", "hidden_post"): (401, 403, 404, 200, 404, 404, 200),
    ("feedback-post-upvote", "POST", "post"): (401, 201, 201, 201, 201, 201, 201),
    ("feedback-post-upvote", "POST", "hidden_post"): (401, 409, 404, 409, 404, 404, 409),
    ("feedback-post-upvote", "DELETE", "post"): (401, 204, 204, 204, 204, 204, 204),
    ("feedback-post-upvote", "DELETE", "hidden_post"): (401, 204, 404, 204, 404, 404, 204),
    ("feedback-comment-list", "GET", "post"): (401, 200, 200, 200, 200, 200, 200),
    ("feedback-comment-list", "GET", "hidden_post"): (401, 200, 404, 200, 404, 404, 200),
    ("feedback-comment-list", "POST", "post"): (401, 201, 201, 201, 201, 201, 201),
    ("feedback-comment-list", "POST", "hidden_post"): (401, 201, 404, 201, 404, 404, 201),
    ("feedback-comment-detail", "PATCH", "comment"): (401, 200, 403, 403, 403, 403, 403),
    ("feedback-comment-detail", "PATCH", "hidden_comment"): (401, 200, 404, 403, 404, 404, 403),
    ("feedback-comment-detail", "DELETE", "comment"): (401, 204, 403, 403, 403, 403, 403),
    ("feedback-comment-detail", "DELETE", "hidden_comment"): (401, 204, 404, 403, 404, 404, 403),
    ("feedback-comment-moderation", "PATCH", "comment"): (401, 403, 403, 200, 403, 403, 200),
    ("feedback-comment-moderation", "PATCH", "hidden_comment"): (401, 403, 404, 200, 404, 404, 200),
}

# Rows a successful list shows: the visible post and the author's hidden one; the visible
# post's comment and the author's hidden comment.
VISIBLE_ROWS = {
    ("feedback-post-list", None): (None, 2, 1, 2, 1, 1, 2),
    ("feedback-comment-list", "post"): (None, 2, 1, 2, 1, 1, 2),
    ("feedback-comment-list", "hidden_post"): (None, 0, None, 0, None, None, 0),
}

BODIES = {
    ("feedback-post-list", "POST"): {"type": "bug", "title": "New", "description": "It broke."},
    ("feedback-post-detail", "PATCH"): {"title": "Edited"},
    ("feedback-post-moderation", "PATCH"): {"status": "closed"},
    ("feedback-comment-list", "POST"): {"content": "Me too"},
    ("feedback-comment-detail", "PATCH"): {"content": "Edited"},
    ("feedback-comment-moderation", "PATCH"): {"is_hidden": True},
}

PATHS = {
    "feedback-post-list": lambda target: POSTS,
    "feedback-post-detail": lambda post: f"{POSTS}{post.pk}/",
    "feedback-post-moderation": lambda post: f"{POSTS}{post.pk}/moderation/",
    "feedback-post-upvote": lambda post: f"{POSTS}{post.pk}/upvote/",
    "feedback-comment-list": lambda post: f"{POSTS}{post.pk}/comments/",
    "feedback-comment-detail": lambda comment: (
        f"{POSTS}{comment.feedback_id}/comments/{comment.pk}/"
    ),
    "feedback-comment-moderation": (
        lambda comment: f"{POSTS}{comment.feedback_id}/comments/{comment.pk}/moderation/"
    ),
}

CASES = [
    pytest.param(route, method, target, role, expected, id=f"{method} {route} {target} {role}")
    for (route, method, target), statuses in MATRIX.items()
    for role, expected in zip(ROLES, statuses, strict=True)
]


def send(client, method, url, body):
    return getattr(client, method.lower())(url, body, format="json")


@pytest.fixture
def world(post, hidden_post, comment, hidden_comment):
    return {
        None: None,
        "post": post,
        "hidden_post": hidden_post,
        "comment": comment,
        "hidden_comment": hidden_comment,
    }


@pytest.mark.parametrize(("route", "method", "target", "role", "expected"), CASES)
def test_permission_matrix(request, as_user, world, route, method, target, role, expected):
    actor = None if role == "anonymous" else request.getfixturevalue(role)
    url = PATHS[route](world[target])
    response = send(as_user(actor), method, url, BODIES.get((route, method)))
    assert response.status_code == expected, response.content
    rows = VISIBLE_ROWS.get((route, target))
    if rows and expected == 200:
        assert len(response.json()["results"]) == rows[ROLES.index(role)]


def routed_methods():
    """Every (route name, method) the feedback URLconf serves."""
    for pattern in feedback_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        for method in pattern.callback.actions:
            if method not in ("head", "options"):
                yield pattern.name, method.upper()


def test_every_route_and_method_has_a_matrix_row():
    served = set(routed_methods())
    covered = {(route, method) for route, method, _ in MATRIX}
    assert served == covered


@pytest.mark.parametrize(("route", "method", "target"), list(MATRIX))
def test_an_inactive_user_or_an_expired_token_is_401(
    client_for, user, other_user, world, route, method, target
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
        response = send(client, method, url, BODIES.get((route, method)))
        assert response.status_code == 401
        assert response.json()["code"] == "authentication_failed"
