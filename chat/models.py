"""Chats, messages, agent command logs and shell sessions (DATA_MODEL.md §4).

Messages and command logs are insert-only (§1.8): only `chat.services` writes them, the API
offers no update or delete, and admin shows them read-only. Counters and lifecycle columns
change only through the services, by `F()` increments and conditional updates (§1.7). Every
size rule a serializer checks has a database twin below, so a write that skips the serializer
is refused too.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Func, Q
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Left
from django.db.models.lookups import Exact, LessThanOrEqual

from config.audit import audited
from config.models import BaseModel, contains_index
from config.validators import JsonValidator
from projects.models import Project

KIB = 1024
MESSAGE_CONTENT_MAX_BYTES = 1024 * KIB
MESSAGE_METADATA_MAX_BYTES = 1024 * KIB
METADATA_LISTS = ("steps", "tool_calls")
COMMAND_MAX_BYTES = 64 * KIB
COMMAND_OUTPUT_MAX_BYTES = 256 * KIB  # CHT-21
TERMINAL_SIZE_MAX = 1000
# PostgreSQL regex: at least one character that is not whitespace.
HAS_TEXT = r"\S"
SHORT_TEXT_LENGTH = 80


class OctetLength(Func):
    """The UTF-8 size in bytes of a text column, as the size limits count it."""

    function = "OCTET_LENGTH"
    output_field = models.IntegerField()


class JsonbTypeof(Func):
    function = "JSONB_TYPEOF"
    output_field = models.TextField()


class JsonbText(Func):
    """A jsonb value's text form (`', '` and `': '` separators), the size limits' measure."""

    template = "(%(expressions)s)::text"
    output_field = models.TextField()


def validate_metadata_lists(value):
    """`steps` and `tool_calls`, when present, are lists of objects."""
    for name in METADATA_LISTS:
        items = value.get(name, [])
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise ValidationError(f"`{name}` is a list of objects.", code="invalid")


# A message's metadata: a JSON object of at most 1 MiB in jsonb's text form (the size the
# `chat_message_metadata_object` check measures).
MESSAGE_METADATA = JsonValidator(
    max_bytes=MESSAGE_METADATA_MAX_BYTES, rules=(validate_metadata_lists,)
)


def shorten(text, length=SHORT_TEXT_LENGTH):
    return text if len(text) <= length else f"{text[: length - 1]}…"


class ChatStatus(models.TextChoices):
    ACTIVE = "active"
    ARCHIVED = "archived"


class MessageRole(models.TextChoices):
    USER = "user"
    ASSISTANT = "assistant"


class RiskLevel(models.TextChoices):
    SAFE = "safe"
    MODERATE = "moderate"
    HIGH = "high"


class ShellSessionStatus(models.TextChoices):
    INITIALIZING = "initializing"
    ACTIVE = "active"
    IDLE = "idle"
    CLOSED = "closed"
    FAILED = "failed"


# CHT-31, CHT-32: sessions that still hold a terminal, and the two final states.
OPEN_SESSION_STATUSES = (
    ShellSessionStatus.INITIALIZING,
    ShellSessionStatus.ACTIVE,
    ShellSessionStatus.IDLE,
)
FINAL_SESSION_STATUSES = (ShellSessionStatus.CLOSED, ShellSessionStatus.FAILED)


class ChatQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The chats of the projects `user` may see: through the project, never by id alone."""
        return self.filter(project__in=Project.objects.visible_to(user))


@audited()
class Chat(BaseModel):
    """One conversation between a project's owner and the AI agents (§4.1)."""

    user = models.ForeignKey(
        "accounts.User",
        on_delete=models.CASCADE,
        related_name="chats",
        db_index=False,  # covered by the (user, -created_at) index
    )
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.CASCADE,
        related_name="chats",
        db_index=False,  # covered by the (project, -created_at) index
    )
    title = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=ChatStatus, default=ChatStatus.ACTIVE)
    last_message_at = models.DateTimeField(null=True, blank=True)
    message_count = models.PositiveIntegerField(default=0)

    objects = ChatQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ChatStatus.values), name="chat_chat_status_valid"
            ),
        ]
        indexes = [
            contains_index("title", name="chat_chat_search"),
            models.Index(fields=["project", "-created_at"]),
            models.Index(fields=["project", "-last_message_at"]),
            models.Index(fields=["user", "-created_at"]),
        ]

    def __str__(self):
        return self.title or f"Untitled chat {str(self.pk)[:8]}"


class MessageQuerySet(models.QuerySet):
    def with_preview(self):
        """`content_preview` (enough of the content for `shorten`) instead of the content and
        metadata, which may be 1 MiB each: for lists that show a line per message."""
        return self.defer("content", "message_metadata").annotate(
            content_preview=Left("content", SHORT_TEXT_LENGTH + 1)
        )


def _carries_tool_calls():
    """`message_metadata.tool_calls` is a non-empty array."""
    tool_calls = KeyTransform("tool_calls", "message_metadata")
    return Exact(JsonbTypeof(tool_calls), "array") & ~Q(message_metadata__tool_calls=[])


class Message(BaseModel):
    """One message in a chat, from the user or the assistant (§4.2). Insert-only (CHT-10)."""

    chat = models.ForeignKey(
        "chat.Chat",
        on_delete=models.CASCADE,
        related_name="messages",
        db_index=False,  # covered by the (chat, created_at, id) index
    )
    role = models.CharField(max_length=10, choices=MessageRole)
    content = models.TextField(blank=True)
    message_metadata = models.JSONField(default=dict, blank=True, validators=[MESSAGE_METADATA])

    objects = MessageQuerySet.as_manager()

    class Meta:
        permissions = [("record_messages", "Can record messages in any chat")]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=MessageRole.values), name="chat_message_role_valid"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(OctetLength("content"), MESSAGE_CONTENT_MAX_BYTES),
                name="chat_message_content_size",
            ),
            # Only an assistant message that carries tool calls may have no text.
            models.CheckConstraint(
                condition=Q(content__regex=HAS_TEXT)
                | (Q(role=MessageRole.ASSISTANT) & _carries_tool_calls()),
                name="chat_message_content_present",
            ),
            models.CheckConstraint(
                condition=Exact(JsonbTypeof("message_metadata"), "object")
                & LessThanOrEqual(
                    OctetLength(JsonbText("message_metadata")), MESSAGE_METADATA_MAX_BYTES
                ),
                name="chat_message_metadata_object",
            ),
        ]
        # The cursor list's order (CHT-12); nothing else is indexed on this table.
        indexes = [models.Index(fields=["chat", "created_at", "id"])]

    def __str__(self):
        return f"{self.role}: {shorten(self.content)}"


class AgentCommandLogQuerySet(models.QuerySet):
    def with_preview(self):
        """`command_preview` instead of the command and its output (up to 576 KiB a row)."""
        return self.defer("command", "stdout", "stderr").annotate(
            command_preview=Left("command", SHORT_TEXT_LENGTH + 1)
        )


class AgentCommandLog(BaseModel):
    """An audit row for a shell command an AI agent ran in a project (§4.3). Insert-only."""

    user = models.ForeignKey(
        "accounts.User",
        on_delete=models.CASCADE,
        related_name="agent_command_logs",
        db_index=False,  # covered by the (user, created_at) index
    )
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.CASCADE,
        related_name="agent_command_logs",
        db_index=False,  # covered by the (project, created_at, id) index
    )
    command = models.TextField()
    working_dir = models.CharField(max_length=1024, default=".")
    success = models.BooleanField()
    exit_code = models.IntegerField(null=True, blank=True)
    stdout = models.TextField(blank=True)
    stderr = models.TextField(blank=True)
    output_truncated = models.BooleanField(default=False)
    risk_level = models.CharField(max_length=10, choices=RiskLevel)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    dry_run = models.BooleanField(default=False)

    objects = AgentCommandLogQuerySet.as_manager()

    class Meta:
        permissions = [
            ("record_command_logs", "Can record agent command logs for any project"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(risk_level__in=RiskLevel.values), name="chat_cmdlog_risk_level_valid"
            ),
            models.CheckConstraint(
                condition=Q(exit_code__isnull=True)
                | Q(success=True, exit_code=0)
                | (Q(success=False) & ~Q(exit_code=0)),
                name="chat_cmdlog_success_matches_exit",
            ),
            models.CheckConstraint(
                condition=Q(dry_run=False) | Q(exit_code__isnull=True),
                name="chat_cmdlog_dry_run_has_no_exit",
            ),
            models.CheckConstraint(
                condition=Q(command__regex=HAS_TEXT)
                & LessThanOrEqual(OctetLength("command"), COMMAND_MAX_BYTES),
                name="chat_cmdlog_command_size",
            ),
            models.CheckConstraint(
                condition=~Q(working_dir=""), name="chat_cmdlog_working_dir_not_empty"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(OctetLength("stdout"), COMMAND_OUTPUT_MAX_BYTES)
                & LessThanOrEqual(OctetLength("stderr"), COMMAND_OUTPUT_MAX_BYTES),
                name="chat_cmdlog_output_size",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "created_at"]),
            models.Index(fields=["project", "created_at", "id"]),
        ]

    def __str__(self):
        return shorten(self.command)


@audited()
class ShellSession(BaseModel):
    """A persistent terminal in one of a project's containers (§4.4)."""

    # Unique through the named constraint below, which builds only the unique index: nothing
    # searches session ids by prefix, so the `_like` index `unique=True` adds would be waste
    # on a table that keeps every session (DATA_MODEL.md §1.4).
    session_id = models.CharField(max_length=64, editable=False)
    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="shell_sessions"
    )
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.CASCADE,
        related_name="shell_sessions",
        db_index=False,  # covered by the (project, status) index
    )
    container_name = models.CharField(max_length=63)
    command = models.CharField(max_length=255, default="/bin/bash")
    working_dir = models.CharField(max_length=1024, default="/app")
    terminal_rows = models.PositiveSmallIntegerField(
        default=24, validators=[MinValueValidator(1), MaxValueValidator(TERMINAL_SIZE_MAX)]
    )
    terminal_cols = models.PositiveSmallIntegerField(
        default=80, validators=[MinValueValidator(1), MaxValueValidator(TERMINAL_SIZE_MAX)]
    )
    status = models.CharField(
        max_length=12, choices=ShellSessionStatus, default=ShellSessionStatus.INITIALIZING
    )
    last_activity_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    bytes_read = models.BigIntegerField(default=0)
    bytes_written = models.BigIntegerField(default=0)

    class Meta:
        permissions = [("manage_shell_sessions", "Can manage shell sessions of any project")]
        constraints = [
            models.UniqueConstraint(
                fields=["session_id"], name="chat_shellsession_session_id_unique"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ShellSessionStatus.values),
                name="chat_shellsession_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(bytes_read__gte=0, bytes_written__gte=0),
                name="chat_shellsession_bytes_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(terminal_rows__range=(1, TERMINAL_SIZE_MAX))
                & Q(terminal_cols__range=(1, TERMINAL_SIZE_MAX)),
                name="chat_shellsession_terminal_size",
            ),
            models.CheckConstraint(
                condition=Q(status__in=FINAL_SESSION_STATUSES, closed_at__isnull=False)
                | (~Q(status__in=FINAL_SESSION_STATUSES) & Q(closed_at__isnull=True)),
                name="chat_shellsession_closed_has_time",
            ),
            models.CheckConstraint(
                condition=Q(command__regex=HAS_TEXT) & Q(working_dir__regex=HAS_TEXT),
                name="chat_shellsession_command_not_blank",
            ),
        ]
        indexes = [models.Index(fields=["project", "status"])]

    def __str__(self):
        return f"{self.session_id} in {self.container_name}"


# Agent runs (EXTENSIONS.md §1)

RUN_JSON_MAX_BYTES = 64 * KIB
RUN_JSON = JsonValidator(max_bytes=RUN_JSON_MAX_BYTES)


class RunType(models.TextChoices):
    AGENT_RUN = "agent_run"
    CHAT_RUN = "chat_run"


class RunStatus(models.TextChoices):
    PENDING = "pending"
    RUNNING = "running"
    WAITING_FOR_INPUT = "waiting_for_input"
    PAUSED = "paused"
    ABORTING = "aborting"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    FAILED = "failed"


# CHT-40: the one tuple the one-active-run index, the services, the sweeper and the admin's
# "stuck" filter all read, so their predicates cannot drift apart.
ACTIVE_RUN_STATUSES = (
    RunStatus.PENDING,
    RunStatus.RUNNING,
    RunStatus.WAITING_FOR_INPUT,
    RunStatus.PAUSED,
    RunStatus.ABORTING,
)
FINAL_RUN_STATUSES = (RunStatus.COMPLETED, RunStatus.CANCELLED, RunStatus.FAILED)


class AgentRunQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The runs of the chats `user` may see: through the project, never by id alone."""
        return self.filter(chat__in=Chat.objects.visible_to(user))

    def active(self):
        return self.filter(status__in=ACTIVE_RUN_STATUSES)


@audited()
class AgentRun(BaseModel):
    """One run of an agent in a chat, from its claim to its final state (EXTENSIONS.md §1).

    CHT-40: at most one active run per chat and run type, held by `chat_run_one_active`.
    CHT-41: the status moves only along `chat.services.RUN_TRANSITIONS`; every move bumps
    `version` (CHT-42) and is recorded by the audit triggers, the sweeper's bulk update too
    (CHT-45). CHT-44: the runtime's claim is idempotent by `(chat, request_id)`.
    """

    chat = models.ForeignKey(
        "chat.Chat",
        on_delete=models.CASCADE,
        related_name="runs",
        db_index=False,  # covered by the (chat, created_at, id) index
    )
    run_type = models.CharField(max_length=16, choices=RunType, default=RunType.AGENT_RUN)
    status = models.CharField(max_length=20, choices=RunStatus, default=RunStatus.PENDING)
    trigger_message = models.ForeignKey(
        "chat.Message",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    result_message = models.ForeignKey(
        "chat.Message",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    parent_run = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="sub_runs"
    )
    model = models.CharField(max_length=255)
    input = models.JSONField(default=dict, blank=True, validators=[RUN_JSON])
    metrics = models.JSONField(default=dict, blank=True, validators=[RUN_JSON])
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.TextField(blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveBigIntegerField(default=0)
    request_id = models.CharField(max_length=255)

    objects = AgentRunQuerySet.as_manager()

    class Meta:
        permissions = [
            ("record_runs", "Can record and move agent runs in any chat"),
            ("stop_runs", "Can cancel or fail any agent run in admin"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RunStatus.values), name="chat_run_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(run_type__in=RunType.values), name="chat_run_type_valid"
            ),
            models.UniqueConstraint(
                fields=["chat", "run_type"],
                condition=Q(status__in=ACTIVE_RUN_STATUSES),
                name="chat_run_one_active",
            ),
            models.CheckConstraint(
                condition=Q(status__in=FINAL_RUN_STATUSES, finished_at__isnull=False)
                | (~Q(status__in=FINAL_RUN_STATUSES) & Q(finished_at__isnull=True)),
                name="chat_run_final_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status=RunStatus.FAILED) | Q(error_code__regex=HAS_TEXT),
                name="chat_run_failed_has_error",
            ),
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True)
                | Q(started_at__isnull=True)
                | Q(finished_at__gte=F("started_at")),
                name="chat_run_times_ordered",
            ),
            models.UniqueConstraint(fields=["chat", "request_id"], name="chat_run_request_unique"),
            models.CheckConstraint(
                condition=Q(request_id__regex=HAS_TEXT), name="chat_run_request_present"
            ),
            models.CheckConstraint(
                condition=Exact(JsonbTypeof("input"), "object")
                & LessThanOrEqual(OctetLength(JsonbText("input")), RUN_JSON_MAX_BYTES)
                & Exact(JsonbTypeof("metrics"), "object")
                & LessThanOrEqual(OctetLength(JsonbText("metrics")), RUN_JSON_MAX_BYTES),
                name="chat_run_json_objects",
            ),
        ]
        indexes = [
            models.Index(fields=["chat", "created_at", "id"]),
            # The sweeper's and the admin "stuck" filter's scan: active runs by idle time.
            models.Index(
                fields=["status", "updated_at"],
                condition=Q(status__in=ACTIVE_RUN_STATUSES),
                name="chat_run_active_updated",
            ),
        ]

    def __str__(self):
        return f"{self.run_type} {str(self.pk)[:8]} ({self.status})"

    @property
    def duration(self):
        if self.started_at is None or self.finished_at is None:
            return None
        return self.finished_at - self.started_at


# Summaries, attachments, bookmarks (EXTENSIONS.md §3, §7, §8)

SUMMARY_MAX_BYTES = 256 * KIB


class ChatSummary(BaseModel):
    """A compaction of a chat's messages up to `end_message` (EXTENSIONS.md §3). Insert-only
    (§1.8); the newest is the active one.

    CHT-46: `end_message`, `parent_summary` and `run` belong to the summary's own chat.
    """

    chat = models.ForeignKey(
        "chat.Chat",
        on_delete=models.CASCADE,
        related_name="summaries",
        db_index=False,  # covered by the (chat, -created_at) index
    )
    end_message = models.ForeignKey(
        "chat.Message",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # covered by the (chat, end_message) unique: a message's chat is fixed
    )
    parent_summary = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    run = models.ForeignKey(
        "chat.AgentRun", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    summary_text = models.TextField()
    original_tokens = models.PositiveIntegerField()
    summary_tokens = models.PositiveIntegerField()
    model = models.CharField(max_length=255)

    class Meta:
        verbose_name_plural = "chat summaries"
        constraints = [
            models.CheckConstraint(
                condition=Q(original_tokens__gt=0) & Q(summary_tokens__lte=F("original_tokens")),
                name="chat_summary_tokens_valid",
            ),
            models.UniqueConstraint(fields=["chat", "end_message"], name="chat_summary_end_unique"),
            models.CheckConstraint(
                condition=Q(summary_text__regex=HAS_TEXT)
                & LessThanOrEqual(OctetLength("summary_text"), SUMMARY_MAX_BYTES),
                name="chat_summary_text_size",
            ),
        ]
        indexes = [models.Index(fields=["chat", "-created_at", "-id"])]

    def __str__(self):
        return shorten(self.summary_text)

    @property
    def compression_ratio(self):
        return self.summary_tokens / self.original_tokens


ATTACHMENTS_PER_MESSAGE = 10  # CHT-47


class MessageAttachment(BaseModel):
    """A project asset attached to a message (EXTENSIONS.md §7). Insert-only (§1.8), written
    in the message's own transaction. CHT-47: at most 10 per message, each an asset of the
    chat's project."""

    message = models.ForeignKey(
        "chat.Message",
        on_delete=models.CASCADE,
        related_name="attachments",
        db_index=False,  # covered by the (message, asset) unique
    )
    asset = models.ForeignKey(
        "projects.ProjectAsset", on_delete=models.CASCADE, related_name="attachments"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["message", "asset"], name="chat_attachment_message_asset_unique"
            ),
        ]

    def __str__(self):
        return f"attachment {str(self.pk)[:8]}"


class BookmarkKind(models.TextChoices):
    PIN = "pin"
    WISHLIST = "wishlist"


class ChatBookmark(BaseModel):
    """A user's pin or wishlist mark on a chat (EXTENSIONS.md §8). CHT-48: one per user, chat
    and kind, added and removed idempotently."""

    user = models.ForeignKey(
        "accounts.User",
        on_delete=models.CASCADE,
        related_name="chat_bookmarks",
        db_index=False,  # covered by the (user, chat, kind) unique
    )
    chat = models.ForeignKey("chat.Chat", on_delete=models.CASCADE, related_name="bookmarks")
    kind = models.CharField(max_length=10, choices=BookmarkKind)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=BookmarkKind.values), name="chat_bookmark_kind_valid"
            ),
            models.UniqueConstraint(fields=["user", "chat", "kind"], name="chat_bookmark_unique"),
        ]
        # The cross-project list: a user's bookmarks of one kind, newest first.
        indexes = [models.Index(fields=["user", "kind", "-created_at", "-id"])]

    def __str__(self):
        return f"{self.kind} {str(self.chat_id)[:8]}"
