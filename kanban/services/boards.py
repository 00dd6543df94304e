"""Boards and their columns: KAN-1, KAN-3, KAN-5 (limits), KAN-6, KAN-8, and the repair of
KAN-3/KAN-4 that admin offers."""

from itertools import groupby
from operator import attrgetter

from django.db import IntegrityError, transaction
from django.db.models.functions import Now
from django.utils import timezone

from config.exceptions import AlreadyExists, NotFound, require, violated_unique_fields
from kanban.errors import ColumnNotEmpty, InvalidInput, WipLimitReached
from kanban.models import KanbanBoard, KanbanColumn, KanbanTask, TaskStatus
from kanban.permissions import CHANGE_BOARD, user_can_write_board
from kanban.services.common import (
    clamp,
    close_gap,
    columns_of,
    lock_board,
    only_fields,
    open_gap,
    reorder,
    tasks_in,
)

# KAN-1: the columns of a new board, in position order.
DEFAULT_COLUMNS = (
    ("Backlog", {"is_backlog": True}),
    ("To Do", {}),
    ("In Progress", {}),
    ("Review", {}),
    ("Done", {"is_completed": True}),
)
BOARD_FIELDS = frozenset({"name", "description", "settings"})
COLUMN_FIELDS = frozenset(
    {"name", "description", "color", "is_backlog", "is_completed", "task_limit"}
)


@transaction.atomic
def board_get_or_create(*, actor, project):
    """KAN-1: the project's board, created with the default columns on first use.

    When two first uses race, the one-to-one lets one insert win; the other's insert fails
    inside its savepoint, and it re-reads the winner's board (committed by then, since the
    insert waited for it on the unique index).
    """
    require(user_can_write_board(actor, owner_id=project.owner_id, permission=CHANGE_BOARD))
    board = KanbanBoard.objects.filter(project=project).first()
    if board is not None:
        return board
    try:
        with transaction.atomic():
            board = KanbanBoard.objects.create(project=project, name=f"{project.name} Board")
            KanbanColumn.objects.bulk_create(
                KanbanColumn(board=board, name=name, position=position, **flags)
                for position, (name, flags) in enumerate(DEFAULT_COLUMNS)
            )
    except IntegrityError as exc:
        if violated_unique_fields(exc) != ["project"]:
            raise
        board = KanbanBoard.objects.get(project=project)
    return board


@transaction.atomic
def board_update(*, actor, board, changes):
    """The board's own fields: name, description, settings."""
    only_fields(changes, BOARD_FIELDS)
    lock_board(actor=actor, board_id=board.pk, permission=CHANGE_BOARD)
    if changes:
        KanbanBoard.objects.filter(pk=board.pk).update(**changes, updated_at=Now())


@transaction.atomic
def board_renumber(*, actor, board):
    """Restores KAN-3 and KAN-4 after hand edits: positions dense from 0, order kept.

    Ties (which hand edits cannot commit, the constraints being unique) and gaps resolve in
    the current order, then by creation for columns and by reference number for tasks.
    Returns how many rows moved.
    """
    lock_board(actor=actor, board_id=board.pk, permission=CHANGE_BOARD)
    now = timezone.now()
    columns = columns_of(board.pk).order_by("position", "created_at", "id").only("id", "position")
    moved_columns = _renumbered(columns, now)
    KanbanColumn.objects.bulk_update(moved_columns, ["position", "updated_at"])
    tasks = (
        KanbanTask.objects.filter(board_id=board.pk)
        .order_by("column_id", "position", "ref_number")
        .only("id", "column_id", "position")
    )
    moved_tasks = []
    for _, column_tasks in groupby(tasks, key=attrgetter("column_id")):
        moved_tasks += _renumbered(column_tasks, now)
    KanbanTask.objects.bulk_update(moved_tasks, ["position", "updated_at"])
    return len(moved_columns) + len(moved_tasks)


def _renumbered(rows, now):
    """The rows whose position differs from their index, given their index as position."""
    moved = []
    for index, row in enumerate(rows):
        if row.position != index:
            row.position, row.updated_at = index, now
            moved.append(row)
    return moved


# Columns


def _require_single_role(is_backlog, is_completed):
    if is_backlog and is_completed:
        raise InvalidInput(
            fields={"non_field_errors": ["A column is the backlog or the completed one, not both."]}
        )


def _require_free_name(board_id, name, *, column_id=None):
    taken = columns_of(board_id).filter(name=name).exclude(pk=column_id).exists()
    if taken:
        raise AlreadyExists(fields={"name": ["This board already has a column with this name."]})


def _clear_backlog(board_id, *, keep=None):
    """KAN-6: the backlog flag leaves every other column of the board."""
    columns_of(board_id).filter(is_backlog=True).exclude(pk=keep).update(
        is_backlog=False, updated_at=Now()
    )


def _clear_completed(board_id, *, keep=None):
    """KAN-6: the completed flag leaves every other column, whose tasks reopen (KAN-9)."""
    losing = columns_of(board_id).filter(is_completed=True).exclude(pk=keep)
    KanbanTask.objects.filter(column__in=losing).update(
        status=TaskStatus.OPEN, completed_at=None, updated_at=Now()
    )
    losing.update(is_completed=False, updated_at=Now())


def _complete_tasks(column_id):
    """KAN-9: the tasks of the completed column are done, since when they got there."""
    tasks_in(column_id).exclude(status=TaskStatus.DONE).update(
        status=TaskStatus.DONE, completed_at=Now(), updated_at=Now()
    )


def _reopen_tasks(column_id):
    tasks_in(column_id).update(status=TaskStatus.OPEN, completed_at=None, updated_at=Now())


@transaction.atomic
def column_create(
    *,
    actor,
    board,
    name,
    description="",
    color="",
    is_backlog=False,
    is_completed=False,
    task_limit=None,
    position=None,
):
    """KAN-3: a new column at `position` (by default the end), clamped to [0, n]; the columns
    from there on shift up by one. KAN-6: a flag it takes leaves the other columns."""
    _require_single_role(is_backlog, is_completed)
    lock_board(actor=actor, board_id=board.pk, permission=CHANGE_BOARD)
    _require_free_name(board.pk, name)
    count = columns_of(board.pk).count()
    position = clamp(count if position is None else position, count)
    open_gap(columns_of(board.pk), position)
    if is_backlog:
        _clear_backlog(board.pk)
    if is_completed:
        _clear_completed(board.pk)
    return KanbanColumn.objects.create(
        board_id=board.pk,
        name=name,
        description=description,
        color=color,
        is_backlog=is_backlog,
        is_completed=is_completed,
        task_limit=task_limit,
        position=position,
    )


@transaction.atomic
def column_update(*, actor, column, changes):
    """The column's fields, with KAN-5 (a limit below the current count is 409) and KAN-6
    (a flag moves from the column that had it; completion follows the completed flag)."""
    only_fields(changes, COLUMN_FIELDS)
    lock_board(actor=actor, board_id=column.board_id, permission=CHANGE_BOARD)
    current = (
        columns_of(column.board_id)
        .filter(pk=column.pk)
        .values("is_backlog", "is_completed")
        .first()
    )
    if current is None:
        raise NotFound()
    is_backlog = changes.get("is_backlog", current["is_backlog"])
    is_completed = changes.get("is_completed", current["is_completed"])
    _require_single_role(is_backlog, is_completed)
    if "name" in changes:
        _require_free_name(column.board_id, changes["name"], column_id=column.pk)
    if changes.get("task_limit") is not None:
        held = tasks_in(column.pk).count()
        if changes["task_limit"] < held:
            raise WipLimitReached(f"This column holds {held} tasks; set a limit of at least that.")
    if is_backlog and not current["is_backlog"]:
        _clear_backlog(column.board_id, keep=column.pk)
    if is_completed and not current["is_completed"]:
        _clear_completed(column.board_id, keep=column.pk)
    if changes:
        KanbanColumn.objects.filter(pk=column.pk).update(**changes, updated_at=Now())
    if is_completed and not current["is_completed"]:
        _complete_tasks(column.pk)
    elif current["is_completed"] and not is_completed:
        _reopen_tasks(column.pk)


@transaction.atomic
def column_move(*, actor, column, position):
    """KAN-3: the column goes to `position`, clamped to [0, n-1]; the columns in between
    shift by one. Returns every column of the board as `{id, position}`, in order."""
    lock_board(actor=actor, board_id=column.board_id, permission=CHANGE_BOARD)
    columns = columns_of(column.board_id)
    old = columns.filter(pk=column.pk).values_list("position", flat=True).first()
    if old is None:
        raise NotFound()
    new = clamp(position, columns.count() - 1)
    if new != old:
        reorder(columns, old, new)
        columns.filter(pk=column.pk).update(position=new, updated_at=Now())
    return list(columns.order_by("position").values("id", "position"))


@transaction.atomic
def column_delete(*, actor, column):
    """KAN-8: only an empty column is deleted; KAN-3: the columns after it close the gap."""
    lock_board(actor=actor, board_id=column.board_id, permission=CHANGE_BOARD)
    columns = columns_of(column.board_id)
    position = columns.filter(pk=column.pk).values_list("position", flat=True).first()
    if position is None:
        raise NotFound()
    if tasks_in(column.pk).exists():
        raise ColumnNotEmpty()
    columns.filter(pk=column.pk).delete()
    close_gap(columns, position)
