"""Kanban API routes under /api/v1/projects/{pid}/ (API.md §9.6).

Every id is a UUID path converter, so a malformed id is an unrouted 404 before any view runs.
"""

from django.urls import path, register_converter
from rest_framework.routers import SimpleRouter

from kanban.views import (
    KanbanBoardView,
    KanbanColumnViewSet,
    KanbanTaskCommentViewSet,
    KanbanTaskViewSet,
    ProjectNoteView,
)

BOARD = "projects/<uuid:pid>/board"


class TaskReferenceConverter:
    """A task's reference on its board, `TSK-0007` (KAN-7)."""

    regex = "TSK-[0-9]{1,9}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(TaskReferenceConverter, "taskref")

router = SimpleRouter(use_regex_path=False)
router.register(f"{BOARD}/columns", KanbanColumnViewSet, basename="kanban-column")
router.register(f"{BOARD}/tasks", KanbanTaskViewSet, basename="kanban-task")
router.register(
    f"{BOARD}/tasks/<uuid:id>/comments", KanbanTaskCommentViewSet, basename="kanban-comment"
)

urlpatterns = [
    path(f"{BOARD}/", KanbanBoardView.as_view(), name="kanban-board"),
    path("projects/<uuid:pid>/note/", ProjectNoteView.as_view(), name="kanban-note"),
    *router.urls,
]
