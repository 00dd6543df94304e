"""The kanban models: every database constraint refuses what it names, `__str__`, properties,
field validators and the per-user querysets (DATA_MODEL.md §7, §1.3, §1.4)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from kanban.models import (
    ContentFormat,
    EditableTaskStatus,
    KanbanBoard,
    KanbanColumn,
    KanbanTask,
    KanbanTaskComment,
    ProjectNote,
    TaskPriority,
    TaskStatus,
    TaskType,
)
from kanban.validators import validate_color, validate_tags
from tests.backoffice.helpers import domain_models
from tests.kanban.factories import (
    KanbanBoardFactory,
    KanbanTaskCommentFactory,
    KanbanTaskFactory,
    ProjectNoteFactory,
)

pytestmark = pytest.mark.django_db


def refused_by(constraint, write, *, deferred=False):
    """`write()` is refused by the database constraint named `constraint` (a deferred one as
    it would be at commit)."""

    def write_and_check():
        write()
        if deferred:
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        write_and_check()
    assert refused.value.__cause__.diag.constraint_name == constraint


def update(row, **changes):
    return lambda: type(row).objects.filter(pk=row.pk).update(**changes)


# Choices: exactly the spec's values


def test_choices_are_exactly_the_specs():
    assert TaskStatus.values == ["open", "blocked", "review", "done"]
    assert EditableTaskStatus.values == ["open", "blocked", "review"]
    assert TaskPriority.values == ["low", "medium", "high", "critical"]
    assert TaskType.values == ["feature", "bug", "task", "epic", "story"]
    assert ContentFormat.values == ["html", "json", "markdown"]


# Board


@pytest.mark.parametrize(
    ("changes", "constraint"),
    [
        ({"name": " \t"}, "kanban_board_name_not_blank"),
        ({"description": "x" * 10_001}, "kanban_board_description_length"),
        ({"settings": ["not", "an", "object"]}, "kanban_board_settings_object"),
    ],
)
def test_board_constraints(board, changes, constraint):
    refused_by(constraint, update(board, **changes))


def test_one_board_per_project(board):
    refused_by(
        "kanban_kanbanboard_project_id_key",
        lambda: KanbanBoard.objects.create(project=board.project, name="Second"),
    )


# Columns


@pytest.mark.parametrize(
    ("name", "changes", "constraint"),
    [
        ("To Do", {"name": "Done"}, "kanban_column_name_unique"),
        ("To Do", {"is_backlog": True}, "kanban_column_one_backlog"),
        ("To Do", {"is_completed": True}, "kanban_column_one_completed"),
        ("Backlog", {"is_completed": True}, "kanban_column_single_role"),
        ("To Do", {"task_limit": 0}, "kanban_column_task_limit_positive"),
        ("To Do", {"name": "   "}, "kanban_column_name_not_blank"),
        ("To Do", {"color": "red"}, "kanban_column_color_valid"),
        ("To Do", {"color": "#12345G"}, "kanban_column_color_valid"),
        ("To Do", {"description": "x" * 2_001}, "kanban_column_description_length"),
    ],
)
def test_column_constraints(columns, name, changes, constraint):
    refused_by(constraint, update(columns[name], **changes))


def test_column_positions_are_unique_at_commit(columns):
    refused_by(
        "kanban_column_position_unique",
        update(columns["To Do"], position=columns["Backlog"].position),
        deferred=True,
    )


def test_column_constraints_accept_valid_values(columns):
    KanbanColumn.objects.filter(pk=columns["To Do"].pk).update(
        color="#a0B1c2", task_limit=1, description="x" * 2_000
    )
    KanbanColumn.objects.filter(pk=columns["Review"].pk).update(color="")


# Tasks


@pytest.mark.parametrize(
    ("changes", "constraint"),
    [
        ({"status": "closed"}, "kanban_task_status_valid"),
        ({"priority": "urgent"}, "kanban_task_priority_valid"),
        ({"task_type": "chore"}, "kanban_task_task_type_valid"),
        ({"status": "done"}, "kanban_task_done_iff_completed_at"),
        ({"completed_at": timezone.now()}, "kanban_task_done_iff_completed_at"),
        ({"title": "  "}, "kanban_task_title_not_blank"),
        ({"description": "x" * 50_001}, "kanban_task_description_length"),
        ({"tags": {"a": 1}}, "kanban_task_tags_list"),
        ({"tags": [str(n) for n in range(21)]}, "kanban_task_tags_list"),
        ({"version": 0}, "kanban_task_counters_positive"),
        ({"ref_number": 0}, "kanban_task_counters_positive"),
    ],
)
def test_task_constraints(task, changes, constraint):
    refused_by(constraint, update(task, **changes))


def test_task_reference_numbers_are_unique_per_board(board):
    first, second = KanbanTaskFactory(board=board), KanbanTaskFactory(board=board)
    refused_by("kanban_task_ref_unique", update(second, ref_number=first.ref_number))


def test_task_positions_are_unique_at_commit(board):
    first, second = KanbanTaskFactory(board=board), KanbanTaskFactory(board=board)
    refused_by(
        "kanban_task_position_unique", update(second, position=first.position), deferred=True
    )


def test_a_done_task_with_its_completion_time_is_valid(task):
    KanbanTask.objects.filter(pk=task.pk).update(status="done", completed_at=timezone.now())


# Comments and notes


@pytest.mark.parametrize("content", ["", " \n ", "x" * 10_001])
def test_comment_content_is_1_to_10000_characters(task, content):
    comment = KanbanTaskCommentFactory(task=task)
    refused_by("kanban_comment_content_length", update(comment, content=content))


@pytest.mark.parametrize(
    ("changes", "constraint"),
    [
        ({"content_format": "rtf"}, "kanban_note_content_format_valid"),
        # 1 MiB is counted in bytes: "é" is two in UTF-8.
        ({"content": "é" * (512 * 1024) + "x"}, "kanban_note_content_size"),
        ({"version": 0}, "kanban_note_version_positive"),
    ],
)
def test_note_constraints(changes, constraint):
    refused_by(constraint, update(ProjectNoteFactory(), **changes))


def test_note_of_exactly_1_mib_is_accepted():
    note = ProjectNoteFactory()
    ProjectNote.objects.filter(pk=note.pk).update(content="é" * (512 * 1024))


def test_one_note_per_project():
    note = ProjectNoteFactory()
    refused_by(
        "kanban_projectnote_project_id_key",
        lambda: ProjectNote.objects.create(project=note.project),
    )


# Text, properties


def test_str_of_every_model(board, columns, owner):
    task = KanbanTaskFactory(board=board, title="Ship it")
    comment = KanbanTaskCommentFactory(task=task, content="y" * 70)
    note = ProjectNoteFactory(project=board.project)
    assert str(board) == f"{board.project.name} Board"
    assert str(columns["Review"]) == "Review"
    assert str(task) == "TSK-0001 Ship it"
    assert str(comment) == f"{owner} on TSK-0001: {'y' * 59}…"
    assert str(note) == f"Notes of {board.project}"


@pytest.mark.parametrize(
    ("ref_number", "reference"), [(1, "TSK-0001"), (42, "TSK-0042"), (12345, "TSK-12345")]
)
def test_reference_is_the_padded_ref_number(ref_number, reference):
    assert KanbanTask(ref_number=ref_number).reference == reference


def test_short_content_keeps_short_comments_whole():
    assert KanbanTaskComment(content="Fine").short_content == "Fine"


def test_priority_rank_orders_by_weight(board):
    for priority in ("high", "low", "critical", "medium"):
        KanbanTaskFactory(board=board, priority=priority)
    ranked = KanbanTask.objects.with_priority_rank().order_by("priority_rank")
    assert list(ranked.values_list("priority", flat=True)) == ["low", "medium", "high", "critical"]


# Field validators (used by serializers and admin forms)


@pytest.mark.parametrize(
    "tags",
    [
        "urgent",
        [""],
        ["  "],
        [7],
        ["x" * 51],
        ["a", "a"],
        [str(n) for n in range(21)],
        ["nul\x00"],
    ],
)
def test_validate_tags_refuses(tags):
    with pytest.raises(ValidationError):
        validate_tags(tags)


def test_validate_tags_accepts_the_limits():
    validate_tags([f"{n:02d}{'x' * 48}" for n in range(20)])
    validate_tags([])


@pytest.mark.parametrize("color", ["red", "#12345", "#1234567", "123456", "#GGGGGG"])
def test_validate_color_refuses(color):
    with pytest.raises(ValidationError):
        validate_color(color)


def test_full_clean_applies_the_field_validators(columns, task):
    column = columns["To Do"]
    column.color = "blue"
    with pytest.raises(ValidationError) as refused:
        column.full_clean()
    assert "color" in refused.value.message_dict
    task.tags = ["a", "a"]
    with pytest.raises(ValidationError) as refused:
        task.full_clean()
    assert "tags" in refused.value.message_dict


# Per-user querysets: the project's owner, nobody else


def test_visible_to_is_the_owners_rows_only(task, owner, other_user):
    comment = KanbanTaskCommentFactory(task=task)
    note = ProjectNoteFactory(project=task.board.project)
    KanbanTaskCommentFactory()  # someone else's board, task and comment
    ProjectNoteFactory()
    expected = {
        KanbanBoard: {task.board_id},
        KanbanColumn: set(task.board.columns.values_list("pk", flat=True)),
        KanbanTask: {task.pk},
        KanbanTaskComment: {comment.pk},
        ProjectNote: {note.pk},
    }
    for model, rows in expected.items():
        assert set(model.objects.visible_to(owner).values_list("pk", flat=True)) == rows
        assert not model.objects.visible_to(other_user).filter(pk__in=rows).exists()
        assert not model.objects.visible_to(AnonymousUser()).exists()


def test_every_kanban_model_is_covered_here():
    models = domain_models("kanban")
    assert models == {KanbanBoard, KanbanColumn, KanbanTask, KanbanTaskComment, ProjectNote}


def test_default_board_factory(db):
    board = KanbanBoardFactory()
    assert board.columns.count() == 5
