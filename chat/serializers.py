"""Request and response shapes of the chat API (API.md §9.3).

Read serializers render rows the views have already loaded, so they never query. Write
serializers only validate, each rule with a database twin in `chat.models`; the services
write. Text that people or programs wrote (messages, commands, output) keeps its whitespace.
"""

from rest_framework import serializers

from chat.models import (
    ATTACHMENTS_PER_MESSAGE,
    COMMAND_MAX_BYTES,
    MESSAGE_CONTENT_MAX_BYTES,
    MESSAGE_METADATA,
    RUN_JSON,
    SUMMARY_MAX_BYTES,
    TERMINAL_SIZE_MAX,
    AgentCommandLog,
    AgentRun,
    BookmarkKind,
    Chat,
    ChatBookmark,
    ChatStatus,
    ChatSummary,
    Message,
    MessageAttachment,
    MessageRole,
    RiskLevel,
    RunStatus,
    RunType,
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


class AttachmentSerializer(serializers.ModelSerializer):
    """An asset attached to a message (CHT-47): enough to show it; the asset's own route
    downloads it."""

    filename = serializers.CharField(source="asset.filename", read_only=True)
    mime_type = serializers.CharField(source="asset.mime_type", read_only=True)
    file_size = serializers.IntegerField(source="asset.file_size", read_only=True)

    class Meta:
        model = MessageAttachment
        fields = ["asset", "filename", "mime_type", "file_size"]
        read_only_fields = fields


class PostedMessageSerializer(MessageSerializer):
    """A message just posted, with its attachments (CHT-47)."""

    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta(MessageSerializer.Meta):
        fields = [*MessageSerializer.Meta.fields, "attachments"]
        read_only_fields = fields


class MessageWriteSerializer(serializers.Serializer):
    """CHT-11 decides who may send which role (before this runs); this checks the shape."""

    role = EnumChoiceField(MessageRole)
    content = verbatim_text(max_bytes=MESSAGE_CONTENT_MAX_BYTES, allow_blank=True)
    message_metadata = serializers.JSONField(
        required=False, default=dict, validators=[MESSAGE_METADATA]
    )
    attachment_ids = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        default=list,
        max_length=ATTACHMENTS_PER_MESSAGE,
        help_text="CHT-47: up to 10 assets of the chat's project.",
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


# Agent runs (EXTENSIONS.md §1)


class AgentRunSerializer(serializers.ModelSerializer):
    run_type = EnumChoiceField(RunType, read_only=True)
    status = EnumChoiceField(RunStatus, read_only=True)

    class Meta:
        model = AgentRun
        fields = [
            "id",
            "chat",
            "run_type",
            "status",
            "version",
            "model",
            "trigger_message",
            "result_message",
            "parent_run",
            "input",
            "metrics",
            "error_code",
            "error_message",
            "request_id",
            "started_at",
            "finished_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class AgentRunClaimSerializer(serializers.Serializer):
    """The runtime's claim (CHT-40, CHT-44): `request_id` makes a retry return the first run."""

    request_id = serializers.CharField(max_length=255)
    run_type = EnumChoiceField(RunType, required=False, default=RunType.AGENT_RUN)
    model = serializers.CharField(max_length=255)
    input = serializers.JSONField(required=False, default=dict, validators=[RUN_JSON])
    trigger_message = serializers.UUIDField(required=False, allow_null=True, default=None)
    parent_run = serializers.UUIDField(required=False, allow_null=True, default=None)

    def validate(self, attrs):
        attrs["trigger_message_id"] = attrs.pop("trigger_message")
        attrs["parent_run_id"] = attrs.pop("parent_run")
        return attrs


class AgentRunStatusSerializer(serializers.Serializer):
    """The runtime's report (CHT-41, CHT-42). With `version`, it applies only to that version."""

    status = EnumChoiceField(RunStatus)
    version = serializers.IntegerField(min_value=0, required=False, allow_null=True, default=None)
    error_code = serializers.CharField(max_length=64, required=False, default="")
    error_message = serializers.CharField(required=False, default="", trim_whitespace=False)
    metrics = serializers.JSONField(required=False, default=None, validators=[RUN_JSON])
    result_message = serializers.UUIDField(required=False, allow_null=True, default=None)

    def validate(self, attrs):
        attrs["result_message_id"] = attrs.pop("result_message")
        return attrs


# Summaries (EXTENSIONS.md §3)


class ChatSummarySerializer(serializers.ModelSerializer):
    compression_ratio = serializers.FloatField(read_only=True)

    class Meta:
        model = ChatSummary
        fields = [
            "id",
            "chat",
            "end_message",
            "parent_summary",
            "run",
            "summary_text",
            "original_tokens",
            "summary_tokens",
            "compression_ratio",
            "model",
            "created_at",
        ]
        read_only_fields = fields


class ChatSummaryWriteSerializer(serializers.Serializer):
    """CHT-46: the runtime's compaction up to `end_message`, a message of this chat."""

    end_message = serializers.UUIDField()
    parent_summary = serializers.UUIDField(required=False, allow_null=True, default=None)
    run = serializers.UUIDField(required=False, allow_null=True, default=None)
    summary_text = verbatim_text(max_bytes=SUMMARY_MAX_BYTES)
    original_tokens = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    summary_tokens = serializers.IntegerField(min_value=0, max_value=2**31 - 1)
    model = serializers.CharField(max_length=255)

    def validate(self, attrs):
        if not attrs["summary_text"].strip():
            raise serializers.ValidationError({"summary_text": ["Write the summary."]})
        if attrs["summary_tokens"] > attrs["original_tokens"]:
            raise serializers.ValidationError(
                {"summary_tokens": ["A summary is no longer than what it summarizes."]}
            )
        return {
            "end_message_id": attrs["end_message"],
            "parent_summary_id": attrs["parent_summary"],
            "run_id": attrs["run"],
            **{
                name: attrs[name]
                for name in ("summary_text", "original_tokens", "summary_tokens", "model")
            },
        }


# Bookmarks (EXTENSIONS.md §8)


class ChatBookmarkSerializer(serializers.ModelSerializer):
    """A bookmark with what a list of them shows of its chat; archived chats are listed,
    flagged by `chat_status` (CHT-48)."""

    kind = EnumChoiceField(BookmarkKind, read_only=True)
    project = serializers.UUIDField(source="chat.project_id", read_only=True)
    chat_title = serializers.CharField(source="chat.title", read_only=True)
    chat_status = EnumChoiceField(ChatStatus, source="chat.status", read_only=True)

    class Meta:
        model = ChatBookmark
        fields = ["id", "kind", "chat", "project", "chat_title", "chat_status", "created_at"]
        read_only_fields = fields
