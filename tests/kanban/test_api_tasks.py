"""Tasks through the API (API.md §9.6): shape, create, edit, move, delete, the list's filters,
search and ordering, and bad input for every writable field."""

from datetime import UTC, datetime, timedelta

import pytest

from kanban.models import KanbanBoard, KanbanTask
from tests.helpers import assert_error, assert_refused, ids
from tests.kanban.factories import KanbanBoardFactory, KanbanTaskFactory
from tests.kanban.utils import assert_dense, board_url, snapshot, task_layout, task_url
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db

UNKNOWN_ID = "00000000-0000-0000-0000-000000000000"


def tasks_url(board, query=""):
    return board_url(board.project, f"tasks/{query}")


def create(client, on_board, column, **fields):
    return client.post(tasks_url(on_board), {"column": str(column.pk), "title": "New", **fields})


# Shape


def test_task_shape(owner_client, board, columns, owner):
    task = KanbanTaskFactory(
        column=columns["To Do"],
        title="Write docs",
        description="All endpoints",
        priority="high",
        task_type="story",
        assignee=owner,
        tags=["docs"],
        due_date=datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC),
    )
    body = owner_client.get(task_url(task)).json()
    summary = {
        "id": str(owner.pk),
        "username": owner.username,
        "name": owner.name,
        "avatar_url": "",
    }
    assert body == {
        "id": str(task.pk),
        "reference": "TSK-0001",
        "title": "Write docs",
        "position": 0,
        "status": "open",
        "priority": "high",
        "task_type": "story",
        "assignee": summary,
        "due_date": "2030-01-02T03:04:05Z",
        "tags": ["docs"],
        "completed_at": None,
        "version": 1,
        "description": "All endpoints",
        "column": str(columns["To Do"].pk),
        "ref_number": 1,
        "reporter": summary,
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }
    assert body["created_at"].endswith("Z")
    assert owner.email not in str(body)


# Create (KAN-4, KAN-5, KAN-7, KAN-9, KAN-10, KAN-12)


def test_create_with_defaults(owner_client, board, columns, owner):
    response = create(owner_client, board, columns["To Do"], title="  Plan the sprint  ")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["title"], body["status"], body["priority"], body["task_type"]) == (
        "Plan the sprint",
        "open",
        "medium",
        "task",
    )
    assert (body["assignee"], body["tags"], body["position"], body["version"]) == (None, [], 0, 1)
    assert body["reporter"]["id"] == str(owner.pk)


def test_create_with_every_field(owner_client, board, columns, owner):
    response = create(
        owner_client,
        board,
        columns["Backlog"],
        title="Everything",
        description="d" * 50_000,
        priority="critical",
        task_type="bug",
        assignee=str(owner.pk),
        due_date="2030-06-01T12:00:00+02:00",
        tags=[f"t{n}" for n in range(20)],
        position=0,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["due_date"] == "2030-06-01T10:00:00Z"  # converted to UTC
    assert body["assignee"]["id"] == str(owner.pk)
    assert len(body["tags"]) == 20 and len(body["description"]) == 50_000


def test_kan_4_create_at_a_position_shifts_later_tasks(owner_client, board, columns):
    KanbanTaskFactory(column=columns["To Do"], title="a")
    KanbanTaskFactory(column=columns["To Do"], title="b")
    response = create(owner_client, board, columns["To Do"], title="first", position=0)
    assert response.json()["position"] == 0
    assert task_layout(board)["To Do"] == ["first", "a", "b"]
    assert_dense(board)


def test_kan_7_create_takes_the_next_reference(owner_client, board, columns):
    KanbanTaskFactory(column=columns["To Do"])
    body = create(owner_client, board, columns["To Do"]).json()
    assert (body["ref_number"], body["reference"]) == (2, "TSK-0002")


def test_kan_9_create_in_the_completed_column_is_done(owner_client, board, columns):
    body = create(owner_client, board, columns["Done"]).json()
    assert body["status"] == "done" and body["completed_at"] is not None


def test_kan_5_create_in_a_full_column_is_409(owner_client, board, columns):
    owner_client.patch(
        board_url(board.project, f"columns/{columns['Review'].pk}/"), {"task_limit": 1}
    )
    assert create(owner_client, board, columns["Review"]).status_code == 201
    before = snapshot(KanbanTask, KanbanBoard)
    assert_error(create(owner_client, board, columns["Review"]), 409, "wip_limit_reached")
    assert snapshot(KanbanTask, KanbanBoard) == before


def test_kan_12_a_column_of_another_board_is_400_like_an_unknown_one(owner_client, board, owner):
    mine_elsewhere = KanbanBoardFactory(project=ProjectFactory(owner=owner))
    strangers = KanbanBoardFactory()
    answers = []
    for column_id in (
        mine_elsewhere.columns.get(name="To Do").pk,
        strangers.columns.get(name="To Do").pk,
        UNKNOWN_ID,
    ):
        response = owner_client.post(tasks_url(board), {"column": str(column_id), "title": "x"})
        body = assert_error(response, 400, "validation_error")
        answers.append(body["fields"]["column"][0].replace(str(column_id), "<id>"))
    assert len(set(answers)) == 1  # nothing tells the columns apart
    assert not KanbanTask.objects.exists()


def test_kan_10_another_user_as_assignee_is_400_like_an_unknown_one(
    owner_client, board, columns, other_user
):
    answers = []
    for user_id in (other_user.pk, UNKNOWN_ID):
        response = create(owner_client, board, columns["To Do"], assignee=str(user_id))
        body = assert_error(response, 400, "validation_error")
        answers.append(body["fields"]["assignee"][0].replace(str(user_id), "<id>"))
    assert len(set(answers)) == 1
    assert not KanbanTask.objects.exists()


def test_r3_privileged_fields_on_create_are_refused(owner_client, board, columns, other_user):
    privileged = {
        "status": "done",
        "ref_number": 77,
        "version": 9,
        "completed_at": "2030-01-01T00:00:00Z",
        "reporter": str(other_user.pk),
        "board": str(KanbanBoardFactory().pk),
        "id": UNKNOWN_ID,
    }
    response = create(owner_client, board, columns["To Do"], **privileged)
    assert set(assert_error(response, 400, "validation_error")["fields"]) == set(privileged)
    assert not KanbanTask.objects.filter(board=board).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"column": None}, "column"),
        ({"column": "not-a-uuid"}, "column"),
        ({"column": ["list"]}, "column"),
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": None}, "title"),
        ({"title": "x" * 301}, "title"),
        ({"title": {"a": 1}}, "title"),
        ({"description": "x" * 50_001}, "description"),
        ({"description": None}, "description"),
        ({"priority": "urgent"}, "priority"),
        ({"priority": None}, "priority"),
        ({"task_type": "chore"}, "task_type"),
        ({"assignee": "someone"}, "assignee"),
        ({"due_date": "tomorrow"}, "due_date"),
        ({"due_date": "2030-01-01T00:00:00+16:00"}, "due_date"),
        ({"due_date": "2030-02-30T00:00:00Z"}, "due_date"),
        ({"tags": "urgent"}, "tags"),
        ({"tags": None}, "tags"),
        ({"tags": ["ok", ""]}, "tags.1"),
        ({"tags": ["x" * 51]}, "tags.0"),
        ({"tags": [1, {}]}, "tags.1"),
        ({"tags": ["a", "a"]}, "tags"),
        ({"tags": [str(n) for n in range(21)]}, "tags"),
        ({"position": -1}, "position"),
        ({"position": "end"}, "position"),
        ({"position": 2**31}, "position"),
    ],
)
def test_bad_task_create_is_400_and_creates_nothing(owner_client, board, columns, changes, field):
    data = {"column": str(columns["To Do"].pk), "title": "New", **changes}
    response = owner_client.post(tasks_url(board), data)
    assert list(assert_error(response, 400, "validation_error")["fields"]) == [field]
    assert not KanbanTask.objects.exists()
    board.refresh_from_db()
    assert board.task_counter == 0


@pytest.mark.parametrize("missing", ["column", "title"])
def test_column_and_title_are_required(owner_client, board, columns, missing):
    data = {"column": str(columns["To Do"].pk), "title": "New"}
    del data[missing]
    response = owner_client.post(tasks_url(board), data)
    assert list(assert_error(response, 400, "validation_error")["fields"]) == [missing]


# Edit (KAN-9, KAN-10, KAN-11)


def test_patch_edits_the_details_and_bumps_the_version(owner_client, task, owner):
    changes = {
        "title": "Renamed",
        "description": "More",
        "status": "blocked",
        "priority": "low",
        "task_type": "epic",
        "assignee": str(owner.pk),
        "due_date": "2031-01-01T00:00:00Z",
        "tags": ["b", "a"],
    }
    response = owner_client.patch(task_url(task), changes)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["assignee"]["id"] == str(owner.pk)
    assert {key: body[key] for key in changes if key != "assignee"} == {
        key: value for key, value in changes.items() if key != "assignee"
    }
    assert body["version"] == 2


def test_patch_clears_nullable_fields(owner_client, board, columns, owner):
    task = KanbanTaskFactory(column=columns["To Do"], assignee=owner, tags=["x"])
    body = owner_client.patch(
        task_url(task), {"assignee": None, "due_date": None, "tags": []}
    ).json()
    assert (body["assignee"], body["due_date"], body["tags"]) == (None, None, [])


def test_kan_11_patch_with_the_current_version(owner_client, task):
    response = owner_client.patch(task_url(task), {"title": "Mine", "version": 1})
    assert response.json()["version"] == 2


def test_kan_11_patch_with_a_stale_version_is_409(owner_client, task):
    owner_client.patch(task_url(task), {"title": "First"})
    before = snapshot(KanbanTask)
    assert_error(
        owner_client.patch(task_url(task), {"title": "Second", "version": 1}), 409, "stale_version"
    )
    assert snapshot(KanbanTask) == before


def test_kan_11_bad_input_is_400_before_the_version_is_409(owner_client, task):
    owner_client.patch(task_url(task), {"title": "First"})
    response = owner_client.patch(task_url(task), {"status": "done", "version": 1})
    assert_error(response, 400, "validation_error")


def test_kan_9_patch_may_not_set_done(owner_client, task):
    response = owner_client.patch(task_url(task), {"status": "done"})
    assert list(assert_error(response, 400, "validation_error")["fields"]) == ["status"]


def test_kan_9_patch_may_not_reopen_a_task_in_the_completed_column(owner_client, board, columns):
    task = KanbanTaskFactory(column=columns["Done"])
    before = snapshot(KanbanTask)
    response = owner_client.patch(task_url(task), {"status": "open"})
    assert list(assert_error(response, 400, "validation_error")["fields"]) == ["status"]
    assert snapshot(KanbanTask) == before


def test_kan_10_patch_another_assignee_is_400(owner_client, task, other_user):
    response = owner_client.patch(task_url(task), {"assignee": str(other_user.pk)})
    assert list(assert_error(response, 400, "validation_error")["fields"]) == ["assignee"]


def test_column_and_position_are_create_only(owner_client, task, columns):
    response = owner_client.patch(
        task_url(task), {"column": str(columns["Done"].pk), "position": 4}
    )
    assert_refused(response, "column", "position")
    task.refresh_from_db()
    assert (task.column, task.position, task.status) == (columns["To Do"], 0, "open")


def test_r3_read_only_fields_on_patch_are_refused(owner_client, task, other_user):
    read_only = {
        "ref_number": 50,
        "reference": "TSK-9999",
        "completed_at": "2030-01-01T00:00:00Z",
        "reporter": str(other_user.pk),
        "created_at": "2000-01-01T00:00:00Z",
    }
    before = snapshot(KanbanTask)
    response = owner_client.patch(task_url(task), read_only)
    assert set(assert_error(response, 400, "validation_error")["fields"]) == set(read_only)
    assert snapshot(KanbanTask) == before


def test_an_edit_that_names_no_field_changes_nothing(owner_client, task):
    before = snapshot(KanbanTask)
    assert owner_client.patch(task_url(task), {}).json()["version"] == 1
    assert snapshot(KanbanTask) == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 301}, "title"),
        ({"description": "x" * 50_001}, "description"),
        ({"status": "closed"}, "status"),
        ({"status": None}, "status"),
        ({"priority": "p1"}, "priority"),
        ({"task_type": "chore"}, "task_type"),
        ({"assignee": "nobody"}, "assignee"),
        ({"due_date": "soon"}, "due_date"),
        ({"tags": ["dup", "dup"]}, "tags"),
        ({"tags": {"a": 1}}, "tags"),
        ({"version": 0}, "version"),
        ({"version": "one"}, "version"),
        ({"version": None}, "version"),
    ],
)
def test_bad_task_patch_is_400_and_changes_nothing(owner_client, task, changes, field):
    before = snapshot(KanbanTask)
    response = owner_client.patch(task_url(task), changes)
    assert list(assert_error(response, 400, "validation_error")["fields"]) == [field]
    assert snapshot(KanbanTask) == before


def test_tasks_have_no_put(owner_client, task):
    assert_error(owner_client.put(task_url(task), {"title": "x"}), 405, "method_not_allowed")


# Move (KAN-4, KAN-5, KAN-9, KAN-12)


def test_move_to_another_column(owner_client, board, columns):
    task = KanbanTaskFactory(column=columns["To Do"], title="a")
    KanbanTaskFactory(column=columns["Review"], title="x")
    response = owner_client.post(
        task_url(task, "move/"), {"column": str(columns["Review"].pk), "position": 0}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["column"], body["position"], body["version"]) == (str(columns["Review"].pk), 0, 1)
    assert task_layout(board)["Review"] == ["a", "x"]
    assert_dense(board)


def test_kan_4_a_move_without_position_goes_to_the_end_of_the_column(owner_client, board, columns):
    task = KanbanTaskFactory(column=columns["To Do"], title="a")
    KanbanTaskFactory(column=columns["Review"], title="x")
    KanbanTaskFactory(column=columns["Review"], title="y")
    response = owner_client.post(task_url(task, "move/"), {"column": str(columns["Review"].pk)})
    assert response.status_code == 200, response.content
    assert response.json()["position"] == 2
    assert task_layout(board)["Review"] == ["x", "y", "a"]
    within = owner_client.post(task_url(task, "move/"), {"column": str(columns["Review"].pk)})
    assert within.json()["position"] == 2
    assert_dense(board)


def test_kan_7_a_task_is_fetched_by_its_reference(owner_client, board, columns):
    KanbanTaskFactory(column=columns["To Do"], title="first")
    second = KanbanTaskFactory(column=columns["To Do"], title="second")
    response = owner_client.get(tasks_url(board, f"{second.reference}/"))
    assert response.status_code == 200, response.content
    assert (response.json()["id"], response.json()["reference"]) == (str(second.pk), "TSK-0002")
    assert owner_client.get(task_url(second)).json() == response.json()
    assert_error(owner_client.get(tasks_url(board, "TSK-0999/")), 404, "not_found")


def test_kan_7_another_users_task_reference_is_404(owner_client, board, columns):
    foreign = KanbanTaskFactory(column=KanbanBoardFactory().columns.get(name="Done"))
    assert_error(
        owner_client.get(board_url(foreign.board.project, f"tasks/{foreign.reference}/")),
        404,
        "not_found",
    )


def test_kan_9_move_into_done_and_back(owner_client, board, columns, task):
    done = owner_client.post(
        task_url(task, "move/"), {"column": str(columns["Done"].pk), "position": 0}
    )
    assert done.json()["status"] == "done" and done.json()["completed_at"]
    back = owner_client.post(
        task_url(task, "move/"), {"column": str(columns["Backlog"].pk), "position": 0}
    )
    assert (back.json()["status"], back.json()["completed_at"]) == ("open", None)


def test_kan_5_r19_moving_into_a_full_column_fails(owner_client, board, columns, task):
    owner_client.patch(
        board_url(board.project, f"columns/{columns['Review'].pk}/"), {"task_limit": 1}
    )
    KanbanTaskFactory(column=columns["Review"])
    before = snapshot(KanbanTask)
    response = owner_client.post(
        task_url(task, "move/"), {"column": str(columns["Review"].pk), "position": 0}
    )
    assert_error(response, 409, "wip_limit_reached")
    assert snapshot(KanbanTask) == before


def test_kan_12_moving_to_another_boards_column_is_400(owner_client, board, task, owner):
    foreign = KanbanBoardFactory(project=ProjectFactory(owner=owner)).columns.get(name="Done")
    before = snapshot(KanbanTask)
    response = owner_client.post(
        task_url(task, "move/"), {"column": str(foreign.pk), "position": 0}
    )
    assert list(assert_error(response, 400, "validation_error")["fields"]) == ["column"]
    assert snapshot(KanbanTask) == before


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({}, ["column"]),
        ({"position": 0}, ["column"]),
        ({"column": "COLUMN", "position": -3}, ["position"]),
        ({"column": "COLUMN", "position": None}, ["position"]),
        ({"column": None, "position": 0}, ["column"]),
    ],
)
def test_bad_move_is_400_and_changes_nothing(owner_client, task, columns, data, fields):
    data = {
        key: str(columns["Done"].pk) if value == "COLUMN" else value for key, value in data.items()
    }
    before = snapshot(KanbanTask)
    response = owner_client.post(task_url(task, "move/"), data)
    assert sorted(assert_error(response, 400, "validation_error")["fields"]) == fields
    assert snapshot(KanbanTask) == before


# Delete (KAN-4, KAN-7)


def test_delete_closes_the_gap_and_keeps_the_counter(owner_client, board, columns):
    first = KanbanTaskFactory(column=columns["To Do"], title="a")
    KanbanTaskFactory(column=columns["To Do"], title="b")
    response = owner_client.delete(task_url(first))
    assert response.status_code == 204 and not response.content
    assert task_layout(board)["To Do"] == ["b"]
    assert_dense(board)
    assert create(owner_client, board, columns["To Do"]).json()["ref_number"] == 3


# The list: filters, search, ordering


@pytest.fixture
def spread(board, columns, owner):
    """Four tasks across three columns with different details."""
    return {
        "a": KanbanTaskFactory(
            column=columns["To Do"],
            title="Alpha login",
            priority="high",
            task_type="bug",
            assignee=owner,
            tags=["auth", "api"],
            due_date=datetime(2030, 1, 10, tzinfo=UTC),
        ),
        "b": KanbanTaskFactory(
            column=columns["Backlog"],
            title="Beta",
            description="Needs a login page",
            priority="low",
            due_date=datetime(2030, 1, 20, tzinfo=UTC),
        ),
        "c": KanbanTaskFactory(column=columns["Done"], title="Gamma", priority="critical"),
        "d": KanbanTaskFactory(
            column=columns["To Do"], title="Delta", priority="medium", tags=["api"]
        ),
    }


def titles(response):
    assert response.status_code == 200, response.content
    return [row["title"] for row in response.json()["results"]]


def test_default_order_is_the_boards(owner_client, board, spread):
    # Backlog first, then To Do in position order, then Done.
    assert titles(owner_client.get(tasks_url(board))) == ["Beta", "Alpha login", "Delta", "Gamma"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("column={To Do}", ["Alpha login", "Delta"]),
        ("status=done", ["Gamma"]),
        ("priority=low", ["Beta"]),
        ("task_type=bug", ["Alpha login"]),
        ("assignee={owner}", ["Alpha login"]),
        ("tag=api", ["Alpha login", "Delta"]),
        ("tag=nothing", []),
        ("due_after=2030-01-10T00:00:00Z", ["Beta", "Alpha login"]),
        ("due_before=2030-01-10T00:00:00Z", []),
        ("due_before=2030-01-10T00:00:01Z", ["Alpha login"]),
        ("due_after=2030-01-10T02:00:00%2B02:00&due_before=2030-01-15T00:00:00Z", ["Alpha login"]),
        ("search=LOGIN", ["Beta", "Alpha login"]),
        ("search=delta", ["Delta"]),
        ("ordering=priority", ["Beta", "Delta", "Alpha login", "Gamma"]),
        ("ordering=-priority", ["Gamma", "Alpha login", "Delta", "Beta"]),
        ("ordering=-ref_number", ["Delta", "Gamma", "Beta", "Alpha login"]),
        ("ordering=created_at", ["Alpha login", "Beta", "Gamma", "Delta"]),
        ("ordering=-position", ["Gamma", "Delta", "Alpha login", "Beta"]),
        ("ordering=,,,,,&task_type=", ["Beta", "Alpha login", "Delta", "Gamma"]),
        ("ordering=,-priority,", ["Gamma", "Alpha login", "Delta", "Beta"]),
        ("unknown=ignored", ["Beta", "Alpha login", "Delta", "Gamma"]),
    ],
)
def test_filters_search_and_ordering(owner_client, board, columns, owner, spread, query, expected):
    query = query.format(**{"To Do": columns["To Do"].pk, "owner": owner.pk})
    assert titles(owner_client.get(tasks_url(board, f"?{query}"))) == expected


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=finished", "status"),
        ("priority=p0", "priority"),
        ("task_type=chore", "task_type"),
        ("column=nope", "column"),
        ("assignee=nope", "assignee"),
        ("due_after=yesterday", "due_after"),
        ("due_before=2030-13-01", "due_before"),
        ("due_after=2030-01-01T00:00:00%2B16:00", "due_after"),
        ("search=", "search"),
        (f"search={'x' * 101}", "search"),
        (f"tag={'x' * 51}", "tag"),
        ("ordering=title", "ordering"),
        ("ordering=-version", "ordering"),
    ],
)
def test_bad_list_parameters_are_400(owner_client, board, query, field):
    response = owner_client.get(tasks_url(board, f"?{query}"))
    assert list(assert_error(response, 400, "validation_error")["fields"]) == [field]


def test_ties_are_broken_by_id(owner_client, board, spread):
    # Gamma and Delta have no due date: they come last, in id order.
    undated = sorted([spread["c"], spread["d"]], key=lambda task: task.pk)
    expected = ["Alpha login", "Beta", *(task.title for task in undated)]
    assert titles(owner_client.get(tasks_url(board, "?ordering=due_date"))) == expected


def test_search_of_100_characters_is_accepted(owner_client, board):
    assert owner_client.get(tasks_url(board, f"?search={'x' * 100}")).status_code == 200


def test_list_is_paginated_and_the_page_size_capped(owner_client, board, columns):
    KanbanTaskFactory.create_batch(3, column=columns["To Do"])
    body = owner_client.get(tasks_url(board, "?page_size=2")).json()
    assert (body["count"], len(body["results"])) == (3, 2) and body["next"]
    assert len(owner_client.get(tasks_url(board, "?page_size=1000")).json()["results"]) == 3


def test_filters_do_not_apply_to_detail_routes(owner_client, task):
    assert owner_client.get(task_url(task) + "?status=done").status_code == 200
    response = owner_client.patch(task_url(task) + "?status=done", {"title": "Still mine"})
    assert response.status_code == 200


def test_list_shows_only_this_boards_tasks(owner_client, board, task, owner):
    KanbanTaskFactory(board=KanbanBoardFactory(project=ProjectFactory(owner=owner)))
    KanbanTaskFactory()
    assert ids(owner_client.get(tasks_url(board))) == [str(task.pk)]


def test_another_boards_task_is_404_through_this_project(owner_client, board, owner, columns):
    foreign = KanbanTaskFactory(board=KanbanBoardFactory(project=ProjectFactory(owner=owner)))
    url = tasks_url(board, f"{foreign.pk}/")
    before = snapshot(KanbanTask)
    assert_error(owner_client.get(url), 404, "not_found")
    assert_error(owner_client.patch(url, {"title": "x"}), 404, "not_found")
    assert_error(owner_client.delete(url), 404, "not_found")
    move = {"column": str(columns["To Do"].pk), "position": 0}
    assert_error(owner_client.post(f"{url}move/", move), 404, "not_found")
    assert_error(owner_client.get(f"{url}comments/"), 404, "not_found")
    assert snapshot(KanbanTask) == before


def test_due_dates_come_back_in_utc(owner_client, board, columns):
    local = datetime(2030, 3, 1, 9, 30, tzinfo=UTC) + timedelta(hours=0)
    body = create(
        owner_client, board, columns["To Do"], due_date="2030-03-01T11:30:00+02:00"
    ).json()
    assert body["due_date"] == local.isoformat().replace("+00:00", "Z")
