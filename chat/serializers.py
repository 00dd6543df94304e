"""Request and response shapes of the chat API (API.md §9.3).

Read serializers render rows the views have already loaded, so they never query. Write
serializers only validate, each rule with a database twin in `chat.models`; the services
write. Text that people or programs wrote (messages, commands, output) keeps its whitespace.
"""

from rest_framework import serializers

from chat.models import (
    COMMAND_MAX_BYTES,
    MESSAGE_CONTENT_MAX_BYTES,
    MESSAGE_METADATA,
    TERMINAL_SIZE_MAX,
    AgentCommandLog,
    Chat,
    ChatStatus,
    Message,
    MessageRole,
    RiskLevel,
    ShellSession,
    ShellSessionStatus,
)
from config.schema import EnumChoiceField

# The most a client can count exactly in JSON (2^53 - 1); far above any real delta, and it
# keeps the bigint totals from overflowing.
BYTES_DELTA_MAX = 2**53 - 1


def max_bytes_validator(limit):
    def validate(value):
        if len(value.encode()) > limit:
            raise serializers.ValidationError(
                f"Keep this under {limit // 1024} KiB.", code="max_length"
            )

    return validate


def verbatim_text(*, max_bytes, **kwargs):
    """A text field stored as sent (no stripping), at most `max_bytes` in UTF-8."""
    return serializers.CharField(
        trim_whitespace=False, validators=[max_bytes_validator(max_bytes)], **kwargs
    )


def terminal_size_field():
    return serializers.IntegerField(min_value=1, max_value=TERMINAL_SIZE_MAX, required=False)


# Chats


class ChatSerializer(serializers.ModelSerializer):
    status = EnumChoiceField(ChatStatus, read_only=True)

    class Meta:
        model = Chat
        fields = [
            "id",
            "project",
            "title",
            "status",
            "message_count",
            "last_message_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ChatCreateSerializer(serializers.ModelSerializer):
    """A new chat: only the title. The owner is the project's (CHT-1); it starts active."""

    class Meta:
        model = Chat
        fields = ["title"]


class ChatUpdateSerializer(serializers.ModelSerializer):
    """The owner's edit: title, and status (archive, or reopen: CHT-3)."""

    status = EnumChoiceField(ChatStatus, required=False)

    class Meta:
        model = Chat
        fields = ["title", "status"]


# Messages


class MessageSerializer(serializers.ModelSerializer):
    """A message as the API shows it. The list renders the same keys from `.values()` rows
    (`MESSAGE_LIST_FIELDS` in chat.selectors, derived from this serializer)."""

    role = EnumChoiceField(MessageRole, read_only=True)

    class Meta:
        model = Message
        fields = ["id", "chat", "role", "content", "message_metadata", "created_at"]
        read_only_fields = fields


class MessageWriteSerializer(serializers.Serializer):
    """CHT-11 decides who may send which role (before this runs); this checks the shape."""

    role = EnumChoiceField(MessageRole)
    content = verbatim_text(max_bytes=MESSAGE_CONTENT_MAX_BYTES, allow_blank=True)
    message_metadata = serializers.JSONField(
        required=False, default=dict, validators=[MESSAGE_METADATA]
    )

    def validate(self, attrs):
        """Only an assistant message that carries tool calls may have no text."""
        tool_calls = attrs["message_metadata"].get("tool_calls")
        if not attrs["content"].strip() and not (
            attrs["role"] == MessageRole.ASSISTANT and tool_calls
        ):
            raise serializers.ValidationError(
                {"content": ["Write a message (only tool-call steps may come without text)."]}
            )
        return attrs


# Agent command logs


class AgentCommandLogListSerializer(serializers.ModelSerializer):
    """A command log in a list: everything but the output, which can be 512 KiB per row; the
    detail route returns it."""

    risk_level = EnumChoiceField(RiskLevel, read_only=True)

    class Meta:
        model = AgentCommandLog
        fields = [
            "id",
            "project",
            "command",
            "working_dir",
            "success",
            "exit_code",
            "output_truncated",
            "risk_level",
            "duration_ms",
            "dry_run",
            "created_at",
        ]
        read_only_fields = fields


class AgentCommandLogSerializer(AgentCommandLogListSerializer):
    class Meta(AgentCommandLogListSerializer.Meta):
        fields = [*AgentCommandLogListSerializer.Meta.fields, "stdout", "stderr"]
        read_only_fields = fields


class AgentCommandLogWriteSerializer(serializers.ModelSerializer):
    """What the runtime reports. Output of any length is accepted and cut by CHT-21."""

    command = verbatim_text(max_bytes=COMMAND_MAX_BYTES)
    stdout = serializers.CharField(trim_whitespace=False, allow_blank=True, required=False)
    stderr = serializers.CharField(trim_whitespace=False, allow_blank=True, required=False)
    risk_level = EnumChoiceField(RiskLevel)

    class Meta:
        model = AgentCommandLog
        fields = [
            "command",
            "working_dir",
            "success",
            "exit_code",
            "stdout",
            "stderr",
            "risk_level",
            "duration_ms",
            "dry_run",
        ]
        extra_kwargs = {"exit_code": {"min_value": -(2**31), "max_value": 2**31 - 1}}

    def validate_command(self, value):
        if not value.strip():
            raise serializers.ValidationError("Enter the command that ran.")
        return value

    def validate(self, attrs):
        """`chat_cmdlog_success_matches_exit` and `chat_cmdlog_dry_run_has_no_exit`."""
        exit_code = attrs.get("exit_code")
        if exit_code is None:
            return attrs
        if attrs.get("dry_run"):
            raise serializers.ValidationError(
                {"exit_code": ["A dry run runs nothing: leave the exit code out."]}
            )
        if attrs["success"] != (exit_code == 0):
            raise serializers.ValidationError(
                {"success": ["`success` is true exactly when the exit code is 0."]}
            )
        return attrs


# Shell sessions


class ShellSessionSerializer(serializers.ModelSerializer):
    status = EnumChoiceField(ShellSessionStatus, read_only=True)

    class Meta:
        model = ShellSession
        fields = [
            "id",
            "session_id",
            "project",
            "container_name",
            "command",
            "working_dir",
            "terminal_rows",
            "terminal_cols",
            "status",
            "last_activity_at",
            "closed_at",
            "bytes_read",
            "bytes_written",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ShellSessionCreateSerializer(serializers.ModelSerializer):
    """A new session; `container_name` is checked against the project's containers (CHT-30)."""

    class Meta:
        model = ShellSession
        fields = ["container_name", "command", "working_dir", "terminal_rows", "terminal_cols"]


class ShellSessionStatusSerializer(serializers.Serializer):
    """The runtime's report (CHT-31): the new status, and the terminal size if it changed."""

    status = EnumChoiceField(ShellSessionStatus)
    terminal_rows = terminal_size_field()
    terminal_cols = terminal_size_field()


class ShellSessionUsageSerializer(serializers.Serializer):
    """Bytes moved since the last report (CHT-33)."""

    bytes_read = serializers.IntegerField(min_value=0, max_value=BYTES_DELTA_MAX)
    bytes_written = serializers.IntegerField(min_value=0, max_value=BYTES_DELTA_MAX)


class ShellSessionUsageResultSerializer(serializers.Serializer):
    """The session's totals after the report."""

    bytes_read = serializers.IntegerField()
    bytes_written = serializers.IntegerField()
