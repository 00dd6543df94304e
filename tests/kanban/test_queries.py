"""Query budgets (PERFORMANCE.md W4, R16): pinned counts, the same whatever the board holds.

Counts include authentication: one token lookup (the token's `last_used_at` write happens on
its first use, which a warm-up request absorbs). The project and its board (or note) come in
one query.
"""

import pytest

from tests.factories import UserFactory
from tests.kanban.factories import (
    KanbanColumnFactory,
    KanbanTaskCommentFactory,
    KanbanTaskFactory,
)
from tests.kanban.utils import board_url, note_url, task_url

pytestmark = pytest.mark.django_db

AUTH = 1
PROJECT = 1  # the caller's project, with its board or note joined
PAGE = 2  # COUNT and the page


def warm(client, path):
    assert client.get(path).status_code == 200


def fill(columns, owner, count):
    """`count` tasks spread over the columns, half of them assigned, each with a tag."""
    lanes = list(columns.values())
    for n in range(count):
        KanbanTaskFactory(
            column=lanes[n % len(lanes)], assignee=owner if n % 2 else None, tags=[f"t{n}"]
        )


def test_w4_board_is_three_queries_plus_auth_at_2_and_at_50_tasks(
    owner_client, board, columns, owner, django_assert_num_queries
):
    path = board_url(board.project)
    warm(owner_client, path)
    fill(columns, owner, 2)
    # The project with its board, the columns, the tasks with their assignees.
    with django_assert_num_queries(AUTH + 3):
        response = owner_client.get(path)
    assert sum(column["task_count"] for column in response.json()["columns"]) == 2
    fill(columns, owner, 48)
    with django_assert_num_queries(AUTH + 3):
        response = owner_client.get(path)
    body = response.json()
    assert sum(len(column["tasks"]) for column in body["columns"]) == 50
    assert any(task["assignee"] for column in body["columns"] for task in column["tasks"])


def test_w4_board_stays_flat_with_more_columns(
    owner_client, board, owner, django_assert_num_queries
):
    path = board_url(board.project)
    warm(owner_client, path)
    for column in KanbanColumnFactory.create_batch(10, board=board):
        KanbanTaskFactory(column=column, assignee=owner)
    with django_assert_num_queries(AUTH + 3):
        assert len(owner_client.get(path).json()["columns"]) == 15


def test_task_list_is_flat_from_2_to_12_rows(
    owner_client, board, columns, owner, django_assert_num_queries
):
    path = board_url(board.project, "tasks/")
    warm(owner_client, path)
    fill(columns, owner, 2)
    with django_assert_num_queries(AUTH + PROJECT + PAGE):
        assert owner_client.get(path).json()["count"] == 2
    fill(columns, owner, 10)
    with django_assert_num_queries(AUTH + PROJECT + PAGE):
        assert len(owner_client.get(path).json()["results"]) == 12


@pytest.mark.parametrize(
    "query", ["?ordering=-priority", "?search=Task&tag=t1", "?ordering=position"]
)
def test_task_list_with_filters_and_ordering_is_flat(
    owner_client, board, columns, owner, django_assert_num_queries, query
):
    path = board_url(board.project, f"tasks/{query}")
    warm(owner_client, path)
    fill(columns, owner, 2)
    with django_assert_num_queries(AUTH + PROJECT + PAGE):
        owner_client.get(path)
    fill(columns, owner, 10)
    with django_assert_num_queries(AUTH + PROJECT + PAGE):
        owner_client.get(path)


def test_comment_list_is_flat_from_2_to_12_rows(owner_client, task, django_assert_num_queries):
    path = task_url(task, "comments/")
    warm(owner_client, path)
    authors = UserFactory.create_batch(2)
    for author in authors:
        KanbanTaskCommentFactory(task=task, user=author)
    with django_assert_num_queries(AUTH + PROJECT + 1 + PAGE):  # + the task
        assert owner_client.get(path).json()["count"] == 2
    for author in UserFactory.create_batch(10):
        KanbanTaskCommentFactory(task=task, user=author)
    with django_assert_num_queries(AUTH + PROJECT + 1 + PAGE):
        assert len(owner_client.get(path).json()["results"]) == 12


def test_task_detail_is_two_queries_plus_auth(owner_client, task, django_assert_num_queries):
    path = task_url(task)
    warm(owner_client, path)
    with django_assert_num_queries(AUTH + PROJECT + 1):
        owner_client.get(path)


def test_note_is_one_query_plus_auth(owner_client, project, django_assert_num_queries):
    path = note_url(project)
    warm(owner_client, path)  # creates the note
    with django_assert_num_queries(AUTH + PROJECT):
        owner_client.get(path)
