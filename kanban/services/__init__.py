"""Every write of the kanban domain (DATA_MODEL.md §7, KAN-*), called by the API and admin alike.

KAN-2: a write to a board's columns or tasks first locks the board row (`lock_board`), so
positions, reference numbers, WIP limits and column flags are decided one request at a time per
board, from rows re-read under that lock. Each position step is one
`UPDATE … SET position = position ± 1`; the unique (column, position) and (board, position)
constraints are deferred to commit, so those steps may pass through duplicates. Free-text edits
of a task and of the note also carry the optimistic `version` (KAN-11, DATA_MODEL.md §1.7).

Each service takes keyword-only arguments and the acting user, runs in one transaction and
checks the actor's right itself (`kanban.permissions`), so admin and API cannot drift apart.
"""

from kanban.services.boards import (
    board_get_or_create,
    board_renumber,
    board_update,
    column_create,
    column_delete,
    column_move,
    column_update,
)
from kanban.services.notes import note_get_or_create, note_update
from kanban.services.tasks import (
    task_comment_create,
    task_comment_delete,
    task_comment_update,
    task_create,
    task_delete,
    task_move,
    task_update,
)

__all__ = [
    "board_get_or_create",
    "board_renumber",
    "board_update",
    "column_create",
    "column_delete",
    "column_move",
    "column_update",
    "note_get_or_create",
    "note_update",
    "task_comment_create",
    "task_comment_delete",
    "task_comment_update",
    "task_create",
    "task_delete",
    "task_move",
    "task_update",
]
