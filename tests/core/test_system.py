"""Health endpoints, the schema and the docs pages."""

import pytest
from django.db import connections
from django.db.backends.postgresql.base import DatabaseWrapper

from config.views import readiness

pytestmark = pytest.mark.django_db


def test_liveness(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize("path", ["/readyz", "/api/v1/health/"])
def test_readiness_reports_database_and_migrations(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok"}}


def test_readiness_fails_when_the_database_is_unreachable():
    settings = {
        **connections["default"].settings_dict,
        "HOST": "127.0.0.1",
        "PORT": "1",
        "OPTIONS": {"connect_timeout": 2},
    }
    unreachable = DatabaseWrapper(settings, alias="unreachable")
    ok, checks = readiness(unreachable)
    assert not ok
    assert checks == {"database": "error", "migrations": "error"}


def test_schema_is_served(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/health/" in schema["paths"]
    assert "Error" in schema["components"]["schemas"]


@pytest.mark.parametrize("path", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_docs_pages_use_bundled_assets(client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn" not in html.lower()


def test_every_operation_documents_the_error_shape(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status in ("400", "401", "404", "429", "500"):
                assert status in operation["responses"], (path, method, status)


def test_blank_url_fields_are_not_documented_as_uris(client):
    """R14 regression: `avatar_url: ""` (unset) violated `format: uri` in responses."""
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    avatar = schema["components"]["schemas"]["Me"]["properties"]["avatar_url"]
    assert avatar["type"] == "string"
    assert "format" not in avatar
