"""The kanban API (API.md §9.6): a project's board, columns, tasks, comments and note.

Every route sits under `projects/{pid}/`. The project is looked up through
`Project.objects.visible_to(user)` (its owner only), and every row under it through its own
model's `visible_to(user)` narrowed to that project's board, also in nested routes and related
ids, so another user's row is a 404 before any 403. The board is created on first use (KAN-1),
the note likewise (KAN-14). Writes go through `kanban.services`; each response is the row
re-read through `get_queryset()`.
"""

from django.db.models import Count
from django.utils.functional import cached_property
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from config.api import (
    GenericAPIView,
    ShapesMixin,
    StudioViewSet,
)
from kanban import services
from kanban.filters import KanbanTaskFilter
from kanban.models import KanbanBoard, KanbanColumn, KanbanTask, KanbanTaskComment, ProjectNote
from kanban.permissions import IsCommentAuthor
from kanban.selectors import board_prefetches, board_representation
from kanban.serializers import (
    INTEGER_MAX,
    KanbanBoardSerializer,
    KanbanBoardWriteSerializer,
    KanbanColumnCreateSerializer,
    KanbanColumnMoveSerializer,
    KanbanColumnPositionSerializer,
    KanbanColumnSerializer,
    KanbanColumnUpdateSerializer,
    KanbanTaskCommentSerializer,
    KanbanTaskCommentWriteSerializer,
    KanbanTaskCreateSerializer,
    KanbanTaskMoveSerializer,
    KanbanTaskSerializer,
    KanbanTaskUpdateSerializer,
    ProjectNoteSerializer,
    ProjectNoteWriteSerializer,
)
from projects.views.base import ProjectInUrlMixin

# The default order of the task list: the board's order, by column, then place in it.
TASK_LIST_ORDER = ("column__position", "position", "id")
# A move that names no position: the service clamps it to the end of the column (KAN-4).
END_OF_COLUMN = INTEGER_MAX


class ProjectScopedMixin(ProjectInUrlMixin, ShapesMixin):
    """The project in the URL (`pid`), as its owner sees it, with one related row joined
    (`project_related`: the board or the note) so a request pays one query for both."""

    project_fields = ("id", "owner_id", "name")


class BoardScopedMixin(ProjectScopedMixin):
    """Routes under `projects/{pid}/board/`: the project's board, created on first use."""

    project_related = "kanban_board"

    @cached_property
    def board(self):
        board = getattr(self.project, "kanban_board", None)
        return board or services.board_get_or_create(actor=self.request.user, project=self.project)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):  # schema generation has no project
            context.update(project=self.project, board=self.board)
        return context


class BoardChildViewSet(BoardScopedMixin, StudioViewSet):
    """Rows of the board (columns, tasks, comments)."""

    lookup_url_kwarg = "id"


@extend_schema_view(
    get=extend_schema(summary="The board with its columns and tasks; created on first use"),
    patch=extend_schema(
        summary="Rename or describe the board, or change its settings",
        request=KanbanBoardWriteSerializer,
        responses={200: KanbanBoardSerializer},
    ),
)
class KanbanBoardView(BoardScopedMixin, GenericAPIView):
    """The project's board (KAN-1): columns in position order, each with its tasks in position
    order. Three queries whatever the board holds (W4)."""

    serializer_class = KanbanBoardSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_serializer_class(self):
        return (
            KanbanBoardWriteSerializer if self.request.method == "PATCH" else KanbanBoardSerializer
        )

    def get_queryset(self):
        return KanbanBoard.objects.visible_to(self.request.user).prefetch_related(
            *board_prefetches()
        )

    def get_object(self):
        return self.board

    def get(self, request, pid):
        # The board came with the project; only its columns and tasks remain to be read.
        return Response(board_representation(self.get_object()))

    def patch(self, request, pid):
        board = self.get_object()
        services.board_update(
            actor=request.user, board=board, changes=self.validated(instance=board)
        )
        return self.read(board)


@extend_schema_view(
    create=extend_schema(
        summary="Add a column (KAN-3, KAN-6)",
        request=KanbanColumnCreateSerializer,
        responses={201: KanbanColumnSerializer},
    ),
    partial_update=extend_schema(
        summary="Change a column: name, colour, flags (KAN-6) or WIP limit (KAN-5)",
        request=KanbanColumnUpdateSerializer,
        responses={200: KanbanColumnSerializer},
    ),
    destroy=extend_schema(summary="Delete an empty column (KAN-8)", responses={204: None}),
)
class KanbanColumnViewSet(BoardChildViewSet):
    """The board's columns. They are read with the board; here they are added, changed,
    reordered and deleted. Names are unique in the board (409 `already_exists`)."""

    serializer_class = KanbanColumnSerializer
    write_serializers = {
        "create": KanbanColumnCreateSerializer,
        "partial_update": KanbanColumnUpdateSerializer,
        "move": KanbanColumnMoveSerializer,
    }
    http_method_names = ["post", "patch", "delete", "options"]
    pagination_class = None  # no list: the columns are read with the board

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return KanbanColumn.objects.none()
        return (
            KanbanColumn.objects.visible_to(self.request.user)
            .filter(board=self.board)
            .annotate(task_count=Count("tasks"))
        )

    def create(self, request, pid):
        column = services.column_create(actor=request.user, board=self.board, **self.validated())
        return self.read(column, status.HTTP_201_CREATED)

    def partial_update(self, request, pid, id):
        column = self.get_object()
        changes = self.validated(instance=column)
        services.column_update(actor=request.user, column=column, changes=changes)
        return self.read(column)

    def destroy(self, request, pid, id):
        services.column_delete(actor=request.user, column=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Move a column to another position (KAN-3)",
        request=KanbanColumnMoveSerializer,
        responses={200: KanbanColumnPositionSerializer(many=True)},
    )
    @action(detail=True, methods=["post"])
    def move(self, request, pid, id):
        column = self.get_object()
        positions = services.column_move(
            actor=request.user, column=column, position=self.validated()["position"]
        )
        return Response(KanbanColumnPositionSerializer(positions, many=True).data)


@extend_schema_view(
    list=extend_schema(summary="The board's tasks, filtered, searched and ordered"),
    retrieve=extend_schema(summary="One task with its details"),
    create=extend_schema(
        summary="Add a task to a column (KAN-4, KAN-5, KAN-7, KAN-12)",
        request=KanbanTaskCreateSerializer,
        responses={201: KanbanTaskSerializer},
    ),
    partial_update=extend_schema(
        summary="Edit a task (KAN-9, KAN-10, KAN-11)",
        request=KanbanTaskUpdateSerializer,
        responses={200: KanbanTaskSerializer},
    ),
    destroy=extend_schema(summary="Delete a task (KAN-4)", responses={204: None}),
)
class KanbanTaskViewSet(mixins.ListModelMixin, BoardChildViewSet):
    """The board's tasks. `column` and `position` are set on create and change through
    `move`; a full column is 409 `wip_limit_reached`; an edit with a stale `version` is 409
    `stale_version`."""

    serializer_class = KanbanTaskSerializer
    filterset_class = KanbanTaskFilter
    write_serializers = {
        "create": KanbanTaskCreateSerializer,
        "partial_update": KanbanTaskUpdateSerializer,
        "move": KanbanTaskMoveSerializer,
    }
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return KanbanTask.objects.none()
        return (
            KanbanTask.objects.visible_to(self.request.user)
            .filter(board=self.board)
            .select_related("assignee", "reporter")
            .order_by(*TASK_LIST_ORDER)
        )

    def retrieve(self, request, pid, id):
        return self.respond(self.get_object())

    def create(self, request, pid):
        task = services.task_create(actor=request.user, board=self.board, **self.validated())
        return self.read(task, status.HTTP_201_CREATED)

    def partial_update(self, request, pid, id):
        task = self.get_object()
        changes = dict(self.validated(instance=task))
        version = changes.pop("version", None)
        services.task_update(actor=request.user, task=task, changes=changes, version=version)
        return self.read(task)

    def destroy(self, request, pid, id):
        services.task_delete(actor=request.user, task=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Move a task to a column and position (KAN-4, KAN-5, KAN-9, KAN-12)",
        request=KanbanTaskMoveSerializer,
        responses={200: KanbanTaskSerializer},
    )
    @action(detail=True, methods=["post"])
    def move(self, request, pid, id):
        task = self.get_object()
        target = self.validated()
        services.task_move(
            actor=request.user,
            task=task,
            column=target["column"],
            position=target.get("position", END_OF_COLUMN),
        )
        return self.read(task)

    @extend_schema(
        summary="One task by its reference on the board (`TSK-0007`, KAN-7)",
        operation_id="projects_board_tasks_by_reference",
        parameters=[
            OpenApiParameter("reference", str, OpenApiParameter.PATH, pattern="^TSK-[0-9]{1,9}$")
        ],
    )
    @action(detail=False, methods=["get"], url_path="<taskref:reference>", url_name="by-reference")
    def by_reference(self, request, pid, reference):
        number = int(reference.removeprefix("TSK-"))
        return self.respond(get_object_or_404(self.get_queryset(), ref_number=number))


@extend_schema_view(
    list=extend_schema(summary="A task's comments, oldest first"),
    create=extend_schema(
        summary="Comment on a task",
        request=KanbanTaskCommentWriteSerializer,
        responses={201: KanbanTaskCommentSerializer},
    ),
    partial_update=extend_schema(
        summary="Edit your comment (KAN-13)",
        request=KanbanTaskCommentWriteSerializer,
        responses={200: KanbanTaskCommentSerializer},
    ),
    destroy=extend_schema(summary="Delete your comment (KAN-13)", responses={204: None}),
)
class KanbanTaskCommentViewSet(mixins.ListModelMixin, BoardChildViewSet):
    """Comments on a task of the board (else 404). Only a comment's author edits or deletes
    it; anyone else who can see it gets 403 (KAN-13)."""

    serializer_class = KanbanTaskCommentSerializer
    write_serializers = {
        "create": KanbanTaskCommentWriteSerializer,
        "partial_update": KanbanTaskCommentWriteSerializer,
    }
    lookup_url_kwarg = "cid"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_permissions(self):
        if self.action in ("partial_update", "destroy"):
            return [IsAuthenticated(), IsCommentAuthor()]
        return super().get_permissions()

    @cached_property
    def task(self):
        tasks = KanbanTask.objects.visible_to(self.request.user).filter(board=self.board)
        return get_object_or_404(tasks.only("id", "board_id"), pk=self.kwargs["id"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return KanbanTaskComment.objects.none()
        return (
            KanbanTaskComment.objects.visible_to(self.request.user)
            .filter(task=self.task)
            .select_related("user")
            .order_by("created_at", "id")
        )

    def create(self, request, pid, id):
        comment = services.task_comment_create(
            actor=request.user, task=self.task, **self.validated()
        )
        return self.read(comment, status.HTTP_201_CREATED)

    def partial_update(self, request, pid, id, cid):
        comment = self.get_object()
        content = self.validated(instance=comment).get("content")
        if content is not None:  # an edit that names no field changes nothing
            services.task_comment_update(actor=request.user, comment=comment, content=content)
        return self.read(comment)

    def destroy(self, request, pid, id, cid):
        services.task_comment_delete(actor=request.user, comment=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    get=extend_schema(summary="The project's note; created empty on first use (KAN-14)"),
    put=extend_schema(
        summary="Replace the note's content and format",
        request=ProjectNoteWriteSerializer,
        responses={200: ProjectNoteSerializer},
    ),
)
class ProjectNoteView(ProjectScopedMixin, GenericAPIView):
    """The project's rich-text note: one document, replaced as a whole, with a version check
    (409 `stale_version`)."""

    serializer_class = ProjectNoteSerializer
    project_related = "note"
    http_method_names = ["get", "put", "head", "options"]

    def get_serializer_class(self):
        return ProjectNoteWriteSerializer if self.request.method == "PUT" else ProjectNoteSerializer

    def get_queryset(self):
        return ProjectNote.objects.visible_to(self.request.user)

    def get_object(self):
        note = getattr(self.project, "note", None)
        return note or services.note_get_or_create(actor=self.request.user, project=self.project)

    def get(self, request, pid):
        return self.respond(self.get_object())  # fresh: read with the project or just created

    def put(self, request, pid):
        project = self.project  # another user's project is a 404 before any 400 (API.md §3)
        note = services.note_update(actor=request.user, project=project, **self.validated())
        return self.read(note)
