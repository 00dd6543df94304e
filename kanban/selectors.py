"""Reads of the kanban app that are more than a `visible_to(user)`: the board (W4).

Every column list is derived from the serializer whose output it builds, so a field added to
a model and its serializer is read here too; the fields a serializer nests or computes are
named beside it (`*_COMPUTED`) and built from their own columns.
"""

from django.db.models import Prefetch

from accounts.serializers import UserSummarySerializer
from config.api import related_columns, row_with, serializer_columns
from kanban.models import KanbanColumn, KanbanTask, task_reference
from kanban.serializers import (
    KanbanBoardColumnSerializer,
    KanbanBoardSerializer,
    KanbanBoardTaskSerializer,
)

BOARD_FIELDS = serializer_columns(KanbanBoardSerializer, computed=("columns",))
BOARD_COLUMN_FIELDS = serializer_columns(
    KanbanBoardColumnSerializer, computed=("task_count", "tasks")
)
TASK_FIELDS = serializer_columns(KanbanBoardTaskSerializer, computed=("reference", "assignee"))
ASSIGNEE_FIELDS = related_columns(UserSummarySerializer, "assignee")
# What a task card reads (no description: it may hold 50,000 characters): its plain columns,
# the number its reference is made of, its column, and its assignee's summary.
TASK_COLUMNS = (
    *(column for _, column in TASK_FIELDS if column is not None),
    "ref_number",
    "column_id",
    *(column for _, column in ASSIGNEE_FIELDS),
)


def board_prefetches():
    """The board's columns, then all their tasks with assignees: two queries in all, for
    KanbanBoardSerializer (the response to a write)."""
    tasks = (
        KanbanTask.objects.select_related("assignee")
        .only("assignee", *TASK_COLUMNS)
        .order_by("position")
    )
    columns = KanbanColumn.objects.order_by("position").prefetch_related(
        Prefetch("tasks", queryset=tasks)
    )
    return [Prefetch("columns", queryset=columns)]


def task_card(row):
    """KanbanBoardTaskSerializer's output for one `.values()` row of `TASK_COLUMNS`."""
    assignee = None if row["assignee__id"] is None else row_with(ASSIGNEE_FIELDS, row, {})
    computed = {"reference": task_reference(row["ref_number"]), "assignee": assignee}
    return row_with(TASK_FIELDS, row, computed)


def board_representation(board):
    """KanbanBoardSerializer's output for `board`, in two queries (the columns, then their
    tasks with assignees), from `.values()` rows rather than model instances and nested
    serializers: on a board of hundreds of tasks those were most of the request's time (W4).
    UUIDs and datetimes are left to the orjson renderer, which writes them as DRF would;
    tests/kanban pins the JSON to the serializer's."""
    plain_columns = (column for _, column in BOARD_COLUMN_FIELDS if column is not None)
    column_rows = list(board.columns.order_by("position").values(*plain_columns))
    tasks_of = {row["id"]: [] for row in column_rows}
    task_rows = (
        KanbanTask.objects.filter(column_id__in=list(tasks_of))
        .order_by("position")
        .values(*TASK_COLUMNS)
    )
    for row in task_rows:
        tasks_of[row["column_id"]].append(task_card(row))
    columns = [
        row_with(
            BOARD_COLUMN_FIELDS,
            row,
            {"task_count": len(tasks_of[row["id"]]), "tasks": tasks_of[row["id"]]},
        )
        for row in column_rows
    ]
    return {
        key: columns if column is None else getattr(board, column) for key, column in BOARD_FIELDS
    }
