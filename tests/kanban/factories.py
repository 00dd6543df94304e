"""Kanban rows in valid default states, made through the services wherever a rule decides a
field (default columns, positions, reference numbers, completion)."""

import factory

from kanban import services
from kanban.models import KanbanBoard, KanbanColumn, KanbanTask, KanbanTaskComment, ProjectNote
from tests.projects.factories import ProjectFactory


def owner_of(board):
    return board.project.owner


class KanbanBoardFactory(factory.django.DjangoModelFactory):
    """A project's board with the five default columns of KAN-1."""

    class Meta:
        model = KanbanBoard

    project = factory.SubFactory(ProjectFactory)

    @classmethod
    def _create(cls, model_class, project):
        return services.board_get_or_create(actor=project.owner, project=project)


class KanbanColumnFactory(factory.django.DjangoModelFactory):
    """An extra column at the end of a board."""

    class Meta:
        model = KanbanColumn

    board = factory.SubFactory(KanbanBoardFactory)
    name = factory.Sequence(lambda n: f"Column {n}")

    @classmethod
    def _create(cls, model_class, board, **fields):
        return services.column_create(actor=owner_of(board), board=board, **fields)


class KanbanTaskFactory(factory.django.DjangoModelFactory):
    """A task at the end of a column (by default the "To Do" column of a new board)."""

    class Meta:
        model = KanbanTask

    class Params:
        board = None

    column = factory.LazyAttribute(
        lambda task: (task.board or KanbanBoardFactory()).columns.get(name="To Do")
    )
    title = factory.Sequence(lambda n: f"Task {n}")

    @classmethod
    def _create(cls, model_class, column, **fields):
        board = column.board
        return services.task_create(actor=owner_of(board), board=board, column=column, **fields)


class KanbanTaskCommentFactory(factory.django.DjangoModelFactory):
    """A comment by the project's owner (pass `user` for someone else's)."""

    class Meta:
        model = KanbanTaskComment

    task = factory.SubFactory(KanbanTaskFactory)
    user = factory.LazyAttribute(lambda comment: owner_of(comment.task.board))
    content = factory.Sequence(lambda n: f"Comment {n}")


class ProjectNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectNote

    project = factory.SubFactory(ProjectFactory)
    content = "<p>Launch checklist</p>"
