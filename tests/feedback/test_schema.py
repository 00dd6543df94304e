"""The feedback part of the OpenAPI schema agrees with API.md §9.7."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    return response.json()


def test_every_feedback_operation_is_documented(schema):
    operations = {
        (path.removeprefix("/api/v1/"), method)
        for path, item in schema["paths"].items()
        if path.startswith("/api/v1/feedback/")
        for method in item
        if method != "parameters"
    }
    assert operations == {
        ("feedback/posts/", "get"),
        ("feedback/posts/", "post"),
        ("feedback/posts/{id}/", "get"),
        ("feedback/posts/{id}/", "patch"),
        ("feedback/posts/{id}/", "delete"),
        ("feedback/posts/{id}/moderation/", "patch"),
        ("feedback/posts/{id}/upvote/", "post"),
        ("feedback/posts/{id}/upvote/", "delete"),
        ("feedback/posts/{post_pk}/comments/", "get"),
        ("feedback/posts/{post_pk}/comments/", "post"),
        ("feedback/posts/{post_pk}/comments/{id}/", "patch"),
        ("feedback/posts/{post_pk}/comments/{id}/", "delete"),
        ("feedback/posts/{post_pk}/comments/{id}/moderation/", "patch"),
    }


def test_upvote_documents_both_successes_and_the_conflict(schema):
    responses = schema["paths"]["/api/v1/feedback/posts/{id}/upvote/"]["post"]["responses"]
    assert {"200", "201", "404", "409"} <= set(responses)


def test_hidden_state_keys_are_present_and_nullable_in_responses(schema):
    """The same keys whoever reads; null for a viewer who may not know the hidden state."""
    components = schema["components"]["schemas"]
    for name, keys in (
        ("FeedbackPost", ("is_hidden", "hidden_at")),
        ("FeedbackComment", ("is_hidden",)),
    ):
        assert set(keys) <= set(components[name]["required"])
        assert all(components[name]["properties"][key]["nullable"] for key in keys)
    assert components["FeedbackStatusEnum"]["enum"] == ["open", "in_progress", "resolved", "closed"]
