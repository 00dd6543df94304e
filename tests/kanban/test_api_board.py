"""The board and its columns through the API (API.md §9.6): shapes, rules, bad input."""

import pytest

from kanban.models import KanbanBoard, KanbanColumn, KanbanTask
from tests.helpers import assert_error, assert_refused
from tests.kanban.factories import KanbanBoardFactory, KanbanTaskFactory
from tests.kanban.utils import assert_dense, board_url, column_url, note_url, snapshot, task_layout
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def column_names(response):
    return [column["name"] for column in response.json()["columns"]]


def _nested(depth):
    value = 1
    for _ in range(depth):
        value = {"a": value}
    return value


# GET board (KAN-1)


def test_kan_1_the_first_get_creates_the_board(owner_client, project):
    response = owner_client.get(board_url(project))
    assert response.status_code == 200, response.content
    body = response.json()
    board = KanbanBoard.objects.get(project=project)
    assert body["id"] == str(board.pk)
    assert body["name"] == f"{project.name} Board"
    assert column_names(response) == ["Backlog", "To Do", "In Progress", "Review", "Done"]
    assert owner_client.get(board_url(project)).json() == body  # the same board afterwards


def test_kan_1_any_board_endpoint_creates_the_board(owner_client, project):
    assert owner_client.get(board_url(project, "tasks/")).status_code == 200
    assert KanbanBoard.objects.filter(project=project).exists()


def test_board_shape(owner_client, board, columns, owner):
    task = KanbanTaskFactory(
        column=columns["In Progress"], title="Wire the API", tags=["api"], assignee=owner
    )
    body = owner_client.get(board_url(board.project)).json()
    assert set(body) == {"id", "name", "description", "settings", "task_counter", "columns"}
    column = body["columns"][2]
    assert column == {
        "id": str(columns["In Progress"].pk),
        "name": "In Progress",
        "description": "",
        "position": 2,
        "color": "",
        "is_backlog": False,
        "is_completed": False,
        "task_limit": None,
        "task_count": 1,
        "tasks": [
            {
                "id": str(task.pk),
                "reference": "TSK-0001",
                "title": "Wire the API",
                "position": 0,
                "status": "open",
                "priority": "medium",
                "task_type": "task",
                "assignee": {
                    "id": str(owner.pk),
                    "username": owner.username,
                    "name": owner.name,
                    "avatar_url": "",
                },
                "due_date": None,
                "tags": ["api"],
                "completed_at": None,
                "version": 1,
            }
        ],
    }
    assert owner.email not in str(body)
    assert body["task_counter"] == 1


def test_board_orders_columns_and_tasks_by_position(owner_client, board, columns, owner):
    KanbanTaskFactory(column=columns["To Do"], title="second")
    KanbanTaskFactory(column=columns["To Do"], title="first", position=0)
    owner_client.post(column_url(columns["Done"], "move/"), {"position": 0})
    body = owner_client.get(board_url(board.project)).json()
    assert [c["name"] for c in body["columns"]][:2] == ["Done", "Backlog"]
    to_do = next(c for c in body["columns"] if c["name"] == "To Do")
    assert [t["title"] for t in to_do["tasks"]] == ["first", "second"]
    assert [t["position"] for t in to_do["tasks"]] == [0, 1]


# PATCH board


def test_board_patch(owner_client, board):
    changes = {"name": "  Sprint 12  ", "description": "Two weeks", "settings": {"wip": True}}
    response = owner_client.patch(board_url(board.project), changes)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["name"], body["description"], body["settings"]) == (
        "Sprint 12",
        "Two weeks",
        {"wip": True},
    )
    assert len(body["columns"]) == 5


def test_r3_board_counter_and_id_are_read_only(owner_client, board):
    response = owner_client.patch(
        board_url(board.project), {"task_counter": 99, "id": "x", "project": "y"}
    )
    assert_refused(response, "task_counter", "id", "project")
    board.refresh_from_db()
    assert board.task_counter == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": None}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "nul\x00"}, "name"),
        ({"description": "x" * 10_001}, "description"),
        ({"description": ["text"]}, "description"),
        ({"settings": []}, "settings"),
        ({"settings": "on"}, "settings"),
        ({"settings": None}, "settings"),
        ({"settings": {"blob": "x" * 16 * 1024}}, "settings"),
        ({"settings": {"nul": "a\u0000b"}}, "settings"),
        # Found by R14 fuzzing: jsonb gives 1e100 back as a 101-digit integer, which the
        # renderer cannot write; and orjson stops at 255 levels of nesting.
        ({"settings": {"huge": -1.03e109}}, "settings"),
        ({"settings": {"huge": 2**63}}, "settings"),
        ({"settings": _nested(300)}, "settings"),
    ],
)
def test_bad_board_input_is_400_and_changes_nothing(owner_client, board, changes, field):
    before = snapshot(KanbanBoard)
    response = owner_client.patch(board_url(board.project), changes)
    assert list(assert_error(response, 400, "validation_error")["fields"]) == [field]
    assert snapshot(KanbanBoard) == before


@pytest.mark.parametrize("field", ["settings", "name", "description"])
def test_unpaired_surrogates_are_400(owner_client, board, field):
    value = '{"lone": "\\ud9ea"}' if field == "settings" else '"\\ud9ea"'
    before = snapshot(KanbanBoard)
    response = owner_client.generic(
        "PATCH", board_url(board.project), f'{{"{field}": {value}}}', "application/json"
    )
    assert list(assert_error(response, 400, "validation_error")["fields"]) == [field]
    assert snapshot(KanbanBoard) == before


def test_settings_numbers_up_to_64_bits_are_kept(owner_client, board):
    settings = {"big": 2**63 - 1, "small": -(2**63) + 1, "ratio": 0.25}
    response = owner_client.patch(board_url(board.project), {"settings": settings})
    assert response.json()["settings"] == settings
    assert owner_client.get(board_url(board.project)).json()["settings"] == settings


@pytest.mark.parametrize("path", [board_url, note_url])
def test_options_describes_the_endpoint(owner_client, board, path):
    # Found by R14 fuzzing: OPTIONS asked these single-row views for a `pk` they do not have.
    response = owner_client.options(path(board.project))
    assert response.status_code == 200
    assert response.json()["renders"] == ["application/json", "text/html"]


def test_board_has_no_put_post_or_delete(owner_client, board):
    for method in ("put", "post", "delete"):
        response = getattr(owner_client, method)(board_url(board.project), {})
        assert_error(response, 405, "method_not_allowed")
    assert KanbanBoard.objects.count() == 1


def test_malformed_json_is_parse_error(owner_client, board):
    response = owner_client.patch(
        board_url(board.project), data="{", content_type="application/json"
    )
    assert_error(response, 400, "parse_error")


# Columns: create (KAN-3, KAN-6)


def test_column_create(owner_client, board):
    data = {"name": "QA", "description": "Manual checks", "color": "#00AA88", "task_limit": 3}
    response = owner_client.post(board_url(board.project, "columns/"), data)
    assert response.status_code == 201, response.content
    body = response.json()
    assert {key: body[key] for key in data} == data
    assert (body["position"], body["task_count"], body["is_backlog"], body["is_completed"]) == (
        5,
        0,
        False,
        False,
    )
    assert set(body) == {
        "id",
        "name",
        "description",
        "position",
        "color",
        "is_backlog",
        "is_completed",
        "task_limit",
        "task_count",
    }


def test_kan_3_column_create_at_a_position(owner_client, board):
    response = owner_client.post(
        board_url(board.project, "columns/"), {"name": "QA", "position": 1}
    )
    assert response.json()["position"] == 1
    names = KanbanColumn.objects.filter(board=board).order_by("position")
    assert list(names.values_list("name", flat=True))[:3] == ["Backlog", "QA", "To Do"]
    assert_dense(board)


def test_kan_6_column_create_with_a_flag_takes_it(owner_client, board, columns):
    KanbanTaskFactory(column=columns["Done"])
    response = owner_client.post(
        board_url(board.project, "columns/"), {"name": "Shipped", "is_completed": True}
    )
    assert response.status_code == 201
    assert KanbanColumn.objects.get(is_completed=True).name == "Shipped"
    assert KanbanTask.objects.get().status == "open"


def test_column_name_taken_is_409_already_exists(owner_client, board):
    response = owner_client.post(board_url(board.project, "columns/"), {"name": "Review"})
    body = assert_error(response, 409, "already_exists")
    assert list(body["fields"]) == ["name"]
    assert KanbanColumn.objects.filter(board=board).count() == 5


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": " "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": "QA", "description": "x" * 2_001}, "description"),
        ({"name": "QA", "color": "green"}, "color"),
        ({"name": "QA", "color": "#ABCDEF0"}, "color"),
        ({"name": "QA", "is_backlog": "maybe"}, "is_backlog"),
        ({"name": "QA", "is_completed": None}, "is_completed"),
        ({"name": "QA", "task_limit": 0}, "task_limit"),
        ({"name": "QA", "task_limit": -1}, "task_limit"),
        ({"name": "QA", "task_limit": "many"}, "task_limit"),
        ({"name": "QA", "task_limit": 2**31}, "task_limit"),
        ({"name": "QA", "position": -1}, "position"),
        ({"name": "QA", "position": "first"}, "position"),
        ({"name": "QA", "position": 2**31}, "position"),
        ({"name": "QA", "is_backlog": True, "is_completed": True}, "non_field_errors"),
    ],
)
def test_bad_column_create_is_400_and_creates_nothing(owner_client, board, data, field):
    before = snapshot(KanbanColumn)
    response = owner_client.post(board_url(board.project, "columns/"), data)
    assert list(assert_error(response, 400, "validation_error")["fields"]) == [field]
    assert snapshot(KanbanColumn) == before


def test_columns_have_no_list_or_detail_get(owner_client, board, columns):
    assert_error(owner_client.get(board_url(board.project, "columns/")), 405, "method_not_allowed")
    assert_error(owner_client.get(column_url(columns["Done"])), 405, "method_not_allowed")
    assert_error(owner_client.put(column_url(columns["Done"]), {}), 405, "method_not_allowed")


# Columns: change (KAN-5, KAN-6)


def test_column_patch(owner_client, columns):
    response = owner_client.patch(
        column_url(columns["Review"]), {"name": "Code review", "color": "#123abc", "task_limit": 4}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["name"], body["color"], body["task_limit"], body["position"]) == (
        "Code review",
        "#123abc",
        4,
        3,
    )


def test_column_patch_refuses_position(owner_client, board, columns):
    """A column moves through `move`, not an edit."""
    response = owner_client.patch(column_url(columns["Review"]), {"position": 0})
    assert_refused(response, "position")
    columns["Review"].refresh_from_db()
    assert columns["Review"].position == 3


def test_kan_5_a_limit_below_the_count_is_409(owner_client, columns):
    KanbanTaskFactory.create_batch(2, column=columns["Review"])
    response = owner_client.patch(column_url(columns["Review"]), {"task_limit": 1})
    assert_error(response, 409, "wip_limit_reached")
    columns["Review"].refresh_from_db()
    assert columns["Review"].task_limit is None


def test_kan_6_patch_moves_the_completed_flag(owner_client, board, columns):
    KanbanTaskFactory(column=columns["Review"])
    response = owner_client.patch(column_url(columns["Review"]), {"is_completed": True})
    assert response.json()["is_completed"] is True
    assert KanbanColumn.objects.get(board=board, is_completed=True) == columns["Review"]
    assert KanbanTask.objects.get().status == "done"


def test_kan_6_patch_may_not_give_a_column_both_roles(owner_client, columns):
    before = snapshot(KanbanColumn)
    response = owner_client.patch(column_url(columns["Done"]), {"is_backlog": True})
    assert list(assert_error(response, 400, "validation_error")["fields"]) == ["non_field_errors"]
    assert snapshot(KanbanColumn) == before


def test_column_rename_to_a_taken_name_is_409(owner_client, columns):
    response = owner_client.patch(column_url(columns["Review"]), {"name": "Done"})
    assert_error(response, 409, "already_exists")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": None}, "name"),
        ({"color": "#FFF"}, "color"),
        ({"task_limit": 0}, "task_limit"),
        ({"description": 5 * ["x"]}, "description"),
    ],
)
def test_bad_column_patch_is_400_and_changes_nothing(owner_client, columns, data, field):
    before = snapshot(KanbanColumn)
    response = owner_client.patch(column_url(columns["Review"]), data)
    assert list(assert_error(response, 400, "validation_error")["fields"]) == [field]
    assert snapshot(KanbanColumn) == before


# Columns: move (KAN-3) and delete (KAN-8)


def test_kan_3_column_move_answers_every_columns_position(owner_client, board, columns):
    response = owner_client.post(column_url(columns["Done"], "move/"), {"position": 1})
    assert response.status_code == 200, response.content
    expected = ["Backlog", "Done", "To Do", "In Progress", "Review"]
    assert response.json() == [
        {"id": str(columns[name].pk), "position": index} for index, name in enumerate(expected)
    ]
    assert_dense(board)


def test_kan_3_column_move_clamps_to_the_end(owner_client, columns):
    response = owner_client.post(column_url(columns["Backlog"], "move/"), {"position": 999})
    assert response.json()[-1] == {"id": str(columns["Backlog"].pk), "position": 4}


@pytest.mark.parametrize("data", [{}, {"position": -1}, {"position": None}, {"position": "top"}])
def test_bad_column_move_is_400(owner_client, board, columns, data):
    before = snapshot(KanbanColumn)
    response = owner_client.post(column_url(columns["Done"], "move/"), data)
    assert list(assert_error(response, 400, "validation_error")["fields"]) == ["position"]
    assert snapshot(KanbanColumn) == before


def test_kan_8_deleting_an_empty_column(owner_client, board, columns):
    response = owner_client.delete(column_url(columns["Review"]))
    assert response.status_code == 204
    assert not response.content
    assert KanbanColumn.objects.filter(board=board).count() == 4
    assert_dense(board)


def test_kan_8_deleting_a_column_with_tasks_is_409(owner_client, board, columns):
    KanbanTaskFactory(column=columns["Review"])
    assert_error(owner_client.delete(column_url(columns["Review"])), 409, "column_not_empty")
    assert KanbanColumn.objects.filter(board=board).count() == 5
    assert task_layout(board)["Review"]


# Isolation: another board's columns are unknown here


def test_another_boards_column_is_404_through_this_project(owner_client, board, owner):
    mine_elsewhere = KanbanBoardFactory(project=ProjectFactory(owner=owner))
    foreign = mine_elsewhere.columns.get(name="Review")
    url = board_url(board.project, f"columns/{foreign.pk}/")
    assert_error(owner_client.patch(url, {"name": "x"}), 404, "not_found")
    assert_error(owner_client.delete(url), 404, "not_found")
    assert_error(owner_client.post(f"{url}move/", {"position": 0}), 404, "not_found")
    assert KanbanColumn.objects.filter(pk=foreign.pk, name="Review").exists()


def test_unknown_and_malformed_ids_are_404(owner_client, board):
    assert_error(
        owner_client.get(board_url("00000000-0000-0000-0000-000000000000")), 404, "not_found"
    )
    assert_error(owner_client.get("/api/v1/projects/not-a-uuid/board/"), 404, "not_found")
    assert_error(
        owner_client.patch(board_url(board.project, "columns/not-a-uuid/"), {}), 404, "not_found"
    )
    assert not KanbanBoard.objects.exclude(pk=board.pk).exists()


def test_another_users_project_gets_no_board(client_for, other_user, project):
    assert_error(client_for(other_user).get(board_url(project)), 404, "not_found")
    assert not KanbanBoard.objects.exists()


@pytest.mark.parametrize(
    "path",
    [
        lambda board, column: board_url(board.project),
        lambda board, column: board_url(board.project, "columns/"),
        lambda board, column: column_url(column, "move/"),
        lambda board, column: board_url(board.project, "tasks/"),
    ],
)
def test_browsable_api_pages_render(client, owner, board, columns, path):
    client.force_login(owner)
    response = client.get(path(board, columns["Review"]), HTTP_ACCEPT="text/html")
    assert response.status_code in (200, 405)
    assert response["Content-Type"].startswith("text/html")
