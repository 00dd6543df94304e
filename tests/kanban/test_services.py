"""The kanban services against the database, rule by rule (DATA_MODEL.md §7, KAN-*)."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import F

from config.exceptions import AlreadyExists, NotAllowed, NotFound, StaleVersion
from kanban import errors, services
from kanban.models import (
    KanbanBoard,
    KanbanColumn,
    KanbanTask,
    KanbanTaskComment,
    ProjectNote,
    TaskStatus,
)
from tests.factories import UserFactory
from tests.kanban.factories import (
    KanbanBoardFactory,
    KanbanColumnFactory,
    KanbanTaskCommentFactory,
    KanbanTaskFactory,
)
from tests.kanban.utils import assert_dense, column_positions, snapshot, task_layout
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def add_tasks(column, *titles):
    return [KanbanTaskFactory(column=column, title=title) for title in titles]


def names_in_order(board):
    return list(
        KanbanColumn.objects.filter(board=board).order_by("position").values_list("name", flat=True)
    )


# KAN-1 creation


def test_kan_1_first_use_creates_the_board_with_five_default_columns(project, owner):
    board = services.board_get_or_create(actor=owner, project=project)
    assert board.name == f"{project.name} Board"
    assert board.task_counter == 0 and board.settings == {} and board.description == ""
    columns = KanbanColumn.objects.filter(board=board).order_by("position")
    assert [(c.position, c.name, c.is_backlog, c.is_completed) for c in columns] == [
        (0, "Backlog", True, False),
        (1, "To Do", False, False),
        (2, "In Progress", False, False),
        (3, "Review", False, False),
        (4, "Done", False, True),
    ]


def test_kan_1_later_uses_return_the_same_board(board, owner):
    again = services.board_get_or_create(actor=owner, project=board.project)
    assert again == board
    assert KanbanBoard.objects.count() == 1
    assert KanbanColumn.objects.count() == 5


def test_kan_1_the_one_to_one_is_the_one_board_per_project_rule(board):
    with pytest.raises(IntegrityError), transaction.atomic():
        KanbanBoard.objects.create(project=board.project, name="Second")


def test_kan_1_only_the_owner_makes_a_board(project, other_user):
    with pytest.raises(NotAllowed):
        services.board_get_or_create(actor=other_user, project=project)
    assert not KanbanBoard.objects.exists()


def test_board_update_changes_the_boards_own_fields(board, owner):
    services.board_update(
        actor=owner, board=board, changes={"name": "Sprint", "settings": {"swimlanes": True}}
    )
    board.refresh_from_db()
    assert (board.name, board.settings) == ("Sprint", {"swimlanes": True})


def test_board_update_refuses_fields_that_are_not_the_boards(board, owner):
    with pytest.raises(ValueError, match="task_counter"):
        services.board_update(actor=owner, board=board, changes={"task_counter": 9})


# KAN-2 one writer per board: every write checks the actor on the locked board


@pytest.mark.parametrize(
    "write",
    [
        lambda actor, task, column: services.board_update(
            actor=actor, board=task.board, changes={"name": "Mine"}
        ),
        lambda actor, task, column: services.column_create(
            actor=actor, board=task.board, name="Mine"
        ),
        lambda actor, task, column: services.column_update(
            actor=actor, column=column, changes={"name": "Mine"}
        ),
        lambda actor, task, column: services.column_move(actor=actor, column=column, position=0),
        lambda actor, task, column: services.column_delete(actor=actor, column=column),
        lambda actor, task, column: services.task_create(
            actor=actor, board=task.board, column=column, title="Mine"
        ),
        lambda actor, task, column: services.task_update(
            actor=actor, task=task, changes={"title": "Mine"}
        ),
        lambda actor, task, column: services.task_move(
            actor=actor, task=task, column=column, position=0
        ),
        lambda actor, task, column: services.task_delete(actor=actor, task=task),
        lambda actor, task, column: services.board_renumber(actor=actor, board=task.board),
        lambda actor, task, column: services.task_comment_create(
            actor=actor, task=task, content="Mine"
        ),
    ],
)
def test_kan_2_another_user_may_not_write_to_the_board(task, columns, other_user, write):
    before = snapshot(KanbanBoard, KanbanColumn, KanbanTask, KanbanTaskComment)
    with pytest.raises(NotAllowed):
        write(other_user, task, columns["Review"])
    assert snapshot(KanbanBoard, KanbanColumn, KanbanTask, KanbanTaskComment) == before


def test_kan_2_staff_with_the_model_permission_write_from_admin(task, superuser):
    services.task_update(actor=superuser, task=task, changes={"title": "Renamed by support"})
    task.refresh_from_db()
    assert task.title == "Renamed by support"


def test_kan_2_a_missing_board_is_not_found(board, owner):
    KanbanBoard.objects.filter(pk=board.pk).delete()
    with pytest.raises(NotFound):
        services.column_create(actor=owner, board=board, name="Late")


# KAN-3 dense column positions


def test_kan_3_a_new_column_goes_to_the_end_by_default(board, owner):
    services.column_create(actor=owner, board=board, name="Blocked")
    assert names_in_order(board)[-1] == "Blocked"
    assert_dense(board)


@pytest.mark.parametrize(("position", "expected_index"), [(0, 0), (2, 2), (5, 5), (99, 5)])
def test_kan_3_a_new_column_goes_where_asked_clamped_to_the_end(
    board, owner, position, expected_index
):
    column = services.column_create(actor=owner, board=board, name="QA", position=position)
    assert column.position == expected_index
    assert names_in_order(board).index("QA") == expected_index
    assert_dense(board)


@pytest.mark.parametrize(
    ("position", "expected"),
    [
        (0, ["Review", "Backlog", "To Do", "In Progress", "Done"]),
        (1, ["Backlog", "Review", "To Do", "In Progress", "Done"]),
        (3, ["Backlog", "To Do", "In Progress", "Review", "Done"]),
        (4, ["Backlog", "To Do", "In Progress", "Done", "Review"]),
        (40, ["Backlog", "To Do", "In Progress", "Done", "Review"]),
    ],
)
def test_kan_3_moving_a_column_shifts_those_in_between(board, columns, owner, position, expected):
    result = services.column_move(actor=owner, column=columns["Review"], position=position)
    assert names_in_order(board) == expected
    assert [row["position"] for row in result] == [0, 1, 2, 3, 4]
    assert [row["id"] for row in result] == [
        KanbanColumn.objects.get(board=board, name=name).pk for name in expected
    ]
    assert_dense(board)


def test_kan_3_deleting_a_column_closes_the_gap(board, columns, owner):
    services.column_delete(actor=owner, column=columns["In Progress"])
    assert names_in_order(board) == ["Backlog", "To Do", "Review", "Done"]
    assert_dense(board)


def test_kan_3_every_operation_leaves_other_boards_alone(board, owner):
    other = KanbanBoardFactory()
    services.column_create(actor=owner, board=board, name="QA", position=0)
    assert column_positions(other) == [0, 1, 2, 3, 4]
    assert names_in_order(other) == ["Backlog", "To Do", "In Progress", "Review", "Done"]


def test_column_name_is_unique_in_the_board(board, owner):
    elsewhere = KanbanBoardFactory()
    services.column_create(actor=elsewhere.project.owner, board=elsewhere, name="QA")
    services.column_create(actor=owner, board=board, name="QA")
    with pytest.raises(AlreadyExists) as refused:
        services.column_create(actor=owner, board=board, name="QA")
    assert list(refused.value.fields) == ["name"]
    assert KanbanColumn.objects.filter(name="QA").count() == 2


def test_column_rename_to_a_taken_name_is_refused(columns, owner):
    with pytest.raises(AlreadyExists):
        services.column_update(actor=owner, column=columns["To Do"], changes={"name": "Done"})
    services.column_update(actor=owner, column=columns["To Do"], changes={"name": "To Do"})


# KAN-4 dense task positions


def test_kan_4_a_new_task_goes_to_the_end_by_default(board, columns):
    add_tasks(columns["To Do"], "a", "b", "c")
    assert task_layout(board)["To Do"] == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("position", "expected"),
    [
        (0, ["new", "a", "b"]),
        (1, ["a", "new", "b"]),
        (2, ["a", "b", "new"]),
        (70, ["a", "b", "new"]),
    ],
)
def test_kan_4_a_new_task_goes_where_asked_clamped(board, columns, owner, position, expected):
    add_tasks(columns["To Do"], "a", "b")
    services.task_create(
        actor=owner, board=board, column=columns["To Do"], title="new", position=position
    )
    assert task_layout(board)["To Do"] == expected
    assert_dense(board)


@pytest.mark.parametrize(
    ("title", "position", "expected"),
    [
        ("c", 0, ["c", "a", "b", "d"]),
        ("a", 2, ["b", "c", "a", "d"]),
        ("a", 3, ["b", "c", "d", "a"]),
        ("b", 99, ["a", "c", "d", "b"]),
        ("b", 1, ["a", "b", "c", "d"]),
    ],
)
def test_kan_4_moving_within_a_column_shifts_those_in_between(
    board, columns, owner, title, position, expected
):
    tasks = {task.title: task for task in add_tasks(columns["To Do"], "a", "b", "c", "d")}
    services.task_move(actor=owner, task=tasks[title], column=columns["To Do"], position=position)
    assert task_layout(board)["To Do"] == expected
    assert_dense(board)


@pytest.mark.parametrize(
    ("position", "expected_target"),
    [(0, ["b", "x", "y"]), (1, ["x", "b", "y"]), (2, ["x", "y", "b"]), (50, ["x", "y", "b"])],
)
def test_kan_4_moving_to_another_column_closes_and_opens_gaps(
    board, columns, owner, position, expected_target
):
    tasks = {task.title: task for task in add_tasks(columns["To Do"], "a", "b", "c")}
    add_tasks(columns["In Progress"], "x", "y")
    services.task_move(
        actor=owner, task=tasks["b"], column=columns["In Progress"], position=position
    )
    layout = task_layout(board)
    assert layout["To Do"] == ["a", "c"]
    assert layout["In Progress"] == expected_target
    assert_dense(board)


def test_kan_4_deleting_a_task_closes_the_gap(board, columns, owner):
    tasks = add_tasks(columns["To Do"], "a", "b", "c")
    services.task_delete(actor=owner, task=tasks[0])
    assert task_layout(board)["To Do"] == ["b", "c"]
    assert_dense(board)


def test_kan_4_a_task_deleted_meanwhile_is_not_found(task, columns, owner):
    KanbanTask.objects.filter(pk=task.pk).delete()
    with pytest.raises(NotFound):
        services.task_move(actor=owner, task=task, column=columns["Done"], position=0)
    with pytest.raises(NotFound):
        services.task_delete(actor=owner, task=task)


def test_kan_4_the_database_refuses_two_tasks_at_one_position(columns):
    first, second = add_tasks(columns["To Do"], "a", "b")
    KanbanTask.objects.filter(pk=second.pk).update(position=first.position)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS kanban_task_position_unique IMMEDIATE")
    KanbanTask.objects.filter(pk=second.pk).update(position=1)  # leave the test's data valid


# KAN-5 WIP limits


@pytest.fixture
def full_column(columns, owner):
    """In Progress, holding its limit of two tasks."""
    column = columns["In Progress"]
    services.column_update(actor=owner, column=column, changes={"task_limit": 2})
    add_tasks(column, "x", "y")
    return column


def test_kan_5_creating_in_a_full_column_is_refused(board, full_column, owner):
    with pytest.raises(errors.WipLimitReached):
        services.task_create(actor=owner, board=board, column=full_column, title="z")
    assert task_layout(board)["In Progress"] == ["x", "y"]
    board.refresh_from_db()
    assert board.task_counter == 2  # no number was taken


def test_kan_5_r19_moving_into_a_full_column_is_refused(board, columns, full_column, owner):
    (task,) = add_tasks(columns["To Do"], "a")
    with pytest.raises(errors.WipLimitReached):
        services.task_move(actor=owner, task=task, column=full_column, position=0)
    assert task_layout(board)["In Progress"] == ["x", "y"]
    assert task_layout(board)["To Do"] == ["a"]


def test_kan_5_reordering_inside_a_full_column_is_allowed(board, full_column, owner):
    task = KanbanTask.objects.get(title="y")
    services.task_move(actor=owner, task=task, column=full_column, position=0)
    assert task_layout(board)["In Progress"] == ["y", "x"]


def test_kan_5_a_limit_below_the_current_count_is_refused(full_column, owner):
    with pytest.raises(errors.WipLimitReached):
        services.column_update(actor=owner, column=full_column, changes={"task_limit": 1})
    full_column.refresh_from_db()
    assert full_column.task_limit == 2


def test_kan_5_a_limit_equal_to_the_count_or_none_is_accepted(full_column, owner):
    services.column_update(actor=owner, column=full_column, changes={"task_limit": 2})
    services.column_update(actor=owner, column=full_column, changes={"task_limit": None})
    full_column.refresh_from_db()
    assert full_column.task_limit is None


# KAN-6 moving a flag


def test_kan_6_setting_is_backlog_clears_it_elsewhere(board, columns, owner):
    services.column_update(actor=owner, column=columns["To Do"], changes={"is_backlog": True})
    assert list(KanbanColumn.objects.filter(is_backlog=True).values_list("name", flat=True)) == [
        "To Do"
    ]


def test_kan_6_a_new_backlog_column_takes_the_flag(board, owner):
    services.column_create(actor=owner, board=board, name="Icebox", is_backlog=True)
    assert list(KanbanColumn.objects.filter(is_backlog=True).values_list("name", flat=True)) == [
        "Icebox"
    ]


def test_kan_6_moving_is_completed_reopens_and_completes_tasks(board, columns, owner):
    add_tasks(columns["Done"], "shipped")
    add_tasks(columns["Review"], "almost")
    services.column_update(actor=owner, column=columns["Review"], changes={"is_completed": True})
    shipped, almost = (
        KanbanTask.objects.get(title="shipped"),
        KanbanTask.objects.get(title="almost"),
    )
    assert (shipped.status, shipped.completed_at) == (TaskStatus.OPEN, None)
    assert almost.status == TaskStatus.DONE and almost.completed_at is not None
    completed = KanbanColumn.objects.filter(is_completed=True)
    assert list(completed.values_list("name", flat=True)) == ["Review"]


def test_kan_6_a_new_completed_column_reopens_the_old_ones_tasks(board, columns, owner):
    add_tasks(columns["Done"], "shipped")
    services.column_create(actor=owner, board=board, name="Released", is_completed=True)
    assert KanbanTask.objects.get().status == TaskStatus.OPEN
    assert not KanbanColumn.objects.get(name="Done").is_completed


def test_kan_6_unsetting_is_completed_reopens_the_columns_tasks(columns, owner):
    add_tasks(columns["Done"], "shipped")
    services.column_update(actor=owner, column=columns["Done"], changes={"is_completed": False})
    assert KanbanTask.objects.get().status == TaskStatus.OPEN
    assert not KanbanColumn.objects.filter(is_completed=True).exists()


def test_kan_6_a_column_has_a_single_role(board, columns, owner):
    with pytest.raises(errors.InvalidInput):
        services.column_update(actor=owner, column=columns["Done"], changes={"is_backlog": True})
    with pytest.raises(errors.InvalidInput):
        services.column_create(
            actor=owner, board=board, name="Both", is_backlog=True, is_completed=True
        )
    assert KanbanColumn.objects.get(is_backlog=True).name == "Backlog"


def test_kan_6_swapping_roles_in_one_change_is_allowed(columns, owner):
    services.column_update(
        actor=owner, column=columns["Done"], changes={"is_backlog": True, "is_completed": False}
    )
    done = KanbanColumn.objects.get(name="Done")
    assert (done.is_backlog, done.is_completed) == (True, False)
    assert not KanbanColumn.objects.get(name="Backlog").is_backlog


# KAN-7 reference numbers


def test_kan_7_tasks_take_the_next_number_of_their_board(board, columns):
    tasks = add_tasks(columns["To Do"], "a", "b")
    assert [task.ref_number for task in tasks] == [1, 2]
    assert [task.reference for task in tasks] == ["TSK-0001", "TSK-0002"]
    other = KanbanTaskFactory()
    assert other.ref_number == 1
    board.refresh_from_db()
    assert board.task_counter == 2


def test_kan_7_numbers_are_never_reused_after_a_delete(board, columns, owner):
    _, second = add_tasks(columns["To Do"], "a", "b")
    services.task_delete(actor=owner, task=second)
    (third,) = add_tasks(columns["To Do"], "c")
    assert third.ref_number == 3


# KAN-8


def test_kan_8_a_column_with_tasks_cannot_be_deleted(board, columns, owner):
    add_tasks(columns["Review"], "a")
    with pytest.raises(errors.ColumnNotEmpty):
        services.column_delete(actor=owner, column=columns["Review"])
    assert KanbanColumn.objects.filter(pk=columns["Review"].pk).exists()


# KAN-9 completion


def test_kan_9_moving_into_the_completed_column_stamps_completion(task, columns, owner):
    services.task_move(actor=owner, task=task, column=columns["Done"], position=0)
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.completed_at is not None


def test_kan_9_moving_out_reopens(task, columns, owner):
    services.task_move(actor=owner, task=task, column=columns["Done"], position=0)
    services.task_move(actor=owner, task=task, column=columns["Review"], position=0)
    task.refresh_from_db()
    assert (task.status, task.completed_at) == (TaskStatus.OPEN, None)


def test_kan_9_moving_between_open_columns_keeps_the_status(task, columns, owner):
    services.task_update(actor=owner, task=task, changes={"status": TaskStatus.BLOCKED})
    services.task_move(actor=owner, task=task, column=columns["Review"], position=0)
    task.refresh_from_db()
    assert task.status == TaskStatus.BLOCKED


def test_kan_9_a_task_created_in_the_completed_column_is_done(columns):
    (task,) = add_tasks(columns["Done"], "already")
    assert task.status == TaskStatus.DONE and task.completed_at is not None


@pytest.mark.parametrize("status", [TaskStatus.OPEN, TaskStatus.BLOCKED, TaskStatus.REVIEW])
def test_kan_9_an_edit_sets_open_blocked_or_review(task, owner, status):
    services.task_update(actor=owner, task=task, changes={"status": status})
    task.refresh_from_db()
    assert task.status == status


def test_kan_9_an_edit_may_not_set_done(task, owner):
    with pytest.raises(errors.InvalidInput) as refused:
        services.task_update(actor=owner, task=task, changes={"status": TaskStatus.DONE})
    assert list(refused.value.fields) == ["status"]
    task.refresh_from_db()
    assert task.status == TaskStatus.OPEN


def test_kan_9_a_task_in_the_completed_column_keeps_done(columns, owner):
    (task,) = add_tasks(columns["Done"], "finished")
    with pytest.raises(errors.InvalidInput):
        services.task_update(actor=owner, task=task, changes={"status": TaskStatus.REVIEW})
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


# KAN-10 assignee


def test_kan_10_the_owner_or_nobody_is_assigned(task, owner, other_user):
    services.task_update(actor=owner, task=task, changes={"assignee": owner})
    task.refresh_from_db()
    assert task.assignee == owner
    with pytest.raises(errors.InvalidInput) as refused:
        services.task_update(actor=owner, task=task, changes={"assignee": other_user})
    assert list(refused.value.fields) == ["assignee"]
    services.task_update(actor=owner, task=task, changes={"assignee": None})
    task.refresh_from_db()
    assert task.assignee is None


def test_kan_10_create_refuses_another_assignee(board, columns, owner, other_user):
    with pytest.raises(errors.InvalidInput):
        services.task_create(
            actor=owner, board=board, column=columns["To Do"], title="x", assignee=other_user
        )
    assert not KanbanTask.objects.exists()


def test_assignee_and_reporter_are_kept_as_null_when_the_user_goes(board, columns):
    helper = UserFactory(staff=True, superuser=True)
    task = services.task_create(
        actor=helper, board=board, column=columns["To Do"], title="Filed by support"
    )
    assert task.reporter == helper
    helper.delete()
    task.refresh_from_db()
    assert task.reporter is None


# KAN-11 versions


def test_kan_11_every_edit_increments_the_version(task, owner):
    services.task_update(actor=owner, task=task, changes={"title": "One"})
    services.task_update(actor=owner, task=task, changes={"title": "Two"}, version=2)
    task.refresh_from_db()
    assert (task.title, task.version) == ("Two", 3)


def test_kan_11_a_stale_version_changes_nothing(task, owner):
    services.task_update(actor=owner, task=task, changes={"title": "One"})
    with pytest.raises(StaleVersion):
        services.task_update(actor=owner, task=task, changes={"title": "Lost"}, version=1)
    task.refresh_from_db()
    assert (task.title, task.version) == ("One", 2)


def test_kan_11_an_empty_edit_checks_the_version_and_changes_nothing(task, owner):
    services.task_update(actor=owner, task=task, changes={}, version=1)
    with pytest.raises(StaleVersion):
        services.task_update(actor=owner, task=task, changes={}, version=7)
    task.refresh_from_db()
    assert task.version == 1


def test_kan_11_a_move_is_not_a_change(task, columns, owner):
    services.task_move(actor=owner, task=task, column=columns["Review"], position=0)
    task.refresh_from_db()
    assert task.version == 1


def test_task_update_refuses_fields_only_services_decide(task, owner):
    for field in ("position", "column", "version", "completed_at", "ref_number"):
        with pytest.raises(ValueError, match=field):
            services.task_update(actor=owner, task=task, changes={field: None})


# KAN-12 the target column is the board's


def test_kan_12_a_column_of_another_board_is_refused_on_create_and_move(board, task, owner):
    elsewhere = KanbanBoardFactory(project=ProjectFactory(owner=owner)).columns.get(name="To Do")
    with pytest.raises(errors.InvalidInput) as refused:
        services.task_create(actor=owner, board=board, column=elsewhere, title="x")
    assert list(refused.value.fields) == ["column"]
    with pytest.raises(errors.InvalidInput):
        services.task_move(actor=owner, task=task, column=elsewhere, position=0)
    assert KanbanTask.objects.count() == 1
    task.refresh_from_db()
    assert task.column.board == board


# KAN-13 comments


def test_kan_13_only_the_author_edits_or_deletes_a_comment(task, owner, other_user):
    comment = KanbanTaskCommentFactory(task=task, user=other_user)
    with pytest.raises(NotAllowed):
        services.task_comment_update(actor=owner, comment=comment, content="Rewritten")
    with pytest.raises(NotAllowed):
        services.task_comment_delete(actor=owner, comment=comment)
    services.task_comment_update(actor=other_user, comment=comment, content="Edited")
    comment.refresh_from_db()
    assert comment.content == "Edited"
    services.task_comment_delete(actor=other_user, comment=comment)
    assert not KanbanTaskComment.objects.exists()


def test_comment_create_by_the_owner(task, owner):
    comment = services.task_comment_create(actor=owner, task=task, content="Looks good")
    assert (comment.user, comment.task_id, comment.content) == (owner, task.pk, "Looks good")


def test_comment_on_a_task_deleted_meanwhile_is_not_found(task, owner):
    KanbanTask.objects.filter(pk=task.pk).delete()
    with pytest.raises(NotFound):
        services.task_comment_create(actor=owner, task=task, content="Too late")


def test_deleting_a_task_takes_its_comments(task, owner):
    KanbanTaskCommentFactory.create_batch(2, task=task)
    services.task_delete(actor=owner, task=task)
    assert not KanbanTaskComment.objects.exists()


# KAN-14 the note


def test_kan_14_the_note_is_created_empty_on_first_use(project, owner):
    note = services.note_get_or_create(actor=owner, project=project)
    assert (note.content, note.content_format, note.version) == ("", "html", 1)
    assert services.note_get_or_create(actor=owner, project=project) == note
    assert ProjectNote.objects.count() == 1


def test_kan_14_a_write_replaces_content_and_format_and_bumps_the_version(project, owner):
    services.note_update(actor=owner, project=project, content="# Plan", content_format="markdown")
    services.note_update(
        actor=owner, project=project, content="[1]", content_format="json", version=2
    )
    note = ProjectNote.objects.get()
    assert (note.content, note.content_format, note.version) == ("[1]", "json", 3)


def test_kan_14_json_content_must_parse(project, owner):
    with pytest.raises(errors.InvalidInput) as refused:
        services.note_update(actor=owner, project=project, content="{", content_format="json")
    assert list(refused.value.fields) == ["content"]
    services.note_update(actor=owner, project=project, content="{", content_format="markdown")


def test_kan_14_a_stale_version_changes_nothing(project, owner):
    services.note_update(actor=owner, project=project, content="First", content_format="html")
    with pytest.raises(StaleVersion):
        services.note_update(
            actor=owner, project=project, content="Lost", content_format="html", version=1
        )
    assert ProjectNote.objects.get().content == "First"


def test_kan_14_only_the_owner_uses_the_note(project, other_user):
    with pytest.raises(NotAllowed):
        services.note_get_or_create(actor=other_user, project=project)
    with pytest.raises(NotAllowed):
        services.note_update(actor=other_user, project=project, content="x", content_format="html")
    assert not ProjectNote.objects.exists()


# Renumbering (the admin repair of KAN-3 and KAN-4)


def test_board_renumber_restores_dense_positions_in_order(board, columns, owner):
    add_tasks(columns["To Do"], "a", "b", "c")
    KanbanTask.objects.filter(board=board).update(position=F("position") * 10 + 5)
    KanbanColumn.objects.filter(board=board).update(position=F("position") * 3)
    moved = services.board_renumber(actor=owner, board=board)
    assert moved == 4 + 3  # every column but the first, and every task
    assert task_layout(board)["To Do"] == ["a", "b", "c"]
    assert names_in_order(board) == ["Backlog", "To Do", "In Progress", "Review", "Done"]
    assert_dense(board)
    assert services.board_renumber(actor=owner, board=board) == 0


def test_deleting_a_project_takes_its_board_and_note(board, task, project, owner):
    services.note_get_or_create(actor=owner, project=project)
    KanbanTaskCommentFactory(task=task)
    project.delete()
    for model in (KanbanBoard, KanbanColumn, KanbanTask, KanbanTaskComment, ProjectNote):
        assert not model.objects.exists()


def test_deleting_a_user_takes_their_comments_only(task, owner, other_user):
    KanbanTaskCommentFactory(task=task, user=other_user)
    KanbanTaskCommentFactory(task=task)
    other_user.delete()
    assert list(KanbanTaskComment.objects.values_list("user", flat=True)) == [owner.pk]


def test_the_board_factory_and_default_columns_are_consistent(board):
    # Guards the fixtures every other test relies on.
    assert KanbanColumn.objects.filter(board=board).count() == 5
    assert_dense(board)


def test_an_extra_column_factory_goes_to_the_end(board):
    column = KanbanColumnFactory(board=board)
    assert column.position == 5
