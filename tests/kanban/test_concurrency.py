"""Writes that must stay exact under concurrent requests (DATA_MODEL.md §1.7, KAN-2): real
threads against PostgreSQL, one connection per request, all released together by a barrier."""

from collections import Counter

import pytest
from rest_framework.test import APIClient

from kanban.models import KanbanBoard, KanbanColumn, KanbanTask, ProjectNote
from tests.concurrency import run_at_once
from tests.kanban.factories import KanbanTaskFactory
from tests.kanban.utils import assert_dense, board_url, column_url, note_url, task_url

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def clients(client_for, owner):
    """`clients(n)`: n API clients of the owner sharing one token (a client is not
    thread-safe)."""
    token = client_for(owner).raw_token

    def make(count):
        made = [APIClient() for _ in range(count)]
        for client in made:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return made

    return make


def statuses(responses):
    return Counter(response.status_code for response in responses)


def codes(responses):
    return Counter(
        response.json().get("code") for response in responses if response.status_code >= 400
    )


def set_limit(column, limit):
    KanbanColumn.objects.filter(pk=column.pk).update(task_limit=limit)


def test_kan_7_twenty_concurrent_creates_take_distinct_numbers(board, columns, clients):
    url, column = board_url(board.project, "tasks/"), str(columns["To Do"].pk)
    responses = run_at_once(
        [
            lambda client=client, n=n: client.post(url, {"column": column, "title": f"T{n}"})
            for n, client in enumerate(clients(20))
        ]
    )
    assert statuses(responses) == {201: 20}
    assert sorted(KanbanTask.objects.values_list("ref_number", flat=True)) == list(range(1, 21))
    assert KanbanBoard.objects.get().task_counter == 20
    assert_dense(board)


def test_kan_5_concurrent_creates_respect_the_wip_limit(board, columns, clients):
    set_limit(columns["In Progress"], 5)
    url, column = board_url(board.project, "tasks/"), str(columns["In Progress"].pk)
    responses = run_at_once(
        [
            lambda client=client: client.post(url, {"column": column, "title": "Busy"})
            for client in clients(12)
        ]
    )
    assert statuses(responses) == {201: 5, 409: 7}
    assert codes(responses) == {"wip_limit_reached": 7}
    assert KanbanTask.objects.filter(column=columns["In Progress"]).count() == 5
    assert KanbanBoard.objects.get().task_counter == 5  # refused creates take no number
    assert_dense(board)


def test_kan_5_r19_concurrent_moves_into_a_full_column_stop_at_the_limit(board, columns, clients):
    tasks = [KanbanTaskFactory(column=columns["To Do"]) for _ in range(10)]
    set_limit(columns["Review"], 3)
    target = {"column": str(columns["Review"].pk), "position": 0}
    responses = run_at_once(
        [
            lambda client=client, task=task: client.post(task_url(task, "move/"), target)
            for client, task in zip(clients(10), tasks, strict=True)
        ]
    )
    assert statuses(responses) == {200: 3, 409: 7}
    assert KanbanTask.objects.filter(column=columns["Review"]).count() == 3
    assert KanbanTask.objects.filter(column=columns["To Do"]).count() == 7
    assert_dense(board)


def test_kan_4_concurrent_moves_creates_and_deletes_keep_positions_dense(board, columns, clients):
    lanes = [columns[name] for name in ("To Do", "In Progress", "Review", "Done")]
    tasks = [KanbanTaskFactory(column=lanes[n % 4]) for n in range(16)]
    # A fixed storm: each task to another lane (or its own) at a spread of positions.
    requests = []
    for n, (client, task) in enumerate(zip(clients(16), tasks, strict=True)):
        move = {"column": str(lanes[(n * 3 + 1) % 4].pk), "position": (n * 5) % 6}
        requests.append(
            lambda client=client, task=task, move=move: client.post(task_url(task, "move/"), move)
        )
    create_url = board_url(board.project, "tasks/")
    for n, client in enumerate(clients(4)):
        new = {"column": str(lanes[n].pk), "title": "New", "position": n}
        requests.append(lambda client=client, new=new: client.post(create_url, new))
    for client, task in zip(clients(3), tasks[:3], strict=True):
        requests.append(lambda client=client, task=task: client.delete(task_url(task)))
    responses = run_at_once(requests)
    # A move of a task deleted meanwhile is a 404; everything else succeeds.
    assert set(statuses(responses)) <= {200, 201, 204, 404}
    assert statuses(responses)[201] == 4 and statuses(responses)[204] == 3
    assert KanbanTask.objects.count() == 16 + 4 - 3
    assert_dense(board)
    done = KanbanTask.objects.filter(column=columns["Done"])
    assert not done.exclude(status="done").exists()
    assert not KanbanTask.objects.exclude(column=columns["Done"]).filter(status="done").exists()


def test_kan_3_concurrent_column_moves_keep_positions_dense(board, columns, clients):
    targets = [(column, (n * 3) % 5) for n, column in enumerate([*columns.values()] * 2)]
    requests = [
        lambda client=client, column=column, position=position: client.post(
            column_url(column, "move/"), {"position": position}
        )
        for client, (column, position) in zip(clients(10), targets, strict=True)
    ]
    assert statuses(run_at_once(requests)) == {200: 10}
    assert_dense(board)


def test_kan_11_one_of_ten_edits_with_the_same_version_wins(board, columns, clients):
    task = KanbanTaskFactory(column=columns["To Do"])
    responses = run_at_once(
        [
            lambda client=client, n=n: client.patch(
                task_url(task), {"title": f"By {n}", "version": 1}
            )
            for n, client in enumerate(clients(10))
        ]
    )
    assert statuses(responses) == {200: 1, 409: 9}
    assert codes(responses) == {"stale_version": 9}
    winner = next(response.json() for response in responses if response.status_code == 200)
    task.refresh_from_db()
    assert (task.title, task.version) == (winner["title"], 2)


def test_kan_11_edits_without_a_version_all_apply(board, columns, clients):
    task = KanbanTaskFactory(column=columns["To Do"])
    responses = run_at_once(
        [
            lambda client=client: client.patch(task_url(task), {"priority": "high"})
            for client in clients(8)
        ]
    )
    assert statuses(responses) == {200: 8}
    task.refresh_from_db()
    assert task.version == 9  # no increment lost


def test_kan_14_one_of_ten_note_writes_with_the_same_version_wins(project, clients):
    body = {"content": "Mine", "content_format": "html", "version": 1}
    responses = run_at_once(
        [lambda client=client: client.put(note_url(project), body) for client in clients(10)]
    )
    assert statuses(responses) == {200: 1, 409: 9}
    assert ProjectNote.objects.get().version == 2


def test_kan_1_concurrent_first_uses_make_one_board(project, clients):
    responses = run_at_once(
        [lambda client=client: client.get(board_url(project)) for client in clients(10)]
    )
    assert statuses(responses) == {200: 10}
    assert len({response.json()["id"] for response in responses}) == 1
    assert KanbanBoard.objects.count() == 1
    assert KanbanColumn.objects.count() == 5


def test_kan_14_concurrent_first_uses_make_one_note(project, clients):
    responses = run_at_once(
        [lambda client=client: client.get(note_url(project)) for client in clients(10)]
    )
    assert statuses(responses) == {200: 10}
    assert ProjectNote.objects.count() == 1
