"""Request and response shapes of the kanban API (API.md §9.6).

Read serializers render rows that the views' querysets have already joined and prefetched, so
they never query. Write serializers only validate; the services write. A related id in a write
(`column`, `assignee`) is looked up only among the rows the caller's board or project allows,
so another board's column and a non-existent id get the same 400 (KAN-10, KAN-12).

Write serializers that name a column or an assignee need `board` and `project` in their
context (the views add both).
"""

from rest_framework import serializers

from accounts.models import User
from accounts.serializers import UserSummarySerializer
from config.fields import UtcDateTimeField
from config.schema import EnumChoiceField
from config.validators import JsonValidator
from kanban.models import (
    BOARD_SETTINGS_MAX_BYTES,
    NOTE_MAX_BYTES,
    ContentFormat,
    EditableTaskStatus,
    KanbanBoard,
    KanbanColumn,
    KanbanTask,
    KanbanTaskComment,
    ProjectNote,
    TaskPriority,
    TaskStatus,
    TaskType,
)
from kanban.validators import (
    TAG_MAX_LENGTH,
    TAGS_MAX_ITEMS,
    validate_tags,
)

# Positions are clamped to the end of their list (KAN-3, KAN-4); the bound only keeps numbers
# inside PostgreSQL's integer.
INTEGER_MAX = 2**31 - 1


def position_field(**kwargs):
    return serializers.IntegerField(min_value=0, max_value=INTEGER_MAX, **kwargs)


def version_field():
    """KAN-11: the version the client last read; optional (API.md §8.2)."""
    return serializers.IntegerField(
        min_value=1,
        max_value=INTEGER_MAX,
        required=False,
        help_text="The version you last read; 409 `stale_version` if it changed since.",
    )


def tags_field(**kwargs):
    return serializers.ListField(
        child=serializers.CharField(max_length=TAG_MAX_LENGTH),
        max_length=TAGS_MAX_ITEMS,
        validators=[validate_tags],
        **kwargs,
    )


class BoardColumnField(serializers.PrimaryKeyRelatedField):
    """A column of the board in the context, and no other (KAN-12)."""

    def __init__(self, **kwargs):
        super().__init__(pk_field=serializers.UUIDField(), **kwargs)

    def get_queryset(self):
        return KanbanColumn.objects.filter(board=self.context["board"]).only("id", "board_id")


class ProjectOwnerField(serializers.PrimaryKeyRelatedField):
    """KAN-10: the project's owner, or null. Projects have a single owner."""

    def __init__(self, **kwargs):
        super().__init__(pk_field=serializers.UUIDField(), allow_null=True, **kwargs)

    def get_queryset(self):
        return User.objects.filter(pk=self.context["project"].owner_id)


# Responses


class KanbanBoardTaskSerializer(serializers.ModelSerializer):
    """A task card as the board shows it."""

    reference = serializers.CharField(read_only=True)
    status = EnumChoiceField(TaskStatus, read_only=True)
    priority = EnumChoiceField(TaskPriority, read_only=True)
    task_type = EnumChoiceField(TaskType, read_only=True)
    assignee = UserSummarySerializer(read_only=True, allow_null=True)
    tags = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = KanbanTask
        fields = [
            "id",
            "reference",
            "title",
            "position",
            "status",
            "priority",
            "task_type",
            "assignee",
            "due_date",
            "tags",
            "completed_at",
            "version",
        ]
        read_only_fields = fields


class KanbanTaskSerializer(KanbanBoardTaskSerializer):
    """A task with its details."""

    reporter = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta(KanbanBoardTaskSerializer.Meta):
        fields = [
            *KanbanBoardTaskSerializer.Meta.fields,
            "description",
            "column",
            "ref_number",
            "reporter",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


COLUMN_FIELDS = [
    "id",
    "name",
    "description",
    "position",
    "color",
    "is_backlog",
    "is_completed",
    "task_limit",
    "task_count",
]


class KanbanColumnSerializer(serializers.ModelSerializer):
    """A column; `task_count` is annotated by the view's queryset."""

    task_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = KanbanColumn
        fields = COLUMN_FIELDS
        read_only_fields = fields


class KanbanBoardColumnSerializer(serializers.ModelSerializer):
    """A column on the board, with its tasks in position order (prefetched)."""

    task_count = serializers.SerializerMethodField()
    tasks = KanbanBoardTaskSerializer(many=True, read_only=True)

    class Meta:
        model = KanbanColumn
        fields = [*COLUMN_FIELDS, "tasks"]
        read_only_fields = fields

    def get_task_count(self, column) -> int:
        return len(column.tasks.all())


class KanbanBoardSerializer(serializers.ModelSerializer):
    """The board with its columns and their tasks (W4: three queries with the project)."""

    settings = serializers.DictField(read_only=True)
    columns = KanbanBoardColumnSerializer(many=True, read_only=True)

    class Meta:
        model = KanbanBoard
        fields = ["id", "name", "description", "settings", "task_counter", "columns"]
        read_only_fields = fields


class KanbanColumnPositionSerializer(serializers.Serializer):
    """Where a column stands after a move (KAN-3)."""

    id = serializers.UUIDField()
    position = serializers.IntegerField()


class KanbanTaskCommentSerializer(serializers.ModelSerializer):
    author = UserSummarySerializer(source="user", read_only=True)

    class Meta:
        model = KanbanTaskComment
        fields = ["id", "author", "content", "created_at", "updated_at"]
        read_only_fields = fields


class ProjectNoteSerializer(serializers.ModelSerializer):
    content_format = EnumChoiceField(ContentFormat, read_only=True)

    class Meta:
        model = ProjectNote
        fields = ["content", "content_format", "version", "updated_at"]
        read_only_fields = fields


# Requests


class KanbanBoardWriteSerializer(serializers.ModelSerializer):
    settings = serializers.DictField(validators=[JsonValidator(max_bytes=BOARD_SETTINGS_MAX_BYTES)])

    class Meta:
        model = KanbanBoard
        fields = ["name", "description", "settings"]


class ColumnRolesMixin:
    """KAN-6's `kanban_column_single_role`: the backlog or the completed column, not both."""

    def validate(self, attrs):
        current = self.instance
        is_backlog = attrs.get("is_backlog", current.is_backlog if current else False)
        is_completed = attrs.get("is_completed", current.is_completed if current else False)
        if is_backlog and is_completed:
            raise serializers.ValidationError(
                "A column is the backlog or the completed one, not both."
            )
        return attrs


class KanbanColumnCreateSerializer(ColumnRolesMixin, serializers.ModelSerializer):
    position = position_field(
        required=False, help_text="Where the column goes; by default the end (KAN-3)."
    )

    class Meta:
        model = KanbanColumn
        fields = [
            "name",
            "description",
            "color",
            "is_backlog",
            "is_completed",
            "task_limit",
            "position",
        ]
        extra_kwargs = {"task_limit": {"min_value": 1}}
        # Name clashes are the service's 409 `already_exists` (API.md §9.6), not DRF's 400.
        validators = []


class KanbanColumnUpdateSerializer(ColumnRolesMixin, serializers.ModelSerializer):
    class Meta:
        model = KanbanColumn
        fields = ["name", "description", "color", "is_backlog", "is_completed", "task_limit"]
        extra_kwargs = {"task_limit": {"min_value": 1}}
        validators = []


class KanbanColumnMoveSerializer(serializers.Serializer):
    position = position_field(help_text="Clamped to the last position (KAN-3).")


class KanbanTaskCreateSerializer(serializers.ModelSerializer):
    column = BoardColumnField()
    priority = EnumChoiceField(TaskPriority, required=False)
    task_type = EnumChoiceField(TaskType, required=False)
    assignee = ProjectOwnerField(required=False)
    due_date = UtcDateTimeField(required=False, allow_null=True)
    tags = tags_field(required=False)
    position = position_field(
        required=False, help_text="Where the task goes; by default the end (KAN-4)."
    )

    class Meta:
        model = KanbanTask
        fields = [
            "column",
            "title",
            "description",
            "priority",
            "task_type",
            "assignee",
            "due_date",
            "tags",
            "position",
        ]
        # DRF would build a unique-together validator from (column, position), making
        # `position` required and refusing an occupied one; positions are KAN-4's to decide.
        validators = []


class KanbanTaskUpdateSerializer(serializers.ModelSerializer):
    status = EnumChoiceField(EditableTaskStatus, required=False)
    priority = EnumChoiceField(TaskPriority, required=False)
    task_type = EnumChoiceField(TaskType, required=False)
    assignee = ProjectOwnerField(required=False)
    due_date = UtcDateTimeField(required=False, allow_null=True)
    tags = tags_field(required=False)
    version = version_field()

    class Meta:
        model = KanbanTask
        fields = [
            "title",
            "description",
            "status",
            "priority",
            "task_type",
            "assignee",
            "due_date",
            "tags",
            "version",
        ]
        validators = []


class KanbanTaskMoveSerializer(serializers.Serializer):
    column = BoardColumnField()
    position = position_field(
        required=False,
        help_text="Clamped to the end of the column (KAN-4); left out, the end of the column.",
    )


class KanbanTaskCommentWriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = KanbanTaskComment
        fields = ["content"]


class ProjectNoteWriteSerializer(serializers.ModelSerializer):
    # Stored verbatim (§7.5): no trimming.
    content = serializers.CharField(allow_blank=True, trim_whitespace=False)
    content_format = EnumChoiceField(ContentFormat)
    version = version_field()

    class Meta:
        model = ProjectNote
        fields = ["content", "content_format", "version"]

    def validate_content(self, value):
        if len(value.encode()) > NOTE_MAX_BYTES:
            raise serializers.ValidationError("Keep the note under 1 MiB.")
        return value
