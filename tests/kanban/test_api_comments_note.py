"""Task comments and the project note through the API (API.md §9.6; KAN-13, KAN-14)."""

import pytest

from kanban.models import KanbanTaskComment, ProjectNote
from tests.helpers import assert_error, assert_refused, ids
from tests.kanban.factories import KanbanBoardFactory, KanbanTaskCommentFactory, KanbanTaskFactory
from tests.kanban.utils import comment_url, note_url, snapshot, task_url
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def comments_url(task):
    return task_url(task, "comments/")


# Comments


def test_comment_create_and_shape(owner_client, task, owner):
    response = owner_client.post(comments_url(task), {"content": "  Looks good  "})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body == {
        "id": body["id"],
        "author": {
            "id": str(owner.pk),
            "username": owner.username,
            "name": owner.name,
            "avatar_url": "",
        },
        "content": "Looks good",
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }
    assert KanbanTaskComment.objects.get().user == owner


def test_comments_are_listed_oldest_first(owner_client, task):
    first, second, third = KanbanTaskCommentFactory.create_batch(3, task=task)
    KanbanTaskCommentFactory(task=KanbanTaskFactory(board=task.board))  # another task's
    assert ids(owner_client.get(comments_url(task))) == [str(c.pk) for c in (first, second, third)]


def test_r3_comment_author_and_task_cannot_be_chosen(owner_client, task, other_user):
    other_task = KanbanTaskFactory(board=task.board)
    data = {"content": "Mine", "user": str(other_user.pk), "task": str(other_task.pk)}
    assert_refused(owner_client.post(comments_url(task), data), "user", "task")
    assert not KanbanTaskComment.objects.exists()


@pytest.mark.parametrize(
    "data", [{}, {"content": ""}, {"content": " \n "}, {"content": "x" * 10_001}, {"content": None}]
)
def test_bad_comment_is_400_and_creates_nothing(owner_client, task, data):
    response = owner_client.post(comments_url(task), data)
    assert list(assert_error(response, 400, "validation_error")["fields"]) == ["content"]
    assert not KanbanTaskComment.objects.exists()


def test_a_comment_of_10000_characters_is_accepted(owner_client, task):
    assert owner_client.post(comments_url(task), {"content": "x" * 10_000}).status_code == 201


def test_kan_13_the_author_edits_and_deletes(owner_client, task):
    comment = KanbanTaskCommentFactory(task=task)
    response = owner_client.patch(comment_url(comment), {"content": "Edited"})
    assert response.status_code == 200
    assert response.json()["content"] == "Edited"
    assert owner_client.delete(comment_url(comment)).status_code == 204
    assert not KanbanTaskComment.objects.exists()


def test_kan_13_someone_elses_comment_is_403_for_the_owner(owner_client, task, other_user):
    comment = KanbanTaskCommentFactory(task=task, user=other_user)
    before = snapshot(KanbanTaskComment)
    assert_error(
        owner_client.patch(comment_url(comment), {"content": "x"}), 403, "permission_denied"
    )
    assert_error(owner_client.delete(comment_url(comment)), 403, "permission_denied")
    assert snapshot(KanbanTaskComment) == before


def test_kan_13_403_comes_before_bad_input(owner_client, task, other_user):
    comment = KanbanTaskCommentFactory(task=task, user=other_user)
    assert_error(
        owner_client.patch(comment_url(comment), {"content": ""}), 403, "permission_denied"
    )


def test_an_empty_comment_edit_changes_nothing(owner_client, task):
    comment = KanbanTaskCommentFactory(task=task)
    before = snapshot(KanbanTaskComment)
    assert owner_client.patch(comment_url(comment), {}).status_code == 200
    assert snapshot(KanbanTaskComment) == before


@pytest.mark.parametrize("data", [{"content": ""}, {"content": "x" * 10_001}, {"content": None}])
def test_bad_comment_edit_is_400_and_changes_nothing(owner_client, task, data):
    comment = KanbanTaskCommentFactory(task=task)
    before = snapshot(KanbanTaskComment)
    response = owner_client.patch(comment_url(comment), data)
    assert list(assert_error(response, 400, "validation_error")["fields"]) == ["content"]
    assert snapshot(KanbanTaskComment) == before


def test_a_comment_is_reached_only_through_its_own_task(owner_client, task):
    comment = KanbanTaskCommentFactory(task=task)
    elsewhere = KanbanTaskFactory(board=task.board)
    url = task_url(elsewhere, f"comments/{comment.pk}/")
    assert_error(owner_client.patch(url, {"content": "x"}), 404, "not_found")
    assert_error(owner_client.delete(url), 404, "not_found")
    assert KanbanTaskComment.objects.get().content == comment.content


def test_a_task_of_another_board_is_404_for_comments(owner_client, task, owner):
    foreign = KanbanTaskFactory(board=KanbanBoardFactory(project=ProjectFactory(owner=owner)))
    url = task_url(task).replace(str(task.pk), str(foreign.pk)) + "comments/"
    assert_error(owner_client.get(url), 404, "not_found")
    assert_error(owner_client.post(url, {"content": "x"}), 404, "not_found")
    assert not KanbanTaskComment.objects.exists()


def test_a_single_comment_has_no_get_or_put(owner_client, task):
    comment = KanbanTaskCommentFactory(task=task)
    assert_error(owner_client.get(comment_url(comment)), 405, "method_not_allowed")
    assert_error(
        owner_client.put(comment_url(comment), {"content": "x"}), 405, "method_not_allowed"
    )


# The note (KAN-14)


def test_kan_14_the_first_get_creates_an_empty_note(owner_client, project):
    response = owner_client.get(note_url(project))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body == {
        "content": "",
        "content_format": "html",
        "version": 1,
        "updated_at": body["updated_at"],
    }
    assert ProjectNote.objects.get().project == project
    assert owner_client.get(note_url(project)).json() == body


def test_kan_14_put_replaces_content_and_format(owner_client, project):
    response = owner_client.put(
        note_url(project), {"content": "  # Plan\n", "content_format": "markdown"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["content"], body["content_format"], body["version"]) == (
        "  # Plan\n",
        "markdown",
        2,
    )


def test_kan_14_put_on_a_project_without_a_note_creates_it(owner_client, project):
    response = owner_client.put(
        note_url(project), {"content": "<p>x</p>", "content_format": "html", "version": 1}
    )
    assert response.json()["version"] == 2


def test_kan_14_json_content_must_parse(owner_client, project):
    good = owner_client.put(
        note_url(project), {"content": '{"blocks": []}', "content_format": "json"}
    )
    assert good.status_code == 200
    before = snapshot(ProjectNote)
    bad = owner_client.put(note_url(project), {"content": "{not json", "content_format": "json"})
    assert list(assert_error(bad, 400, "validation_error")["fields"]) == ["content"]
    assert snapshot(ProjectNote) == before


def test_kan_14_a_stale_version_is_409(owner_client, project):
    owner_client.put(note_url(project), {"content": "First", "content_format": "html"})
    before = snapshot(ProjectNote)
    response = owner_client.put(
        note_url(project), {"content": "Second", "content_format": "html", "version": 1}
    )
    assert_error(response, 409, "stale_version")
    assert snapshot(ProjectNote) == before


def test_r3_note_version_and_times_are_not_writable(owner_client, project):
    response = owner_client.put(
        note_url(project),
        {"content": "x", "content_format": "html", "updated_at": "2000-01-01T00:00:00Z"},
    )
    assert_refused(response, "updated_at")
    assert not ProjectNote.objects.filter(updated_at__year=2000).exists()


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({}, ["content", "content_format"]),
        ({"content": "x"}, ["content_format"]),
        ({"content_format": "html"}, ["content"]),
        ({"content": None, "content_format": "html"}, ["content"]),
        ({"content": 12, "content_format": "rtf"}, ["content_format"]),
        ({"content": "é" * (512 * 1024) + "x", "content_format": "html"}, ["content"]),
        ({"content": "x", "content_format": "html", "version": 0}, ["version"]),
        ({"content": "x", "content_format": "html", "version": "v2"}, ["version"]),
    ],
)
def test_bad_note_put_is_400_and_changes_nothing(owner_client, project, data, fields):
    owner_client.get(note_url(project))
    before = snapshot(ProjectNote)
    response = owner_client.put(note_url(project), data)
    assert sorted(assert_error(response, 400, "validation_error")["fields"]) == fields
    assert snapshot(ProjectNote) == before


def test_a_note_of_1_mib_is_accepted(owner_client, project):
    response = owner_client.put(
        note_url(project), {"content": "é" * (512 * 1024), "content_format": "html"}
    )
    assert response.status_code == 200


def test_the_note_has_no_patch_post_or_delete(owner_client, project):
    for method in ("patch", "post", "delete"):
        response = getattr(owner_client, method)(note_url(project), {})
        assert_error(response, 405, "method_not_allowed")


def test_another_users_note_is_404_and_not_created(client_for, other_user, project):
    client = client_for(other_user)
    assert_error(client.get(note_url(project)), 404, "not_found")
    assert_error(
        client.put(note_url(project), {"content": "x", "content_format": "html"}), 404, "not_found"
    )
    assert not ProjectNote.objects.exists()


def test_another_users_note_is_404_before_bad_input_is_400(client_for, other_user, project):
    # Found by R2 fuzzing: the body was read before the project was looked up.
    response = client_for(other_user).put(note_url(project), {"content_format": "rtf"})
    assert_error(response, 404, "not_found")


def test_browsable_api_note_page_renders(client, owner, project):
    client.force_login(owner)
    response = client.get(note_url(project), HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
