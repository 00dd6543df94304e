"""The chat API under `projects/{pid}/` (API.md §9.3).

Rows are reached only through a project the caller may see, also under a chat, so another
user's project, chat, command log or session is a 404 before any 403 (API.md §3). On the
endpoints marked "service", a caller holding that endpoint's service permission reaches every
user's project (API.md §2). Writes go through `chat.services`; each response is re-read through
`get_queryset()`.

The message list is the platform's hottest read (PERFORMANCE.md W1): its chat lookup and its
page are read by `chat.selectors`, and it pages by keyset with no COUNT.
"""

from django.http import Http404
from django.utils.functional import cached_property
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.status import HTTP_200_OK, HTTP_201_CREATED, HTTP_204_NO_CONTENT

from chat import selectors, services
from chat.filters import (
    AgentCommandLogFilter,
    AgentRunFilter,
    ChatBookmarkFilter,
    ChatFilter,
    MessageFilter,
    ShellSessionFilter,
)
from chat.models import (
    AgentCommandLog,
    AgentRun,
    BookmarkKind,
    Chat,
    ChatBookmark,
    ChatSummary,
    Message,
    ShellSession,
)
from chat.permissions import (
    MANAGE_SHELL_SESSIONS,
    RECORD_COMMAND_LOGS,
    RECORD_MESSAGES,
    RECORD_RUNS,
    CanManageShellSessions,
    CanPostMessage,
    CanRecordCommandLogs,
    CanRecordMessages,
    CanRecordRuns,
)
from chat.serializers import (
    AgentCommandLogListSerializer,
    AgentCommandLogSerializer,
    AgentCommandLogWriteSerializer,
    AgentRunClaimSerializer,
    AgentRunSerializer,
    AgentRunStatusSerializer,
    ChatBookmarkSerializer,
    ChatCreateSerializer,
    ChatSerializer,
    ChatSummarySerializer,
    ChatSummaryWriteSerializer,
    ChatUpdateSerializer,
    MessageSerializer,
    MessageWriteSerializer,
    PostedMessageSerializer,
    ShellSessionCreateSerializer,
    ShellSessionSerializer,
    ShellSessionStatusSerializer,
    ShellSessionUsageResultSerializer,
    ShellSessionUsageSerializer,
)
from config.api import StudioViewSet
from config.filters import FilterBackend
from config.pagination import KeysetCursorPagination
from config.replica import lag_tolerant
from config.schema import error
from projects.views.base import ProjectScopedViewSet

DEFAULT_ORDERING = ("-created_at", "id")


class MessageCursorPagination(KeysetCursorPagination):
    default_ordering = "created_at"  # CHT-12: oldest first


class ProjectNestedViewSet(ProjectScopedViewSet):
    """Chat's viewsets under `projects/{pid}/`. What the chat rules read of their project: its
    id and its owner (CHT-1, CHT-20)."""

    project_fields = ("id", "owner_id")


@extend_schema_view(
    list=extend_schema(summary="A project's chats"),
    retrieve=extend_schema(summary="One chat"),
    create=extend_schema(
        summary="Start a chat (CHT-1)",
        request=ChatCreateSerializer,
        responses={201: ChatSerializer},
    ),
    partial_update=extend_schema(
        summary="Rename, archive or reopen a chat (CHT-3)",
        request=ChatUpdateSerializer,
        responses={200: ChatSerializer},
    ),
    destroy=extend_schema(summary="Delete a chat and its messages", responses={204: None}),
)
class ChatViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ProjectNestedViewSet):
    """The owner's chats in a project. An archived chat is read-only until its status is set
    back to `active` (409 `chat_archived`)."""

    lookup_url_kwarg = "cid"
    serializer_class = ChatSerializer
    write_serializers = {"create": ChatCreateSerializer, "partial_update": ChatUpdateSerializer}
    filterset_class = ChatFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no project
            return Chat.objects.none()
        return Chat.objects.filter(project=self.project).order_by(*DEFAULT_ORDERING)

    def create(self, request, *args, **kwargs):
        data = self.validated(ChatCreateSerializer)
        chat = services.chat_create(actor=request.user, project=self.project, **data)
        return self.read(chat, HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        chat = self.get_object()
        changes = self.validated(ChatUpdateSerializer)
        if changes:  # an edit that names no field changes nothing
            services.chat_update(actor=request.user, chat=chat, changes=changes)
        return self.read(chat)

    def destroy(self, request, *args, **kwargs):
        services.chat_delete(actor=request.user, chat=self.get_object())
        return Response(status=HTTP_204_NO_CONTENT)


class ChatNestedViewSet(ProjectNestedViewSet):
    """Chat's viewsets under `projects/{pid}/chats/{cid}/`: the chat in the URL, in the
    project in the URL, with that project, in one query, looked up before the body is read.
    On the service actions a service caller reaches every user's chat."""

    @cached_property
    def chat(self):
        if self.reaches_every_project():
            chats = Chat.objects.all()
        else:
            chats = Chat.objects.visible_to(self.request.user)
        chats = chats.select_related("project")
        return get_object_or_404(chats.filter(project_id=self.kwargs["pid"]), pk=self.kwargs["cid"])

    def scope(self):
        return self.chat


@extend_schema_view(
    list=extend_schema(summary="A chat's messages, oldest first (CHT-12); no count"),
    create=extend_schema(
        summary="Post a message (CHT-2, CHT-11, CHT-13, CHT-47)",
        description="Owners post `user` messages in their own chats; the agent runtime "
        "(`chat.record_messages`) posts any role in any user's chat. `attachment_ids` attaches "
        "up to 10 of the project's assets in the message's own transaction; the answer embeds "
        "them.",
        request=MessageWriteSerializer,
        responses={
            201: PostedMessageSerializer,
            400: error("Bad input, or an attachment that is not an asset of this project."),
            403: error("An owner without the permission posts `assistant`."),
            409: error("`chat_archived`."),
        },
    ),
)
class MessageViewSet(ChatNestedViewSet):
    """Messages are insert-only (CHT-10): there is no route to change or delete one."""

    serializer_class = MessageSerializer
    write_serializers = {"create": MessageWriteSerializer}
    pagination_class = MessageCursorPagination
    filterset_class = MessageFilter
    action_permissions = {"create": [IsAuthenticated, CanPostMessage]}
    service_permission = RECORD_MESSAGES
    service_actions = frozenset({"create"})

    @cached_property
    def chat(self):
        """The chat in the URL, in the project in the URL, in one query (W1's "chat lookup");
        recording a message also touches the project (CHT-13)."""
        if self.action != "list":
            return super().chat
        # The list needs only the id, and it is W1: the lookup is compiled once.
        chat = selectors.visible_chat_id(
            self.request.user, project_id=self.kwargs["pid"], chat_id=self.kwargs["cid"]
        )
        if chat is None:
            raise Http404("No Chat matches the given query.")  # as get_object_or_404
        return chat

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no chat
            return Message.objects.none()
        return Message.objects.filter(chat_id=self.chat.pk)

    @lag_tolerant
    def list(self, request, *args, **kwargs):
        if FilterBackend.may_skip(self.filterset_class, request.query_params):
            pages = selectors.MESSAGE_PAGES
            page = self.paginator.paginate_prepared(pages, request, chat=self.chat.pk)
        else:
            rows = selectors.message_rows(self.filter_queryset(self.get_queryset()))
            page = self.paginate_queryset(rows)
        return self.get_paginated_response(selectors.with_chat(page, self.chat.pk))

    def create(self, request, *args, **kwargs):
        chat = self.chat
        self.check_object_permissions(request, chat)
        data = self.validated(MessageWriteSerializer)
        message = services.message_record(actor=request.user, chat=chat, **data)
        posted = Message.objects.prefetch_related("attachments__asset").get(pk=message.pk)
        return Response(PostedMessageSerializer(posted).data, status=HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        summary="A project's agent command logs, newest first; no count",
        responses={200: AgentCommandLogListSerializer(many=True)},
    ),
    retrieve=extend_schema(summary="One command log, with its output"),
    create=extend_schema(
        summary="Record a command an agent ran (service: CHT-20, CHT-21)",
        request=AgentCommandLogWriteSerializer,
        responses={201: AgentCommandLogSerializer},
    ),
)
class AgentCommandLogViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, ProjectNestedViewSet
):
    """Command logs are insert-only and written by the agent runtime alone. The list leaves
    out `stdout` and `stderr` (up to 256 KiB each); the detail route returns them."""

    serializer_class = AgentCommandLogSerializer
    write_serializers = {"create": AgentCommandLogWriteSerializer}
    pagination_class = KeysetCursorPagination  # newest first
    filterset_class = AgentCommandLogFilter
    # The project is the target: an owner without the permission gets 403, others 404.
    action_permissions = {"create": [IsAuthenticated, CanRecordCommandLogs]}
    service_permission = RECORD_COMMAND_LOGS
    service_actions = frozenset({"create"})

    def get_serializer_class(self):
        if self.action == "list":
            return AgentCommandLogListSerializer
        return super().get_serializer_class()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AgentCommandLog.objects.none()
        logs = AgentCommandLog.objects.filter(project=self.project)
        if self.action == "list":
            logs = logs.defer("stdout", "stderr")
        return logs

    def create(self, request, *args, **kwargs):
        project = self.project
        self.check_object_permissions(request, project)
        data = self.validated(AgentCommandLogWriteSerializer)
        log = services.command_log_record(actor=request.user, project=project, **data)
        return self.read(log, HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(summary="A project's shell sessions (owner; service)"),
    retrieve=extend_schema(summary="One shell session (owner; service)"),
    create=extend_schema(
        summary="Open a shell session (CHT-30, CHT-32, CHT-34)",
        request=ShellSessionCreateSerializer,
        responses={201: ShellSessionSerializer},
    ),
)
class ShellSessionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ProjectNestedViewSet):
    """Terminal sessions in a project's containers. The owner and the agent runtime
    (`chat.manage_shell_sessions`) open, read and close them; only the runtime reports their
    status and usage."""

    serializer_class = ShellSessionSerializer
    write_serializers = {
        "create": ShellSessionCreateSerializer,
        "status": ShellSessionStatusSerializer,
        "usage": ShellSessionUsageSerializer,
    }
    filterset_class = ShellSessionFilter
    action_permissions = {
        "status": [IsAuthenticated, CanManageShellSessions],
        "usage": [IsAuthenticated, CanManageShellSessions],
    }
    service_permission = MANAGE_SHELL_SESSIONS
    service_actions = frozenset({"list", "retrieve", "create", "close", "status", "usage"})

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ShellSession.objects.none()
        return ShellSession.objects.filter(project=self.project).order_by(*DEFAULT_ORDERING)

    def create(self, request, *args, **kwargs):
        data = self.validated(ShellSessionCreateSerializer)
        session = services.shell_session_open(actor=request.user, project=self.project, **data)
        return self.read(session, HTTP_201_CREATED)

    @extend_schema(
        summary="Close a session; 200 also when it already was (CHT-31)",
        request=None,
        responses={200: ShellSessionSerializer},
    )
    @action(detail=True, methods=["post"])
    def close(self, request, *args, **kwargs):
        session = self.get_object()
        services.shell_session_close(actor=request.user, session=session)
        return self.read(session)

    @extend_schema(
        summary="Service: report a session's status (CHT-31)",
        request=ShellSessionStatusSerializer,
        responses={200: ShellSessionSerializer},
    )
    @action(detail=True, methods=["post"])
    def status(self, request, *args, **kwargs):
        session = self.get_object()
        data = self.validated(ShellSessionStatusSerializer)
        services.shell_session_report_status(actor=request.user, session=session, **data)
        return self.read(session)

    @extend_schema(
        summary="Service: report bytes moved since the last report (CHT-33)",
        request=ShellSessionUsageSerializer,
        responses={200: ShellSessionUsageResultSerializer},
    )
    @action(detail=True, methods=["post"])
    def usage(self, request, *args, **kwargs):
        session = self.get_object()
        data = self.validated(ShellSessionUsageSerializer)
        totals = services.shell_session_record_usage(actor=request.user, session=session, **data)
        return Response(ShellSessionUsageResultSerializer(totals).data)


# Agent runs, summaries and bookmarks (EXTENSIONS.md §1, §3, §8)


@extend_schema_view(
    list=extend_schema(summary="A chat's agent runs, newest first; no count"),
    retrieve=extend_schema(summary="One agent run (owner; service)"),
    create=extend_schema(
        summary="Service: claim a run (CHT-40, CHT-44)",
        description="A new `pending` run (201), or, for a `request_id` already used in this "
        "chat, the run it made (200). 409 `run_in_progress` while the chat has an active run of "
        "the type.",
        request=AgentRunClaimSerializer,
        responses={
            201: AgentRunSerializer,
            200: AgentRunSerializer,
            400: error("Bad input, or a message or parent run that is not this chat's."),
            403: error("The caller lacks `chat.record_runs`."),
            409: error("`run_in_progress` or `chat_archived`."),
        },
    ),
)
class AgentRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ChatNestedViewSet):
    """A chat's runs: the owner reads and cancels them; the agent runtime (`chat.record_runs`)
    claims, reads, moves and cancels them in any user's chat."""

    serializer_class = AgentRunSerializer
    write_serializers = {"create": AgentRunClaimSerializer, "status": AgentRunStatusSerializer}
    pagination_class = KeysetCursorPagination  # newest first
    filterset_class = AgentRunFilter
    action_permissions = {
        "create": [IsAuthenticated, CanRecordRuns],
        "status": [IsAuthenticated, CanRecordRuns],
    }
    service_permission = RECORD_RUNS
    service_actions = frozenset({"retrieve", "create", "status", "cancel"})

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AgentRun.objects.none()
        return AgentRun.objects.filter(chat_id=self.chat.pk)

    def get_object(self):
        run = super().get_object()
        run.chat = self.chat  # the cancel rule reads its owner (CHT-43)
        return run

    def create(self, request, *args, **kwargs):
        chat = self.chat
        self.check_object_permissions(request, chat)
        data = self.validated(AgentRunClaimSerializer)
        run, replayed = services.run_claim(actor=request.user, chat=chat, **data)
        return self.read(run, HTTP_200_OK if replayed else HTTP_201_CREATED)

    @extend_schema(
        summary="Service: move a run (CHT-41, CHT-42)",
        description="Moves along the transition table; with `version`, only from that version.",
        request=AgentRunStatusSerializer,
        responses={
            200: AgentRunSerializer,
            400: error(
                "Bad input: a failure without `error_code`, a result message of another chat."
            ),
            403: error("The caller lacks `chat.record_runs`."),
            409: error("`invalid_state_transition` or `stale_version`."),
        },
    )
    @action(detail=True, methods=["post"])
    def status(self, request, *args, **kwargs):
        run = self.get_object()
        data = self.validated(AgentRunStatusSerializer)
        services.run_transition(actor=request.user, run=run, **data)
        return self.read(run)

    @extend_schema(
        summary="Cancel a run; 200 also when it was already stopping or finished (CHT-43)",
        request=None,
        responses={200: AgentRunSerializer},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, *args, **kwargs):
        run = self.get_object()
        services.run_cancel(actor=request.user, run=run)
        return self.read(run)


@extend_schema_view(
    list=extend_schema(summary="A chat's summaries, newest first; no count"),
    create=extend_schema(
        summary="Service: record a summary (CHT-46)",
        request=ChatSummaryWriteSerializer,
        responses={
            201: ChatSummarySerializer,
            400: error("Bad input, or a message, parent summary or run that is not this chat's."),
            403: error("The caller lacks `chat.record_messages`."),
            409: error("`already_exists`: this end message has a summary."),
        },
    ),
)
class ChatSummaryViewSet(mixins.ListModelMixin, ChatNestedViewSet):
    """Summaries are insert-only: the runtime (`chat.record_messages`) records them, the owner
    reads them; the newest is the one in force."""

    serializer_class = ChatSummarySerializer
    write_serializers = {"create": ChatSummaryWriteSerializer}
    pagination_class = KeysetCursorPagination  # newest first
    action_permissions = {"create": [IsAuthenticated, CanRecordMessages]}
    service_permission = RECORD_MESSAGES
    service_actions = frozenset({"create", "latest"})

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ChatSummary.objects.none()
        return ChatSummary.objects.filter(chat_id=self.chat.pk)

    def create(self, request, *args, **kwargs):
        chat = self.chat
        self.check_object_permissions(request, chat)
        data = self.validated(ChatSummaryWriteSerializer)
        summary = services.summary_record(actor=request.user, chat=chat, **data)
        return self.read(summary, HTTP_201_CREATED)

    @extend_schema(
        summary="The summary in force: the newest (owner; service)",
        responses={200: ChatSummarySerializer, 404: error("The chat has no summary yet.")},
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def latest(self, request, *args, **kwargs):
        newest = self.get_queryset().order_by("-created_at", "-id").first()
        if newest is None:
            raise Http404("This chat has no summary yet.")
        return self.respond(newest)


KIND_PARAMETER = OpenApiParameter(
    "kind", str, OpenApiParameter.PATH, enum=BookmarkKind.values, description="CHT-48"
)


class ChatBookmarkViewSet(ChatNestedViewSet):
    """The caller's pin or wishlist mark on a chat they can see (CHT-48): PUT adds it, DELETE
    removes it; both idempotent, both 204. An unknown kind is a 404, as an unrouted path."""

    http_method_names = ["put", "delete", "options"]
    serializer_class = ChatBookmarkSerializer

    def scope(self):
        if self.kwargs["kind"] not in BookmarkKind.values:
            raise Http404("No such bookmark kind.")
        return self.chat

    @extend_schema(
        summary="Bookmark a chat (CHT-48)",
        parameters=[KIND_PARAMETER],
        request=None,
        responses={204: None},
    )
    def add(self, request, *args, **kwargs):
        services.bookmark_add(actor=request.user, chat=self.chat, kind=self.kwargs["kind"])
        return Response(status=HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Remove a chat's bookmark (CHT-48)",
        parameters=[KIND_PARAMETER],
        request=None,
        responses={204: None},
    )
    def remove(self, request, *args, **kwargs):
        services.bookmark_remove(actor=request.user, chat=self.chat, kind=self.kwargs["kind"])
        return Response(status=HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary="Your bookmarked chats in every project, newest first (CHT-48)")
)
class BookmarkListViewSet(mixins.ListModelMixin, StudioViewSet):
    """The caller's bookmarks of chats they can still see; archived chats are listed, with
    their status."""

    serializer_class = ChatBookmarkSerializer
    pagination_class = KeysetCursorPagination
    filterset_class = ChatBookmarkFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ChatBookmark.objects.none()
        user = self.request.user
        return ChatBookmark.objects.filter(
            user=user, chat__in=Chat.objects.visible_to(user)
        ).select_related("chat")
