"""The marketplace part of the OpenAPI schema agrees with API.md §9.4."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():
        response = APIClient().get(
            "/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
        )
    return response.json()


MARKETPLACE_OPERATIONS = {
    ("marketplace/agents/", "get"),
    ("marketplace/agents/", "post"),
    ("marketplace/agents/{id}/", "get"),
    ("marketplace/agents/{id}/", "patch"),
    ("marketplace/agents/{id}/", "delete"),
    ("marketplace/agents/{id}/publish/", "post"),
    ("marketplace/agents/{id}/unpublish/", "post"),
    ("marketplace/agents/{id}/fork/", "post"),
    ("marketplace/agents/{id}/related/", "get"),
    ("marketplace/agents/{agent_pk}/reviews/", "get"),
    ("marketplace/agents/{agent_pk}/reviews/", "post"),
    ("marketplace/agents/{agent_pk}/reviews/{id}/", "patch"),
    ("marketplace/agents/{agent_pk}/reviews/{id}/", "delete"),
    ("marketplace/bases/", "get"),
    ("marketplace/bases/", "post"),
    ("marketplace/bases/{id}/", "get"),
    ("marketplace/bases/{id}/", "patch"),
    ("marketplace/bases/{id}/", "delete"),
    ("marketplace/bases/{id}/use/", "post"),
    ("marketplace/bases/{base_pk}/reviews/", "get"),
    ("marketplace/bases/{base_pk}/reviews/", "post"),
    ("marketplace/bases/{base_pk}/reviews/{id}/", "patch"),
    ("marketplace/bases/{base_pk}/reviews/{id}/", "delete"),
    ("marketplace/skills/", "get"),
    ("marketplace/skills/", "post"),
    ("marketplace/skills/{id}/", "get"),
    ("marketplace/skills/{id}/", "patch"),
    ("marketplace/skills/{id}/", "delete"),
    ("marketplace/workflows/", "get"),
    ("marketplace/workflows/{id}/", "get"),
    ("marketplace/workflows/{id}/apply/", "post"),
    ("marketplace/library/agents/", "get"),
    ("marketplace/library/agents/{id}/", "get"),
    ("marketplace/library/agents/{id}/", "delete"),
    ("marketplace/library/bases/", "get"),
    ("marketplace/library/bases/{id}/", "get"),
    ("marketplace/library/bases/{id}/", "delete"),
    ("projects/{pid}/agents/", "get"),
    ("projects/{pid}/agents/", "post"),
    ("projects/{pid}/agents/{id}/", "patch"),
    ("projects/{pid}/agents/{id}/", "delete"),
}
BILLING_PURCHASES = {
    ("marketplace/agents/{id}/purchase/", "post"),
    ("marketplace/bases/{id}/purchase/", "post"),
}


def test_every_marketplace_operation_is_documented(schema):
    operations = {
        (path.removeprefix("/api/v1/"), method)
        for path, item in schema["paths"].items()
        if path.startswith("/api/v1/marketplace/")
        or path.startswith("/api/v1/projects/{pid}/agents")
        for method in item
        if method != "parameters"
    }
    assert operations - BILLING_PURCHASES == MARKETPLACE_OPERATIONS


def test_prompt_fields_are_optional_and_flags_present(schema):
    agent = schema["components"]["schemas"]["Agent"]
    assert {"system_prompt", "tool_configs"}.isdisjoint(agent["required"])
    assert {"in_library", "has_access", "creator", "rating"} <= set(agent["required"])
    assert agent["properties"]["rating"]["nullable"] is True


def test_writes_document_their_conflicts(schema):
    paths = schema["paths"]
    assert "409" in paths["/api/v1/marketplace/agents/{id}/"]["delete"]["responses"]
    assert "403" in paths["/api/v1/marketplace/agents/{agent_pk}/reviews/"]["post"]["responses"]
    assert "201" in paths["/api/v1/marketplace/workflows/{id}/apply/"]["post"]["responses"]


def test_choice_fields_are_named_enums(schema):
    components = schema["components"]["schemas"]
    assert components["AgentPricingTypeEnum"]["enum"] == ["free", "monthly", "api", "one_time"]
    assert components["BasePricingTypeEnum"]["enum"] == ["free", "paid"]
    assert components["PurchaseTypeEnum"]["enum"] == ["free", "purchased", "subscription"]


def test_container_base_is_a_nullable_object(schema):
    base = schema["components"]["schemas"]["Container"]["properties"]["base"]
    assert base.get("nullable") is True or "oneOf" in base or "allOf" in base
