"""The kanban part of the OpenAPI schema agrees with API.md §9.6."""

import pytest

pytestmark = pytest.mark.django_db

P = "projects/{pid}"


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    from rest_framework.test import APIClient

    with django_db_blocker.unblock():
        response = APIClient().get(
            "/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
        )
    return response.json()


def operations(schema):
    return {
        (path.removeprefix("/api/v1/"), method)
        for path, item in schema["paths"].items()
        if "/board" in path or path.endswith("/note/")
        for method in item
        if method != "parameters"
    }


def test_every_kanban_operation_is_documented(schema):
    assert operations(schema) == {
        (f"{P}/board/", "get"),
        (f"{P}/board/", "patch"),
        (f"{P}/board/columns/", "post"),
        (f"{P}/board/columns/{{id}}/", "patch"),
        (f"{P}/board/columns/{{id}}/", "delete"),
        (f"{P}/board/columns/{{id}}/move/", "post"),
        (f"{P}/board/tasks/", "get"),
        (f"{P}/board/tasks/", "post"),
        (f"{P}/board/tasks/{{id}}/", "get"),
        (f"{P}/board/tasks/{{id}}/", "patch"),
        (f"{P}/board/tasks/{{id}}/", "delete"),
        (f"{P}/board/tasks/{{id}}/move/", "post"),
        (f"{P}/board/tasks/{{reference}}/", "get"),
        (f"{P}/board/tasks/{{id}}/comments/", "get"),
        (f"{P}/board/tasks/{{id}}/comments/", "post"),
        (f"{P}/board/tasks/{{id}}/comments/{{cid}}/", "patch"),
        (f"{P}/board/tasks/{{id}}/comments/{{cid}}/", "delete"),
        (f"{P}/note/", "get"),
        (f"{P}/note/", "put"),
    }


def test_writes_document_their_conflicts(schema):
    paths = schema["paths"]
    assert "409" in paths[f"/api/v1/{P}/board/tasks/"]["post"]["responses"]
    assert "409" in paths[f"/api/v1/{P}/board/tasks/{{id}}/move/"]["post"]["responses"]
    assert "409" in paths[f"/api/v1/{P}/board/columns/{{id}}/"]["delete"]["responses"]
    assert "409" in paths[f"/api/v1/{P}/note/"]["put"]["responses"]


def test_column_move_answers_a_plain_list(schema):
    move = schema["paths"][f"/api/v1/{P}/board/columns/{{id}}/move/"]["post"]
    body = move["responses"]["200"]["content"]["application/json"]["schema"]
    assert body["type"] == "array"


def test_enums_have_names_of_their_own(schema):
    components = schema["components"]["schemas"]
    assert components["TaskStatusEnum"]["enum"] == ["open", "blocked", "review", "done"]
    assert components["EditableTaskStatusEnum"]["enum"] == ["open", "blocked", "review"]
    assert components["TaskPriorityEnum"]["enum"] == ["low", "medium", "high", "critical"]
    assert components["TaskTypeEnum"]["enum"] == ["feature", "bug", "task", "epic", "story"]
    assert components["ContentFormatEnum"]["enum"] == ["html", "json", "markdown"]


def test_read_only_task_fields_are_not_in_requests(schema):
    components = schema["components"]["schemas"]
    create = set(components["KanbanTaskCreateRequest"]["properties"])
    assert create == {
        "column",
        "title",
        "description",
        "priority",
        "task_type",
        "assignee",
        "due_date",
        "tags",
        "position",
    }
    update = set(components["PatchedKanbanTaskUpdateRequest"]["properties"])
    assert "column" not in update and "position" not in update and "version" in update
