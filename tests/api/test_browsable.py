"""What an API client or a newcomer meets first (issue 22): a root that lists the API, JSON
indented for people and compact for clients, a landing page at "/", and documentation pages
that load nothing from the internet."""

import json
import re
from datetime import timedelta

import pytest

from accounts.models import AccessToken

pytestmark = pytest.mark.django_db


def test_the_api_root_links_every_collection_and_document(client):
    response = client.get("/api/v1/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    links = response.json()
    assert links["projects"] == "http://testserver/api/v1/projects/"
    assert links["marketplace/agents"] == "http://testserver/api/v1/marketplace/agents/"
    assert links["billing/usage"] == "http://testserver/api/v1/billing/usage/"
    assert links["swagger-ui"] == "http://testserver/api/v1/docs/"
    assert all("<" not in link for link in links.values())
    for link in links.values():
        assert client.get(link.removeprefix("http://testserver")).status_code != 404, link


def test_clients_get_compact_json_and_people_indented(client, user):
    _, raw = AccessToken.issue(user=user, ttl=timedelta(days=1), name="test")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    compact = client.get("/api/v1/auth/me/", HTTP_ACCEPT="application/json", **auth)
    assert b"\n" not in compact.content and b'":"' in compact.content
    asked = client.get(
        "/api/v1/auth/me/?format=json", HTTP_ACCEPT="application/json; indent=4", **auth
    )
    assert asked.content.startswith(b'{\n  "')
    assert json.loads(asked.content) == compact.json()


def test_the_browsable_api_shows_indented_json_with_links(client, superuser):
    client.force_login(superuser)
    page = client.get("/api/v1/", HTTP_ACCEPT="text/html").content.decode()
    assert "\n  &quot;projects&quot;: &quot;" in page  # one entry a line
    assert '<a href="http://testserver/api/v1/projects/"' in page


def test_the_landing_page_links_admin_api_and_docs(client):
    page = client.get("/")
    assert page.status_code == 200
    html = page.content.decode()
    for link in (
        'href="/admin/"',
        'href="/api/v1/"',
        'href="/api/v1/docs/"',
        'href="/api/v1/redoc/"',
    ):
        assert link in html


def test_the_admins_view_site_leads_to_the_landing_page(client, superuser):
    client.force_login(superuser)
    assert 'href="/">View site' in client.get("/admin/").content.decode()


def test_redoc_loads_nothing_from_the_internet(client):
    page = client.get("/api/v1/redoc/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "googleapis" not in html and "gstatic" not in html
    assert "/static/drf_spectacular_sidecar/redoc/" in html
    assert "img-src 'self' data:" in page["Content-Security-Policy"]


def schema(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return json.loads(response.content)


def test_each_domain_has_its_own_docs_tag(client):
    operations = schema(client)["paths"]
    tags = {
        path: {tag for operation in methods.values() for tag in operation.get("tags", ())}
        for path, methods in operations.items()
    }
    assert tags["/api/v1/projects/{pid}/chats/"] == {"chat"}
    assert tags["/api/v1/projects/{pid}/board/"] == {"kanban"}
    assert tags["/api/v1/projects/{id}/"] == {"projects"}
    assert tags["/api/v1/health/"] == {"system"}


def test_client_facing_docs_cite_no_rule_ids(client):
    text = json.dumps(schema(client))
    assert re.findall(r"\b[A-Z]{3}-\d+", text) == []
    assert "Add a provider key (paid tiers)" in text
