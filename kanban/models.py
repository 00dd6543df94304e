"""Each project's task board and notes (DATA_MODEL.md §7).

Every row belongs to a project, and through it to the project's owner: the querysets'
`visible_to(user)` is the one place that says so. Positions, reference numbers, WIP limits and
completion change only through `kanban.services`, under the board row's lock (KAN-2); the
models hold the fields, the database constraints and the properties.
"""

from django.db import models
from django.db.models import Deferrable, Q, Value
from django.db.models.functions import Length
from django.db.models.lookups import Exact, LessThanOrEqual

from config.audit import audited
from config.models import BaseModel
from config.validators import JsonValidator
from kanban.validators import (
    COLOR_RE,
    TAGS_MAX_ITEMS,
    validate_color,
    validate_tags,
)

BOARD_NAME_MAX_LENGTH = 200
# The spec gives no limit for the descriptions of boards and columns; these keep a row small.
BOARD_DESCRIPTION_MAX_LENGTH = 10_000
BOARD_SETTINGS_MAX_BYTES = 16 * 1024
COLUMN_NAME_MAX_LENGTH = 100
COLUMN_DESCRIPTION_MAX_LENGTH = 2_000
TASK_TITLE_MAX_LENGTH = 300
TASK_DESCRIPTION_MAX_LENGTH = 50_000
COMMENT_MAX_LENGTH = 10_000
NOTE_MAX_BYTES = 1024 * 1024
# PostgreSQL regex: at least one non-whitespace character. Serializers strip input first.
HAS_TEXT = r"\S"


class JsonbTypeof(models.Func):
    function = "JSONB_TYPEOF"
    output_field = models.CharField()


class JsonbArrayLength(models.Func):
    function = "JSONB_ARRAY_LENGTH"
    output_field = models.IntegerField()


class OctetLength(models.Func):
    """Byte length of a text column (the database is UTF-8, so its UTF-8 length)."""

    function = "OCTET_LENGTH"
    output_field = models.IntegerField()


def _text_within(field, max_length):
    """A check-constraint condition: `field` has some text and at most `max_length` characters."""
    return Q(**{f"{field}__regex": HAS_TEXT}) & LessThanOrEqual(Length(field), max_length)


class TaskStatus(models.TextChoices):
    OPEN = "open"
    BLOCKED = "blocked"
    REVIEW = "review"
    DONE = "done"


class EditableTaskStatus(models.TextChoices):
    """KAN-9: the statuses a PATCH may set; `done` comes only from the completed column."""

    OPEN = TaskStatus.OPEN.value
    BLOCKED = TaskStatus.BLOCKED.value
    REVIEW = TaskStatus.REVIEW.value


class TaskPriority(models.TextChoices):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"


# Lowest first: `ordering=priority` sorts by rank, not alphabetically.
PRIORITY_RANK = {priority: rank for rank, priority in enumerate(TaskPriority)}


class TaskType(models.TextChoices):
    FEATURE = "feature"
    BUG = "bug"
    TASK = "task"
    EPIC = "epic"
    STORY = "story"


class ContentFormat(models.TextChoices):
    HTML = "html", "HTML"
    JSON = "json", "JSON"
    MARKDOWN = "markdown"


class KanbanBoardQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The boards of `user`'s own projects; nobody else's (API.md §3, owner)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(project__owner=user)


@audited()
class KanbanBoard(BaseModel):
    """The task board of a project (§7.1): one per project, made on first use (KAN-1)."""

    project = models.OneToOneField(
        "projects.Project", on_delete=models.CASCADE, related_name="kanban_board"
    )
    name = models.CharField(max_length=BOARD_NAME_MAX_LENGTH)
    description = models.TextField(blank=True, max_length=BOARD_DESCRIPTION_MAX_LENGTH)
    task_counter = models.PositiveIntegerField(default=0)
    settings = models.JSONField(
        default=dict, blank=True, validators=[JsonValidator(max_bytes=BOARD_SETTINGS_MAX_BYTES)]
    )

    objects = KanbanBoardQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(name__regex=HAS_TEXT), name="kanban_board_name_not_blank"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("description"), BOARD_DESCRIPTION_MAX_LENGTH),
                name="kanban_board_description_length",
            ),
            models.CheckConstraint(
                condition=Exact(JsonbTypeof("settings"), Value("object")),
                name="kanban_board_settings_object",
            ),
        ]

    def __str__(self):
        return self.name


class KanbanColumnQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(board__project__owner=user)


@audited()
class KanbanColumn(BaseModel):
    """One column of a board, with an optional WIP limit (§7.2)."""

    board = models.ForeignKey(
        "kanban.KanbanBoard",
        on_delete=models.CASCADE,
        related_name="columns",
        db_index=False,  # covered by the unique (board, position) index
    )
    name = models.CharField(max_length=COLUMN_NAME_MAX_LENGTH)
    description = models.TextField(blank=True, max_length=COLUMN_DESCRIPTION_MAX_LENGTH)
    position = models.PositiveIntegerField()
    color = models.CharField(max_length=7, blank=True, validators=[validate_color])
    is_backlog = models.BooleanField(default=False)
    is_completed = models.BooleanField(default=False)
    task_limit = models.PositiveIntegerField(null=True, blank=True)

    objects = KanbanColumnQuerySet.as_manager()

    class Meta:
        constraints = [
            # Deferred, so a renumbering UPDATE may pass through duplicates (KAN-3).
            models.UniqueConstraint(
                fields=["board", "position"],
                name="kanban_column_position_unique",
                deferrable=Deferrable.DEFERRED,
            ),
            models.UniqueConstraint(fields=["board", "name"], name="kanban_column_name_unique"),
            models.UniqueConstraint(
                fields=["board"], condition=Q(is_backlog=True), name="kanban_column_one_backlog"
            ),
            models.UniqueConstraint(
                fields=["board"],
                condition=Q(is_completed=True),
                name="kanban_column_one_completed",
            ),
            models.CheckConstraint(
                condition=~Q(is_backlog=True, is_completed=True),
                name="kanban_column_single_role",
            ),
            models.CheckConstraint(
                condition=Q(task_limit__isnull=True) | Q(task_limit__gte=1),
                name="kanban_column_task_limit_positive",
            ),
            models.CheckConstraint(
                condition=Q(name__regex=HAS_TEXT), name="kanban_column_name_not_blank"
            ),
            models.CheckConstraint(
                condition=Q(color="") | Q(color__regex=COLOR_RE), name="kanban_column_color_valid"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("description"), COLUMN_DESCRIPTION_MAX_LENGTH),
                name="kanban_column_description_length",
            ),
        ]

    def __str__(self):
        return self.name


def task_reference(ref_number):
    """`KanbanTask.reference` from its number alone, so the board's `.values()` rows
    (kanban.selectors) format it as the model does."""
    return f"TSK-{ref_number:04d}"


class KanbanTaskQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(board__project__owner=user)

    def with_priority_rank(self):
        """`priority_rank`: 0 for low up to 3 for critical, so priorities sort by weight."""
        whens = [
            models.When(priority=priority, then=Value(rank))
            for priority, rank in PRIORITY_RANK.items()
        ]
        return self.annotate(priority_rank=models.Case(*whens, output_field=models.IntegerField()))


@audited()
class KanbanTask(BaseModel):
    """One task card: its place on the board and its details (§7.3)."""

    board = models.ForeignKey(
        "kanban.KanbanBoard",
        on_delete=models.CASCADE,
        related_name="tasks",
        db_index=False,  # covered by the unique (board, ref_number) index
    )
    column = models.ForeignKey(
        "kanban.KanbanColumn",
        on_delete=models.CASCADE,
        related_name="tasks",
        db_index=False,  # covered by the unique (column, position) index
    )
    ref_number = models.PositiveIntegerField()
    title = models.CharField(max_length=TASK_TITLE_MAX_LENGTH)
    description = models.TextField(blank=True, max_length=TASK_DESCRIPTION_MAX_LENGTH)
    position = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=TaskStatus, default=TaskStatus.OPEN)
    priority = models.CharField(max_length=10, choices=TaskPriority, default=TaskPriority.MEDIUM)
    task_type = models.CharField(max_length=10, choices=TaskType, default=TaskType.TASK)
    assignee = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_kanban_tasks",
    )
    reporter = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reported_kanban_tasks",
    )
    due_date = models.DateTimeField(null=True, blank=True)
    tags = models.JSONField(
        default=list, blank=True, validators=[JsonValidator(list, rules=(validate_tags,))]
    )
    completed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = KanbanTaskQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=TaskStatus.values), name="kanban_task_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(priority__in=TaskPriority.values), name="kanban_task_priority_valid"
            ),
            models.CheckConstraint(
                condition=Q(task_type__in=TaskType.values), name="kanban_task_task_type_valid"
            ),
            # Deferred, so the shifting UPDATEs of KAN-4 may pass through duplicates.
            models.UniqueConstraint(
                fields=["column", "position"],
                name="kanban_task_position_unique",
                deferrable=Deferrable.DEFERRED,
            ),
            models.UniqueConstraint(fields=["board", "ref_number"], name="kanban_task_ref_unique"),
            models.CheckConstraint(
                condition=Q(status=TaskStatus.DONE, completed_at__isnull=False)
                | (~Q(status=TaskStatus.DONE) & Q(completed_at__isnull=True)),
                name="kanban_task_done_iff_completed_at",
            ),
            models.CheckConstraint(
                condition=_text_within("title", TASK_TITLE_MAX_LENGTH),
                name="kanban_task_title_not_blank",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("description"), TASK_DESCRIPTION_MAX_LENGTH),
                name="kanban_task_description_length",
            ),
            # The strings inside are checked by `validate_tags`; a CHECK cannot iterate.
            models.CheckConstraint(
                condition=Exact(JsonbTypeof("tags"), Value("array"))
                & LessThanOrEqual(JsonbArrayLength("tags"), TAGS_MAX_ITEMS),
                name="kanban_task_tags_list",
            ),
            models.CheckConstraint(
                condition=Q(ref_number__gte=1) & Q(version__gte=1),
                name="kanban_task_counters_positive",
            ),
        ]
        indexes = [
            models.Index(fields=["board", "status"]),
            models.Index(fields=["board", "priority"]),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"

    @property
    def reference(self):
        """The per-board reference shown to people: `TSK-0001` (KAN-7)."""
        return task_reference(self.ref_number)


class KanbanTaskCommentQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(task__board__project__owner=user)


@audited()
class KanbanTaskComment(BaseModel):
    """A comment on a task (§7.4); only its author edits or deletes it (KAN-13)."""

    task = models.ForeignKey(
        "kanban.KanbanTask",
        on_delete=models.CASCADE,
        related_name="comments",
        db_index=False,  # covered by the (task, created_at) index
    )
    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="kanban_comments"
    )
    content = models.TextField(max_length=COMMENT_MAX_LENGTH)

    objects = KanbanTaskCommentQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=_text_within("content", COMMENT_MAX_LENGTH),
                name="kanban_comment_content_length",
            ),
        ]
        indexes = [models.Index(fields=["task", "created_at"])]

    def __str__(self):
        return f"{self.user} on {self.task.reference}: {self.short_content}"

    @property
    def short_content(self):
        return self.content if len(self.content) <= 60 else f"{self.content[:59]}…"


class ProjectNoteQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(project__owner=user)


@audited()
class ProjectNote(BaseModel):
    """The project's rich-text notes, one document per project (§7.5), made on first use."""

    project = models.OneToOneField(
        "projects.Project", on_delete=models.CASCADE, related_name="note"
    )
    # Stored verbatim; clients sanitise HTML before rendering it.
    content = models.TextField(blank=True)
    content_format = models.CharField(
        max_length=10, choices=ContentFormat, default=ContentFormat.HTML
    )
    version = models.PositiveIntegerField(default=1)

    objects = ProjectNoteQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(content_format__in=ContentFormat.values),
                name="kanban_note_content_format_valid",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(OctetLength("content"), NOTE_MAX_BYTES),
                name="kanban_note_content_size",
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1), name="kanban_note_version_positive"
            ),
        ]

    def __str__(self):
        return f"Notes of {self.project}"
