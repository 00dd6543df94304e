"""The browsable API's forms (issue 22): the raw-data form DRF prefills is sent back by a
person who changes one value and submits, so it holds only fields the request takes. Before,
it held the whole object and the API refused its read-only fields (docs/api.md, "Unknown
fields"). The routes come from the permission matrix, like the unknown-fields walk."""

import json

import pytest
from django.test import Client

from config.api import READ_ONLY_FIELD, UNKNOWN_FIELD
from tests.api.test_permission_matrix import ROUTES, build_world, ids_of
from tests.api.test_privileged_fields import WRITES

pytestmark = pytest.mark.django_db

EDITS = [route for route in WRITES if route[1] == "PATCH" and ROUTES[route][1] == "owner"]


def prefilled(client, url, method):
    """The raw-data form's content for `method` on the page at `url`, or None without one."""
    page = client.get(url, HTTP_ACCEPT="text/html")
    form = page.context.get(f"raw_data_{method.lower()}_form") if page.context else None
    content = form["_content"].value() if form is not None else None
    return json.loads(content) if content else None


def test_the_walk_finds_edits_with_forms():
    """The walk below would pass on no route at all: it covers the owner's edits, most of
    them on pages that show the object."""
    assert len(EDITS) >= 10
    assert sum((name, "GET") in ROUTES for name, _ in EDITS) >= 10


@pytest.mark.parametrize("route", EDITS, ids=lambda r: r[0])
def test_a_prefilled_edit_form_sent_back_unchanged_is_not_refused(route):
    world = build_world()
    client = Client()
    client.force_login(world.owner)
    url = ROUTES[route][0].format(**ids_of(world))
    body = prefilled(client, url, "PATCH")
    assert body is not None, f"{url} shows no edit form"
    response = client.patch(url, body, content_type="application/json")
    assert READ_ONLY_FIELD not in response.content.decode(), response.content
    assert UNKNOWN_FIELD not in response.content.decode(), response.content
    if (route[0], "GET") in ROUTES:  # the page shows the object: its form holds its values
        assert response.status_code == 200, response.content


def test_the_project_forms_hold_only_what_the_requests_take(client, user):
    client.force_login(user)
    created = client.post(
        "/api/v1/projects/", {"name": "Recipe Box"}, content_type="application/json"
    ).json()
    edit = prefilled(client, f"/api/v1/projects/{created['id']}/", "PATCH")
    assert edit["name"] == "Recipe Box"
    assert {"id", "slug", "created_at", "owner"}.isdisjoint(edit)
    new = prefilled(client, "/api/v1/projects/", "POST")
    assert "name" in new and {"id", "slug", "created_at"}.isdisjoint(new)
