"""Unknown body fields (docs/api.md "Unknown fields", API.md §1): every write endpoint of the
permission matrix, called by a caller it lets in with a valid body plus one field it does not
take, answers 400 naming that field and writes nothing. The routes come from the matrix, so a
new endpoint is walked without anyone listing it."""

import uuid
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.models import AccessToken
from config.api import READ_ONLY_FIELD, UNKNOWN_FIELD
from config.roles import SERVICE_ACCOUNTS_GROUP, SERVICE_PERMISSIONS
from tests.api.test_permission_matrix import ROUTES, bearer, build_world, ids_of
from tests.api.test_privileged_fields import BODIES, SERVICE_CLASSES, WRITES, snapshot
from tests.conftest import granted_group
from tests.factories import UserFactory
from tests.feedback.factories import FeedbackPostFactory

pytestmark = pytest.mark.django_db

UNKNOWN = "not_a_field"


def caller_for(world, access):
    if access in SERVICE_CLASSES:
        caller = UserFactory()
        caller.groups.add(granted_group(SERVICE_ACCOUNTS_GROUP, SERVICE_PERMISSIONS))
    else:
        caller = world.owner
    _, raw = AccessToken.issue(user=caller, ttl=timedelta(days=1), name="unknown-fields")
    return bearer(raw) if access != "public" else APIClient()


# Bodies the JSON walk of test_privileged_fields does not hold: uploads are multipart.
MULTIPART = {
    ("project-asset-list", "POST"): lambda w: {
        "file": SimpleUploadedFile("notes.txt", b"notes"),
    },
}


@pytest.mark.parametrize("route", WRITES, ids=lambda r: f"{r[1]} {r[0]}")
def test_an_unknown_body_field_is_a_400_naming_it(route, settings):
    settings.OAUTH_CLIENTS = {"github": {"client_id": "gh-client", "client_secret": "gh-secret"}}
    world = build_world()
    _, method = route
    template, access = ROUTES[route]
    client = caller_for(world, access)
    body = {**(MULTIPART.get(route) or BODIES.get(route, lambda w: {}))(world), UNKNOWN: "x"}
    before = snapshot()
    cache.clear()
    response = getattr(client, method.lower())(
        template.format(**ids_of(world)),
        body,
        format="multipart" if route in MULTIPART else "json",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "validation_error"
    assert response.json()["fields"] == {UNKNOWN: [UNKNOWN_FIELD]}
    assert written(before, snapshot()) == set()


def written(before, after):
    """Rows created or changed, apart from the bearer token's last use."""
    changed = {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}
    return {key for key in changed if key[0] != "accounts.AccessToken"}


def test_a_read_only_field_sent_back_is_named_read_only(client_for, user):
    """A client that PATCHes back what it read learns which fields it may not write."""
    owner_client = client_for(user)
    project = owner_client.post("/api/v1/projects/", {"name": "Mine"}, format="json").json()
    response = owner_client.patch(
        f"/api/v1/projects/{project['id']}/",
        {"id": project["id"], "name": "Renamed", "created_at": project["created_at"]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {
        "id": [READ_ONLY_FIELD],
        "created_at": [READ_ONLY_FIELD],
    }


def test_the_moderation_patch_names_a_field_it_does_not_take(client_for, moderator):
    """The issue's case: the official response is not a moderation field."""
    post = FeedbackPostFactory()
    response = client_for(moderator).patch(
        f"/api/v1/feedback/posts/{post.pk}/moderation/",
        {"status": "planned", "official_response": "Soon."},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"official_response": [UNKNOWN_FIELD]}
