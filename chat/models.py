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
from django.db.models import Func, Q
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
