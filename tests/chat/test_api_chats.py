"""projects/{pid}/chats/ through URLs (API.md §9.3): shapes, rules, bad input, filters."""

import pytest

from chat.models import Chat, ChatStatus, Message
from chat.services import message_record
from tests.chat.factories import ChatFactory, MessageFactory
from tests.chat.utils import chat_url, chats_url, snapshot
from tests.helpers import assert_error, assert_refused, ids
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def test_chat_shape(owner_client, chat):
    body = owner_client.get(chat_url(chat)).json()
    assert body == {
        "id": str(chat.pk),
        "project": str(chat.project_id),
        "title": chat.title,
        "status": "active",
        "message_count": 0,
        "last_message_at": None,
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }
    assert body["created_at"].endswith("Z")


def test_cht_1_create_belongs_to_the_owner_whatever_is_sent(owner_client, project, other_user):
    """Owner, project and lifecycle are the server's: sent, they are refused by name."""
    response = owner_client.post(
        chats_url(project),
        {
            "title": "Landing page",
            "user": str(other_user.pk),
            "project": str(ProjectFactory().pk),
            "status": "archived",
            "message_count": 40,
        },
    )
    assert_refused(response, "user", "project", "status", "message_count")
    assert not Chat.objects.filter(project=project).exists()
    created = owner_client.post(chats_url(project), {"title": "Landing page"})
    assert created.status_code == 201, created.content
    chat = Chat.objects.get(project=project)
    assert (chat.user, chat.status, chat.message_count) == (project.owner, ChatStatus.ACTIVE, 0)


def test_create_without_a_title(owner_client, project):
    response = owner_client.post(chats_url(project), {})
    assert response.status_code == 201
    assert response.json()["title"] == ""


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": "x" * 256}, "title"),
        ({"title": True}, "title"),
        ({"title": "nul\x00"}, "title"),
        ({"title": None}, "title"),
    ],
)
def test_bad_chat_input_is_400_and_creates_nothing(owner_client, project, body, field):
    body = assert_error(owner_client.post(chats_url(project), body), 400, "validation_error")
    assert field in body["fields"]
    assert not Chat.objects.exists()


def test_a_title_of_255_characters_is_accepted(owner_client, project):
    assert owner_client.post(chats_url(project), {"title": "x" * 255}).status_code == 201


def test_malformed_json_is_parse_error(owner_client, project):
    response = owner_client.generic(
        "POST", chats_url(project), "{nope", content_type="application/json"
    )
    assert_error(response, 400, "parse_error")


def test_rename(owner_client, chat):
    response = owner_client.patch(chat_url(chat), {"title": "Renamed"})
    assert response.json()["title"] == "Renamed"
    chat.refresh_from_db()
    assert chat.title == "Renamed"


def test_r3_counters_and_links_are_read_only(owner_client, chat, other_user):
    before = snapshot(Chat)
    owner_client.patch(
        chat_url(chat),
        {
            "message_count": 99,
            "last_message_at": "2030-01-01T00:00:00Z",
            "user": str(other_user.pk),
            "project": str(ProjectFactory().pk),
            "id": "00000000-0000-0000-0000-000000000000",
        },
    )
    assert snapshot(Chat) == before


@pytest.mark.parametrize(
    "body", [{"status": "deleted"}, {"status": None}, {"title": "x" * 256}, {"title": ["a"]}]
)
def test_bad_edits_are_400_and_change_nothing(owner_client, chat, body):
    before = snapshot(Chat)
    assert_error(owner_client.patch(chat_url(chat), body), 400, "validation_error")
    assert snapshot(Chat) == before


def test_an_edit_that_names_no_field_changes_nothing(owner_client, chat):
    before = snapshot(Chat)
    assert owner_client.patch(chat_url(chat), {}).status_code == 200
    assert snapshot(Chat) == before


def test_cht_3_archive_and_reopen(owner_client, chat):
    assert owner_client.patch(chat_url(chat), {"status": "archived"}).json()["status"] == "archived"
    assert_error(owner_client.patch(chat_url(chat), {"title": "x"}), 409, "chat_archived")
    response = owner_client.patch(chat_url(chat), {"status": "active", "title": "Back"})
    assert (response.json()["status"], response.json()["title"]) == ("active", "Back")


def test_cht_3_bad_input_is_400_before_the_archive_is_409(owner_client, project):
    chat = ChatFactory(project=project, archived=True)
    assert_error(owner_client.patch(chat_url(chat), {"title": "x" * 300}), 400, "validation_error")


def test_put_is_not_offered(owner_client, chat):
    response = owner_client.put(chat_url(chat), {"title": "x"})
    assert_error(response, 405, "method_not_allowed")


def test_delete_takes_the_messages_along(owner_client, project):
    chat = ChatFactory(project=project, archived=True)
    MessageFactory.create_batch(3, chat=chat)
    kept = MessageFactory(chat=ChatFactory(project=project))
    assert owner_client.delete(chat_url(chat)).status_code == 204
    assert list(Message.objects.all()) == [kept]


def test_another_users_chat_is_404_everywhere(client_for, chat, other_user):
    client = client_for(other_user)
    before = snapshot(Chat)
    assert_error(client.get(chat_url(chat)), 404, "not_found")
    assert_error(client.patch(chat_url(chat), {"title": "x"}), 404, "not_found")
    assert_error(client.delete(chat_url(chat)), 404, "not_found")
    assert_error(client.get(chats_url(chat.project)), 404, "not_found")
    assert_error(client.post(chats_url(chat.project), {}), 404, "not_found")
    assert snapshot(Chat) == before


def test_a_chat_is_reached_only_through_its_own_project(owner_client, owner, chat):
    own_other_project = ProjectFactory(owner=owner)
    url = f"/api/v1/projects/{own_other_project.pk}/chats/{chat.pk}/"
    assert_error(owner_client.get(url), 404, "not_found")


def test_malformed_ids_are_404(owner_client, project):
    assert_error(owner_client.get(f"/api/v1/projects/{project.pk}/chats/nope/"), 404, "not_found")
    assert_error(owner_client.get("/api/v1/projects/nope/chats/"), 404, "not_found")


# The list


@pytest.fixture
def chats(project, owner):
    """Three chats, oldest first: active with no message, archived, active with messages."""
    quiet = ChatFactory(project=project, title="quiet")
    archived = ChatFactory(project=project, title="archived")
    busy = ChatFactory(project=project, title="busy")
    message_record(actor=owner, chat=archived, role="user", content="first")
    message_record(actor=owner, chat=busy, role="user", content="later")
    Chat.objects.filter(pk=archived.pk).update(status=ChatStatus.ARCHIVED)
    ChatFactory()  # another user's
    return {"quiet": quiet, "archived": archived, "busy": busy}


def names(response, chats):
    by_id = {str(chat.pk): name for name, chat in chats.items()}
    return [by_id[row_id] for row_id in ids(response)]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["busy", "archived", "quiet"]),
        ({"ordering": "created_at"}, ["quiet", "archived", "busy"]),
        # PostgreSQL puts NULLs first in descending order: a chat not yet used is "newest".
        ({"ordering": "-last_message_at"}, ["quiet", "busy", "archived"]),
        ({"ordering": "last_message_at"}, ["archived", "busy", "quiet"]),
        ({"status": "archived"}, ["archived"]),
        ({"status": "active"}, ["busy", "quiet"]),
    ],
)
def test_list_filters_and_ordering(owner_client, project, chats, query, expected):
    response = owner_client.get(chats_url(project), query)
    assert names(response, chats) == expected
    assert response.json()["count"] == len(expected)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "deleted"}, "status"),
        ({"ordering": "title"}, "ordering"),
        ({"ordering": "message_count"}, "ordering"),
    ],
)
def test_bad_list_parameters_are_400(owner_client, project, query, field):
    body = assert_error(owner_client.get(chats_url(project), query), 400, "validation_error")
    assert field in body["fields"]


def test_unknown_parameters_are_ignored(owner_client, project, chat):
    assert ids(owner_client.get(chats_url(project), {"colour": "red"})) == [str(chat.pk)]


def test_filters_do_not_apply_to_detail_routes(owner_client, chat):
    assert owner_client.get(chat_url(chat), {"status": "archived"}).status_code == 200


def test_page_size_is_capped_at_100(owner_client, project):
    ChatFactory.create_batch(101, project=project)
    body = owner_client.get(chats_url(project), {"page_size": 1000}).json()
    assert (len(body["results"]), body["count"]) == (100, 101)
