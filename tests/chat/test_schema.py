"""The chat part of the OpenAPI schema agrees with API.md §9.3."""

import pytest

pytestmark = pytest.mark.django_db

P = "projects/{pid}"


@pytest.fixture
def schema(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    return response.json()


def chat_operations(schema):
    return {
        (path.removeprefix("/api/v1/"), method): operation
        for path, item in schema["paths"].items()
        if any(part in path for part in ("/chats/", "/command-logs/", "/shell-sessions/"))
        for method, operation in item.items()
        if method != "parameters"
    }


def test_every_chat_operation_is_documented(schema):
    assert set(chat_operations(schema)) == {
        (f"{P}/chats/", "get"),
        (f"{P}/chats/", "post"),
        (f"{P}/chats/{{cid}}/", "get"),
        (f"{P}/chats/{{cid}}/", "patch"),
        (f"{P}/chats/{{cid}}/", "delete"),
        (f"{P}/chats/{{cid}}/messages/", "get"),
        (f"{P}/chats/{{cid}}/messages/", "post"),
        (f"{P}/chats/{{cid}}/runs/", "get"),
        (f"{P}/chats/{{cid}}/runs/", "post"),
        (f"{P}/chats/{{cid}}/runs/{{id}}/", "get"),
        (f"{P}/chats/{{cid}}/runs/{{id}}/status/", "post"),
        (f"{P}/chats/{{cid}}/runs/{{id}}/cancel/", "post"),
        (f"{P}/chats/{{cid}}/summaries/", "get"),
        (f"{P}/chats/{{cid}}/summaries/", "post"),
        (f"{P}/chats/{{cid}}/summaries/latest/", "get"),
        (f"{P}/chats/{{cid}}/bookmarks/{{kind}}/", "put"),
        (f"{P}/chats/{{cid}}/bookmarks/{{kind}}/", "delete"),
        ("chats/bookmarks/", "get"),
        (f"{P}/command-logs/", "get"),
        (f"{P}/command-logs/", "post"),
        (f"{P}/command-logs/{{id}}/", "get"),
        (f"{P}/shell-sessions/", "get"),
        (f"{P}/shell-sessions/", "post"),
        (f"{P}/shell-sessions/{{id}}/", "get"),
        (f"{P}/shell-sessions/{{id}}/close/", "post"),
        (f"{P}/shell-sessions/{{id}}/status/", "post"),
        (f"{P}/shell-sessions/{{id}}/usage/", "post"),
    }


def test_writes_document_their_conflicts_and_refusals(schema):
    operations = chat_operations(schema)
    for key in (
        (f"{P}/chats/{{cid}}/messages/", "post"),
        (f"{P}/shell-sessions/", "post"),
        (f"{P}/chats/{{cid}}/runs/", "post"),
        (f"{P}/chats/{{cid}}/summaries/", "post"),
    ):
        assert {"201", "400", "403", "404", "409"} <= set(operations[key]["responses"])
    status = operations[(f"{P}/chats/{{cid}}/runs/{{id}}/status/", "post")]
    assert {"200", "400", "403", "404", "409"} <= set(status["responses"])


def test_cursor_lists_document_their_parameters_and_no_count(schema):
    operations = chat_operations(schema)
    for path in (
        f"{P}/chats/{{cid}}/messages/",
        f"{P}/command-logs/",
        f"{P}/chats/{{cid}}/runs/",
        f"{P}/chats/{{cid}}/summaries/",
        "chats/bookmarks/",
    ):
        operation = operations[(path, "get")]
        names = {parameter["name"] for parameter in operation["parameters"]}
        assert {"cursor", "page_size", "ordering"} <= names
        page = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert (
            "count"
            not in schema["components"]["schemas"][page["$ref"].rsplit("/", 1)[1]]["properties"]
        )


def test_enums_have_their_own_names(schema):
    components = schema["components"]["schemas"]
    assert components["ChatStatusEnum"]["enum"] == ["active", "archived"]
    assert components["MessageRoleEnum"]["enum"] == ["user", "assistant"]
    assert components["RiskLevelEnum"]["enum"] == ["safe", "moderate", "high"]
    assert components["ShellSessionStatusEnum"]["enum"] == [
        "initializing",
        "active",
        "idle",
        "closed",
        "failed",
    ]


def test_command_log_list_rows_have_no_output(schema):
    page = chat_operations(schema)[(f"{P}/command-logs/", "get")]["responses"]["200"]
    ref = page["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    row = schema["components"]["schemas"][ref]["properties"]["results"]["items"]["$ref"]
    fields = schema["components"]["schemas"][row.rsplit("/", 1)[1]]["properties"]
    assert "stdout" not in fields and "command" in fields
