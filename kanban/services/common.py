"""What every kanban service shares: the domain errors, the board lock (KAN-2) and the
position steps (KAN-3, KAN-4)."""

from typing import NamedTuple

from django.db.models import F
from django.db.models.functions import Now
from rest_framework import status as http

from config.exceptions import DomainError
from kanban.models import KanbanBoard, KanbanColumn, KanbanTask
from kanban.permissions import user_can_write_board


class NotAllowed(DomainError):
    status = http.HTTP_403_FORBIDDEN
    code = "permission_denied"
    message = "You do not have permission to perform this action."


class NotFound(DomainError):
    status = http.HTTP_404_NOT_FOUND
    code = "not_found"
    message = "Not found."


class InvalidInput(DomainError):
    """A rule that needs the database to decide, broken by the input (400, per field)."""


class WipLimitReached(DomainError):
    status = http.HTTP_409_CONFLICT
    code = "wip_limit_reached"
    message = "This column already holds as many tasks as its limit allows."


class ColumnNotEmpty(DomainError):
    status = http.HTTP_409_CONFLICT
    code = "column_not_empty"
    message = "Move or delete this column's tasks before deleting it."


def require(allowed):
    if not allowed:
        raise NotAllowed()


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
