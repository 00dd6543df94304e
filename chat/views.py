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
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.status import HTTP_201_CREATED, HTTP_204_NO_CONTENT

from chat import selectors, services
from chat.filters import AgentCommandLogFilter, ChatFilter, MessageFilter, ShellSessionFilter
from chat.models import AgentCommandLog, Chat, Message, ShellSession
from chat.permissions import (
    MANAGE_SHELL_SESSIONS,
    RECORD_COMMAND_LOGS,
    RECORD_MESSAGES,
    CanManageShellSessions,
    CanPostMessage,
    CanRecordCommandLogs,
)
from chat.serializers import (
    AgentCommandLogListSerializer,
    AgentCommandLogSerializer,
    AgentCommandLogWriteSerializer,
    ChatCreateSerializer,
    ChatSerializer,
    ChatUpdateSerializer,
    MessageSerializer,
    MessageWriteSerializer,
    ShellSessionCreateSerializer,
    ShellSessionSerializer,
    ShellSessionStatusSerializer,
    ShellSessionUsageResultSerializer,
    ShellSessionUsageSerializer,
)
from config.pagination import KeysetCursorPagination
from config.replica import lag_tolerant
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


@extend_schema_view(
    list=extend_schema(summary="A chat's messages, oldest first (CHT-12); no count"),
    create=extend_schema(
        summary="Post a message (CHT-2, CHT-11, CHT-13)",
        description="Owners post `user` messages in their own chats; the agent runtime "
        "(`chat.record_messages`) posts any role in any user's chat. 403 when an owner without "
        "the permission posts `assistant`; 409 `chat_archived` on an archived chat.",
        request=MessageWriteSerializer,
        responses={201: MessageSerializer},
    ),
)
class MessageViewSet(ProjectNestedViewSet):
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
        """The chat in the URL, in the project in the URL, in one query (W1's "chat lookup")."""
        if self.action == "list":
            # The list needs only the id, and it is W1: the lookup is compiled once.
            chat = selectors.visible_chat_id(
                self.request.user, project_id=self.kwargs["pid"], chat_id=self.kwargs["cid"]
            )
            if chat is None:
                raise Http404("No Chat matches the given query.")  # as get_object_or_404
            return chat
        if self.reaches_every_project():
            chats = Chat.objects.all()
        else:
            chats = Chat.objects.visible_to(self.request.user)
        # Recording a message also touches the project (CHT-13).
        chats = chats.select_related("project")
        return get_object_or_404(chats.filter(project_id=self.kwargs["pid"]), pk=self.kwargs["cid"])

    def scope(self):
        return self.chat  # one query for the chat and its project (W1)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no chat
            return Message.objects.none()
        return Message.objects.filter(chat_id=self.chat.pk)

    @lag_tolerant
    def list(self, request, *args, **kwargs):
        rows = selectors.message_rows(self.filter_queryset(self.get_queryset()))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(selectors.with_chat(page, self.chat.pk))

    def create(self, request, *args, **kwargs):
        chat = self.chat
        self.check_object_permissions(request, chat)
        data = self.validated(MessageWriteSerializer)
        message = services.message_record(actor=request.user, chat=chat, **data)
        return self.read(message, HTTP_201_CREATED)


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
