"""Tasks and their comments: KAN-4, KAN-5, KAN-7, KAN-9 to KAN-13."""

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Now
from django.utils import timezone

from config.exceptions import NotFound, StaleVersion, require
from kanban.errors import InvalidInput, WipLimitReached
from kanban.models import (
    EditableTaskStatus,
    KanbanBoard,
    KanbanTask,
    KanbanTaskComment,
    TaskPriority,
    TaskStatus,
    TaskType,
)
from kanban.permissions import (
    ADD_TASK,
    CHANGE_TASK,
    DELETE_TASK,
    user_is_comment_author,
)
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
from projects.permissions import user_owns_project

TASK_FIELDS = frozenset(
    {"title", "description", "status", "priority", "task_type", "assignee", "due_date", "tags"}
)


def _target_column(column, board_id):
    """KAN-12: the column's limit and role, if it is a column of this board.

    The error is the same whether the column is on another board or nowhere, so it reveals
    nothing about other boards.
    """
    target = columns_of(board_id).filter(pk=column.pk).values("task_limit", "is_completed").first()
    if target is None:
        raise InvalidInput(fields={"column": ["Choose a column of this board."]})
    return target


def _require_room(target, held):
    """KAN-5: a column never takes more tasks than its limit."""
    if target["task_limit"] is not None and held >= target["task_limit"]:
        raise WipLimitReached()


def _require_assignable(assignee, owner_id):
    """KAN-10: the project's owner or nobody (projects have a single owner)."""
    if assignee is not None and assignee.pk != owner_id:
        raise InvalidInput(fields={"assignee": ["Only the project's owner can be assigned."]})


@transaction.atomic
def task_create(
    *,
    actor,
    board,
    column,
    title,
    description="",
    priority=TaskPriority.MEDIUM,
    task_type=TaskType.TASK,
    assignee=None,
    due_date=None,
    tags=(),
    position=None,
):
    """A new task in `column` of `board`, reported by the actor.

    KAN-12 the column is the board's; KAN-5 it has room; KAN-4 the task goes at `position`
    (by default the end), clamped to [0, n], and later tasks shift up; KAN-7 it takes the
    board's next reference number; KAN-9 a task created in the completed column is done.
    """
    locked = lock_board(actor=actor, board_id=board.pk, permission=ADD_TASK)
    target = _target_column(column, board.pk)
    _require_assignable(assignee, locked.owner_id)
    held = tasks_in(column.pk).count()
    _require_room(target, held)
    position = clamp(held if position is None else position, held)
    open_gap(tasks_in(column.pk), position)
    KanbanBoard.objects.filter(pk=board.pk).update(task_counter=F("task_counter") + 1)
    done = target["is_completed"]
    return KanbanTask.objects.create(
        board_id=board.pk,
        column_id=column.pk,
        ref_number=locked.task_counter + 1,  # what the F() increment stored, under the lock
        title=title,
        description=description,
        position=position,
        status=TaskStatus.DONE if done else TaskStatus.OPEN,
        completed_at=timezone.now() if done else None,
        priority=priority,
        task_type=task_type,
        assignee=assignee,
        reporter=actor,
        due_date=due_date,
        tags=list(tags),
    )


@transaction.atomic
def task_update(*, actor, task, changes, version=None):
    """A task's details. KAN-9 `status` takes `open`, `blocked` or `review`, and only outside
    the completed column; KAN-10 the assignee; KAN-11 a `version` that is not the stored one
    is 409 `stale_version`. Every change increments `version`."""
    only_fields(changes, TASK_FIELDS)
    locked = lock_board(actor=actor, board_id=task.board_id, permission=CHANGE_TASK)
    in_completed_column = (
        KanbanTask.objects.filter(pk=task.pk).values_list("column__is_completed", flat=True).first()
    )
    if in_completed_column is None:
        raise NotFound()
    if "status" in changes:
        if changes["status"] not in EditableTaskStatus.values:
            raise InvalidInput(fields={"status": ["Set open, blocked or review; move to finish."]})
        if in_completed_column:
            raise InvalidInput(
                fields={"status": ["A task in the completed column is done; move it out first."]}
            )
    if "assignee" in changes:
        _require_assignable(changes["assignee"], locked.owner_id)
    tasks = KanbanTask.objects.filter(pk=task.pk)
    if version is not None:
        tasks = tasks.filter(version=version)
    if not changes:
        if not tasks.exists():
            raise StaleVersion()
        return
    if not tasks.update(**changes, version=F("version") + 1, updated_at=Now()):
        raise StaleVersion()


@transaction.atomic
def task_move(*, actor, task, column, position):
    """KAN-4: the task goes to `position` of `column` and its neighbours shift.

    Within its column, the position is clamped to [0, n-1] and always allowed. Into another
    column: KAN-12 the column is the board's, KAN-5 it has room, the source column closes its
    gap, the position is clamped to [0, n of the target], and KAN-9 completion follows the
    completed column. A move leaves `version` alone (KAN-11).
    """
    lock_board(actor=actor, board_id=task.board_id, permission=CHANGE_TASK)
    current = (
        KanbanTask.objects.filter(pk=task.pk)
        .values("column_id", "position", "column__is_completed")
        .first()
    )
    if current is None:
        raise NotFound()
    target = _target_column(column, task.board_id)
    source_id, old = current["column_id"], current["position"]
    if column.pk == source_id:
        new = clamp(position, tasks_in(column.pk).count() - 1)
        if new != old:
            reorder(tasks_in(column.pk), old, new)
            KanbanTask.objects.filter(pk=task.pk).update(position=new, updated_at=Now())
        return
    held = tasks_in(column.pk).count()
    _require_room(target, held)
    close_gap(tasks_in(source_id), old)
    new = clamp(position, held)
    open_gap(tasks_in(column.pk), new)
    completion = {}
    if target["is_completed"]:
        completion = {"status": TaskStatus.DONE, "completed_at": Now()}
    elif current["column__is_completed"]:
        completion = {"status": TaskStatus.OPEN, "completed_at": None}
    KanbanTask.objects.filter(pk=task.pk).update(
        column_id=column.pk, position=new, **completion, updated_at=Now()
    )


@transaction.atomic
def task_delete(*, actor, task):
    """KAN-4: the task and its comments go; the tasks after it close the gap. Its reference
    number is not reused (KAN-7)."""
    lock_board(actor=actor, board_id=task.board_id, permission=DELETE_TASK)
    current = KanbanTask.objects.filter(pk=task.pk).values("column_id", "position").first()
    if current is None:
        raise NotFound()
    KanbanTask.objects.filter(pk=task.pk).delete()
    close_gap(tasks_in(current["column_id"]), current["position"])


# Comments


@transaction.atomic
def task_comment_create(*, actor, task, content):
    """A comment by the actor on a task of their project.

    The task row is locked while the comment is added, so a task deleted meanwhile is a 404
    rather than a broken foreign key.
    """
    owner_id = (
        KanbanTask.objects.select_for_update(no_key=True, of=("self",))
        .filter(pk=task.pk)
        .values_list("board__project__owner_id", flat=True)
        .first()
    )
    if owner_id is None:
        raise NotFound()
    require(user_owns_project(actor, owner_id))
    return KanbanTaskComment.objects.create(task_id=task.pk, user=actor, content=content)


@transaction.atomic
def task_comment_update(*, actor, comment, content):
    """KAN-13: only the author edits a comment."""
    require(user_is_comment_author(actor, comment))
    if not KanbanTaskComment.objects.filter(pk=comment.pk).update(
        content=content, updated_at=Now()
    ):
        raise NotFound()


@transaction.atomic
def task_comment_delete(*, actor, comment):
    """KAN-13: only the author deletes a comment."""
    require(user_is_comment_author(actor, comment))
    KanbanTaskComment.objects.filter(pk=comment.pk).delete()
