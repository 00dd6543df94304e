"""What every kanban service shares: the board lock (KAN-2) and the
position steps (KAN-3, KAN-4)."""

from typing import NamedTuple

from django.db.models import F
from django.db.models.functions import Now

from config.exceptions import NotFound, require
from kanban.models import KanbanBoard, KanbanColumn, KanbanTask
from kanban.permissions import user_can_write_board


def only_fields(changes, allowed):
    if not set(changes) <= allowed:
        raise ValueError(f"Not editable: {sorted(set(changes) - allowed)}")


def clamp(position, highest):
    return max(0, min(position, highest))


class LockedBoard(NamedTuple):
    """What a service reads of the board it has locked."""

    owner_id: object
    task_counter: int


def lock_board(*, actor, board_id, permission):
    """KAN-2: locks the board row for this transaction, after which the actor's right and
    everything else about the board is read as it stands.

    FOR NO KEY UPDATE (the board's key never changes): it queues every other writer of this
    board, but not the foreign-key checks of rows that merely point at it. Only the board row
    is locked, not the project joined for its owner.
    """
    row = (
        KanbanBoard.objects.select_for_update(no_key=True, of=("self",))
        .filter(pk=board_id)
        .values_list("project__owner_id", "task_counter")
        .first()
    )
    if row is None:
        raise NotFound()
    board = LockedBoard(*row)
    require(user_can_write_board(actor, owner_id=board.owner_id, permission=permission))
    return board


# Position steps (KAN-3, KAN-4). `rows` are the siblings: one board's columns or one column's
# tasks. Every step touches visible state, so it also moves `updated_at`.


def open_gap(rows, position):
    rows.filter(position__gte=position).update(position=F("position") + 1, updated_at=Now())


def close_gap(rows, position):
    rows.filter(position__gt=position).update(position=F("position") - 1, updated_at=Now())


def reorder(rows, old, new):
    """Shifts the rows between `old` and `new` by one toward `old`, freeing `new`."""
    if new < old:
        rows.filter(position__gte=new, position__lt=old).update(
            position=F("position") + 1, updated_at=Now()
        )
    elif new > old:
        rows.filter(position__gt=old, position__lte=new).update(
            position=F("position") - 1, updated_at=Now()
        )


def columns_of(board_id):
    return KanbanColumn.objects.filter(board_id=board_id)


def tasks_in(column_id):
    return KanbanTask.objects.filter(column_id=column_id)
