"""URLs of the kanban API and assertions shared by the kanban tests."""

from itertools import groupby

from kanban.models import KanbanColumn, KanbanTask

API = "/api/v1/projects"


def board_url(project, suffix=""):
    return f"{API}/{getattr(project, 'pk', project)}/board/{suffix}"


def note_url(project):
    return f"{API}/{getattr(project, 'pk', project)}/note/"


def column_url(column, suffix=""):
    return board_url(column.board.project_id, f"columns/{column.pk}/{suffix}")


def task_url(task, suffix=""):
    return board_url(task.board.project_id, f"tasks/{task.pk}/{suffix}")


def comment_url(comment, suffix=""):
    return task_url(comment.task, f"comments/{comment.pk}/{suffix}")


def snapshot(*models):
    """Every row of `models` as plain values, to show a refused request changed nothing."""
    return [sorted(model.objects.values_list(), key=str) for model in models]


def column_positions(board):
    return list(
        KanbanColumn.objects.filter(board=board)
        .order_by("position")
        .values_list("position", flat=True)
    )


def task_layout(board):
    """`{column name: [task titles in position order]}` for every column of the board."""
    layout = {column.name: [] for column in KanbanColumn.objects.filter(board=board)}
    tasks = KanbanTask.objects.filter(board=board).order_by("column__position", "position")
    for name, rows in groupby(tasks.values_list("column__name", "title"), key=lambda row: row[0]):
        layout[name] = [title for _, title in rows]
    return layout


def assert_dense(board):
    """KAN-3 and KAN-4: columns, and each column's tasks, are at positions 0 … n-1."""
    assert column_positions(board) == list(range(len(column_positions(board))))
    tasks = KanbanTask.objects.filter(board=board).order_by("column_id", "position")
    for _, rows in groupby(tasks.values_list("column_id", "position"), key=lambda row: row[0]):
        positions = [position for _, position in rows]
        assert positions == list(range(len(positions))), positions
