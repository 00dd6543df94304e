"""projects/{pid}/chats/{cid}/messages/ through URLs (API.md §9.3, §5; CHT-2, 3, 10 to 13)."""

import json
from datetime import timedelta

import orjson
import pytest
from django.db import connection
from django.utils import timezone

from chat.models import MESSAGE_CONTENT_MAX_BYTES, MESSAGE_METADATA_MAX_BYTES, Chat, Message
from chat.serializers import MessageSerializer
from config.renderers import ORJSONRenderer
from projects.models import Project
from tests.chat.factories import ChatFactory, MessageFactory
from tests.chat.utils import chat_url, messages_url, snapshot
from tests.helpers import assert_error, ids

pytestmark = pytest.mark.django_db

TOOL_CALLS = {"tool_calls": [{"name": "write_file", "arguments": {"path": "src/App.tsx"}}]}


def post(client, to_chat, **body):
    return client.post(messages_url(to_chat), {"role": "user", "content": "Hi"} | body)


# Posting


def test_cht_2_posting_returns_the_message_and_counts_it(owner_client, chat):
    response = post(owner_client, chat, content="Add a login page")
    assert response.status_code == 201, response.content
    body = response.json()
    message = Message.objects.get()
    assert body == {
        "id": str(message.pk),
        "chat": str(chat.pk),
        "role": "user",
        "content": "Add a login page",
        "message_metadata": {},
        "created_at": body["created_at"],
        "attachments": [],  # CHT-47: embedded in the answer to a post, not in the list (W1)
    }
    chat.refresh_from_db()
    assert chat.message_count == 1 and chat.last_message_at == message.created_at
    assert owner_client.get(chat_url(chat)).json()["message_count"] == 1


def test_content_keeps_its_whitespace(owner_client, chat):
    code = "  def f():\n      return 1\n"
    assert post(owner_client, chat, content=code).json()["content"] == code


def test_cht_11_an_owner_posting_assistant_is_403(owner_client, chat):
    response = post(owner_client, chat, role="assistant", content="I am the agent")
    body = assert_error(response, 403, "permission_denied")
    assert body["message"] == (
        "Only the agent runtime (a service account) posts assistant messages; "
        "post your own as role `user`."
    )
    assert not Message.objects.exists()


def test_cht_11_the_403_comes_before_bad_input(owner_client, chat):
    response = post(owner_client, chat, role="assistant", content="", message_metadata=[1])
    assert_error(response, 403, "permission_denied")


def test_cht_11_the_service_records_assistant_messages_in_any_users_chat(service_client, chat):
    response = post(
        service_client,
        chat,
        role="assistant",
        content="",
        message_metadata={**TOOL_CALLS, "steps": [{"type": "plan"}], "model": "claude"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["message_metadata"]["tool_calls"][0]["name"] == "write_file"
    chat.refresh_from_db()
    assert chat.message_count == 1


def test_cht_11_the_service_still_needs_the_right_project(service_client, chat):
    wrong = f"/api/v1/projects/{ChatFactory().project_id}/chats/{chat.pk}/messages/"
    assert_error(service_client.post(wrong, {"role": "user", "content": "x"}), 404, "not_found")


def test_cht_11_another_users_chat_is_404(client_for, chat, other_user):
    assert_error(post(client_for(other_user), chat), 404, "not_found")
    assert_error(client_for(other_user).get(messages_url(chat)), 404, "not_found")
    assert not Message.objects.exists()


def test_cht_3_posting_to_an_archived_chat_is_409(owner_client, project):
    chat = ChatFactory(project=project, archived=True)
    assert_error(post(owner_client, chat), 409, "chat_archived")
    assert_error(post(owner_client, chat, role="nobody"), 400, "validation_error")
    assert not Message.objects.exists()


def test_cht_13_posting_touches_the_project(owner_client, chat):
    stale = timezone.now() - timedelta(hours=2)
    Project.objects.filter(pk=chat.project_id).update(last_activity=stale)
    post(owner_client, chat)
    assert Project.objects.get(pk=chat.project_id).last_activity > stale


def test_an_assistant_message_with_tool_calls_may_be_empty(service_client, chat):
    response = post(service_client, chat, role="assistant", content="", message_metadata=TOOL_CALLS)
    assert response.status_code == 201


def test_content_limit_is_one_mib_of_utf8(owner_client, chat):
    at_limit = "é" * (MESSAGE_CONTENT_MAX_BYTES // 2)
    assert post(owner_client, chat, content=at_limit).status_code == 201
    body = assert_error(post(owner_client, chat, content=at_limit + "a"), 400, "validation_error")
    assert set(body["fields"]) == {"content"}


def test_metadata_limit_is_one_mib(owner_client, chat):
    padding = "x" * (1024 * 1024 - len('{"note": ""}'))
    assert post(owner_client, chat, message_metadata={"note": padding}).status_code == 201
    response = post(owner_client, chat, message_metadata={"note": padding + "x"})
    assert set(assert_error(response, 400, "validation_error")["fields"]) == {"message_metadata"}


def nested(depth):
    """A metadata object whose innermost value sits `depth` levels deep."""
    metadata = 1
    for _ in range(depth - 1):
        metadata = {"a": metadata}
    return metadata


def test_metadata_nests_at_most_64_levels(owner_client, chat):
    assert post(owner_client, chat, message_metadata=nested(64)).status_code == 201
    body = assert_error(
        post(owner_client, chat, message_metadata=nested(65)), 400, "validation_error"
    )
    assert set(body["fields"]) == {"message_metadata"}
    deep = '{"role": "user", "content": "x", "message_metadata": ' + '{"a": ' * 900 + "1"
    response = owner_client.generic(
        "POST", messages_url(chat), deep + "}" * 901, content_type="application/json"
    )
    # Refused either way: by the depth rule, or by the parser when the request's own stack
    # (middleware, test runner) leaves Python's JSON scanner fewer than 900 levels.
    assert response.status_code == 400
    assert response.json()["code"] in {"validation_error", "parse_error"}


def test_metadata_size_counts_numbers_as_postgresql_prints_them(owner_client, chat):
    """jsonb writes 1e-300 out in 302 characters: the limit counts that, so the database check
    (the backstop) never has to refuse what the serializer let through."""
    numbers = [1e-300] * 1000
    base = len(json.dumps({"n": numbers, "p": ""}).encode()) + len(numbers) * (302 - 6)
    padding = "x" * (MESSAGE_METADATA_MAX_BYTES - base)
    response = post(owner_client, chat, message_metadata={"n": numbers, "p": padding})
    assert response.status_code == 201, response.content
    with connection.cursor() as cursor:
        cursor.execute("SELECT octet_length(message_metadata::text) FROM chat_message")
        assert cursor.fetchone() == (MESSAGE_METADATA_MAX_BYTES,)
    too_big = {"n": [*numbers, 1e-300], "p": padding}
    body = assert_error(post(owner_client, chat, message_metadata=too_big), 400, "validation_error")
    assert set(body["fields"]) == {"message_metadata"}


@pytest.mark.parametrize("number", [1e20, -(2**63) - 1, 2**63, 2**70])
def test_metadata_numbers_beyond_64_bits_are_400(owner_client, chat, number):
    response = post(owner_client, chat, message_metadata={"n": number})
    assert set(assert_error(response, 400, "validation_error")["fields"]) == {"message_metadata"}


def test_metadata_numbers_come_back_as_sent(owner_client, chat):
    metadata = {"big": 9.2e18, "int": 2**63 - 1, "min": -(2**63), "small": 1e-300, "n": -2.5}
    assert post(owner_client, chat, message_metadata=metadata).status_code == 201
    (row,) = owner_client.get(messages_url(chat)).json()["results"]
    assert row["message_metadata"] == metadata


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": None}, "role"),
        ({"role": "system"}, "role"),
        ({"role": ["user"]}, "role"),
        ({"content": None}, "content"),
        ({"content": ""}, "content"),
        ({"content": "   \n"}, "content"),
        ({"content": {"text": "hi"}}, "content"),
        ({"content": "nul\x00"}, "content"),
        ({"message_metadata": []}, "message_metadata"),
        ({"message_metadata": "{}"}, "message_metadata"),
        ({"message_metadata": None}, "message_metadata"),
        ({"message_metadata": {"tool_calls": {"name": "x"}}}, "message_metadata"),
        ({"message_metadata": {"steps": ["plan"]}}, "message_metadata"),
        ({"message_metadata": {"note": "nul\x00"}}, "message_metadata"),
        ({"message_metadata": {"nul\x00": 1}}, "message_metadata"),
    ],
)
def test_bad_message_input_is_400_and_records_nothing(owner_client, chat, body, field):
    response = assert_error(post(owner_client, chat, **body), 400, "validation_error")
    assert field in response["fields"]
    assert not Message.objects.exists()
    assert Chat.objects.get().message_count == 0


@pytest.mark.parametrize("missing", ["role", "content"])
def test_role_and_content_are_required(owner_client, chat, missing):
    body = {"role": "user", "content": "Hi"}
    del body[missing]
    response = owner_client.post(messages_url(chat), body)
    assert missing in assert_error(response, 400, "validation_error")["fields"]


@pytest.mark.parametrize("metadata", [{}, {"tool_calls": []}, {"steps": [{"type": "plan"}]}])
def test_only_tool_calls_excuse_an_empty_assistant_message(service_client, chat, metadata):
    response = post(service_client, chat, role="assistant", content="", message_metadata=metadata)
    assert "content" in assert_error(response, 400, "validation_error")["fields"]


def test_r3_server_fields_are_refused_by_name(owner_client, chat):
    other_chat = ChatFactory()
    server_fields = {
        "chat": str(other_chat.pk),
        "id": "00000000-0000-0000-0000-000000000000",
        "created_at": "2000-01-01T00:00:00Z",
    }
    response = post(owner_client, chat, **server_fields)
    assert set(assert_error(response, 400, "validation_error")["fields"]) == set(server_fields)
    assert not Message.objects.exists()


def test_a_body_over_5_mib_is_413(owner_client, chat):
    response = post(owner_client, chat, content="x" * (5 * 1024 * 1024))
    assert_error(response, 413, "payload_too_large")


def test_cht_10_messages_cannot_be_changed_or_deleted(owner_client, chat):
    message = MessageFactory(chat=chat)
    for method in ("put", "patch", "delete"):
        response = getattr(owner_client, method)(messages_url(chat), {"content": "edited"})
        assert_error(response, 405, "method_not_allowed")
        response = getattr(owner_client, method)(f"{messages_url(chat)}{message.pk}/", {})
        assert_error(response, 404, "not_found")
    assert snapshot(Message) == [tuple(Message.objects.values_list().get())]


# The list


@pytest.fixture
def conversation(chat):
    """Five messages, oldest first, alternating user and assistant."""
    return [
        MessageFactory(chat=chat, assistant=index % 2 == 1, content=f"message {index}")
        for index in range(5)
    ]


def as_ids(messages):
    return [str(message.pk) for message in messages]


def test_cht_12_oldest_first_by_default(owner_client, chat, conversation):
    body = owner_client.get(messages_url(chat)).json()
    assert set(body) == {"next", "previous", "results"}  # no count
    assert [row["id"] for row in body["results"]] == as_ids(conversation)


def test_cht_12_newest_first_on_request(owner_client, chat, conversation):
    response = owner_client.get(messages_url(chat), {"ordering": "-created_at"})
    assert ids(response) == as_ids(reversed(conversation))


def test_cht_12_ties_on_created_at_are_ordered_by_id(owner_client, chat, conversation):
    Message.objects.filter(chat=chat).update(created_at=conversation[0].created_at)
    expected = sorted(as_ids(conversation))
    assert ids(owner_client.get(messages_url(chat))) == expected
    walked = walk(owner_client, messages_url(chat), page_size=2)
    assert walked == expected


def walk(client, url, **params):
    """Every row id, following `next` links from the first page."""
    seen, response = [], client.get(url, params)
    while True:
        seen += ids(response)
        link = response.json()["next"]
        if link is None:
            return seen
        response = client.get(link)


@pytest.mark.parametrize("ordering", ["created_at", "-created_at"])
def test_cht_12_cursor_pages_cover_every_row_once(owner_client, chat, conversation, ordering):
    expected = as_ids(conversation if ordering == "created_at" else reversed(conversation))
    assert walk(owner_client, messages_url(chat), page_size=2, ordering=ordering) == expected


def test_cht_12_previous_links_walk_back(owner_client, chat, conversation):
    first = owner_client.get(messages_url(chat), {"page_size": 2}).json()
    assert first["previous"] is None
    second = owner_client.get(first["next"]).json()
    back = owner_client.get(second["previous"]).json()
    assert [row["id"] for row in back["results"]] == as_ids(conversation[:2])


def test_role_filter(owner_client, chat, conversation):
    assert ids(owner_client.get(messages_url(chat), {"role": "assistant"})) == as_ids(
        conversation[1::2]
    )


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"role": "system"}, "role"),
        ({"ordering": "content"}, "ordering"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "eyJ0IjogMX0="}, "cursor"),  # valid base64 JSON, wrong content
    ],
)
def test_bad_list_parameters_are_400(owner_client, chat, query, field):
    body = assert_error(owner_client.get(messages_url(chat), query), 400, "validation_error")
    assert field in body["fields"]


def test_page_size_defaults_to_50_and_is_capped_at_200(owner_client, chat):
    MessageFactory.create_batch(201, chat=chat)
    assert len(ids(owner_client.get(messages_url(chat)))) == 50
    assert len(ids(owner_client.get(messages_url(chat), {"page_size": 5000}))) == 200


def test_w1_lean_rows_are_what_the_message_serializer_renders(owner_client, chat, conversation):
    """The list renders `.values()` rows directly: same keys, same formats as the serializer."""
    MessageFactory(
        chat=chat, assistant=True, content="é ✓", message_metadata={"n": 1.5, "ok": None}
    )
    listed = owner_client.get(messages_url(chat)).json()["results"]
    messages = Message.objects.filter(chat=chat).order_by("created_at", "id")
    serialized = ORJSONRenderer().render(MessageSerializer(messages, many=True).data)
    assert listed == orjson.loads(serialized)


def test_messages_of_other_chats_are_not_listed(owner_client, chat, conversation, project):
    MessageFactory(chat=ChatFactory(project=project))
    assert len(ids(owner_client.get(messages_url(chat)))) == len(conversation)
