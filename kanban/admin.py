"""Kanban in admin (DATA_MODEL.md §7): boards with their columns and tasks inline, tasks with
filters, comments and notes.

Every change that carries a rule goes through `kanban.services`, exactly as in the API: column
edits (KAN-3, KAN-5, KAN-6, KAN-8), task edits (KAN-9, KAN-10), task deletions (KAN-4) and the
"Renumber positions" action. Positions and columns are read-only here; moves go through the API.
A service's refusal rolls the whole save back and is shown as an error message. Boards and
notes are created on first use, tasks and comments through the API, so admin adds none of them.
Every table grows with the projects, so no changelist counts a whole table.
"""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect

from accounts.models import normalize_email
from config.admin import CascadeAdminMixin, DeclaredSearchMixin, LargeTableMixin, plural
from config.exceptions import DomainError
from kanban import services
from kanban.models import KanbanBoard, KanbanColumn, KanbanTask, KanbanTaskComment, ProjectNote


def _describe(error):
    """A domain error as one line for a message: its message, then each field's complaint."""
    details = [f"{field}: {' '.join(texts)}" for field, texts in error.fields.items()]
    return " ".join([error.message, *details])


class KanbanModelAdmin(LargeTableMixin, admin.ModelAdmin):
    """Changelists that never count a whole table, and service refusals shown as messages.

    Admin saves a change form and its inlines in one transaction; a `DomainError` raised by a
    service inside it leaves that transaction, so nothing of the save is kept.
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as error:
            self.message_user(request, f"Nothing was saved. {_describe(error)}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def has_add_permission(self, request):
        return False


class KanbanColumnInline(admin.TabularInline):
    model = KanbanColumn
    fields = ("name", "position", "is_backlog", "is_completed", "task_limit")
    readonly_fields = ("position",)
    ordering = ("position",)
    extra = 0


class KanbanTaskInline(admin.TabularInline):
    model = KanbanTask
    fields = ("reference", "title", "column", "position", "status")
    readonly_fields = ("reference", "column", "position", "status")
    ordering = ("column__position", "position")
    extra = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("column")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(KanbanBoard)
class KanbanBoardAdmin(DeclaredSearchMixin, CascadeAdminMixin, KanbanModelAdmin):
    list_display = ("name", "project", "task_counter", "created_at")
    list_select_related = ("project",)
    search_fields = ("name", "project__slug")
    search_help_text = "Board name prefix, or the project's exact slug."
    search_lookups = {"name__istartswith": None, "project__slug": str.lower}
    ordering = ("-created_at",)
    fields = (
        "id",
        "project",
        "name",
        "description",
        "settings",
        "task_counter",
        "created_at",
        "updated_at",
    )
    readonly_fields = ("id", "project", "task_counter", "created_at", "updated_at")
    inlines = (KanbanColumnInline, KanbanTaskInline)
    cascaded_models = (KanbanTask, KanbanTaskComment)
    actions = ("renumber_positions",)

    def save_model(self, request, obj, form, change):
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        services.board_update(actor=request.user, board=obj, changes=changes)

    def save_formset(self, request, form, formset, change):
        formset.save(commit=False)
        if formset.model is KanbanColumn:
            self._save_columns(request, form.instance, formset)
        else:
            for task, changed in formset.changed_objects:  # only the title is editable
                changes = {name: getattr(task, name) for name in changed}
                services.task_update(actor=request.user, task=task, changes=changes)

    def _save_columns(self, request, board, formset):
        for column in formset.deleted_objects:
            services.column_delete(actor=request.user, column=column)
        for column, changed in formset.changed_objects:
            changes = {name: getattr(column, name) for name in changed}
            services.column_update(actor=request.user, column=column, changes=changes)
        for column in formset.new_objects:
            services.column_create(
                actor=request.user,
                board=board,
                name=column.name,
                is_backlog=column.is_backlog,
                is_completed=column.is_completed,
                task_limit=column.task_limit,
            )

    @admin.action(description="Renumber positions", permissions=["change"])
    def renumber_positions(self, request, queryset):
        boards = list(queryset.order_by("pk"))
        moved = sum(services.board_renumber(actor=request.user, board=board) for board in boards)
        self.message_user(
            request,
            f"Renumbered {plural(len(boards), 'board')}: {plural(moved, 'position')} corrected.",
        )


class ColumnRoleFilter(admin.SimpleListFilter):
    """The column a task is in, by its role on the board. A list of every column of every
    board would run to one entry per project."""

    title = "column"
    parameter_name = "column"

    def lookups(self, request, model_admin):
        return (
            ("backlog", "Backlog column"),
            ("completed", "Completed column"),
            ("other", "Other columns"),
        )

    def queryset(self, request, queryset):
        match self.value():
            case "backlog":
                return queryset.filter(column__is_backlog=True)
            case "completed":
                return queryset.filter(column__is_completed=True)
            case "other":
                return queryset.filter(column__is_backlog=False, column__is_completed=False)
        return queryset


class KanbanTaskCommentInline(admin.TabularInline):
    model = KanbanTaskComment
    fields = ("user", "content", "created_at")
    readonly_fields = fields
    ordering = ("created_at",)
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(KanbanTask)
class KanbanTaskAdmin(DeclaredSearchMixin, CascadeAdminMixin, KanbanModelAdmin):
    list_display = (
        "reference",
        "title",
        "board",
        "column",
        "status",
        "priority",
        "assignee",
        "due_date",
    )
    list_select_related = ("board", "column", "assignee")
    list_filter = ("status", "priority", "task_type", ColumnRoleFilter)
    search_fields = ("title",)
    search_help_text = "Title prefix."
    search_lookups = {"title__istartswith": None}
    ordering = ("-created_at",)
    raw_id_fields = ("assignee",)
    fields = (
        "id",
        "reference",
        "board",
        "column",
        "position",
        "title",
        "description",
        "status",
        "priority",
        "task_type",
        "assignee",
        "reporter",
        "due_date",
        "tags",
        "completed_at",
        "version",
        "created_at",
        "updated_at",
    )
    readonly_fields = (
        "id",
        "reference",
        "board",
        "column",
        "position",
        "reporter",
        "completed_at",
        "version",
        "created_at",
        "updated_at",
    )
    inlines = (KanbanTaskCommentInline,)
    cascaded_models = (KanbanTaskComment,)

    @admin.display(description="reference", ordering="ref_number")
    def reference(self, task):
        return task.reference

    def save_model(self, request, obj, form, change):
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        services.task_update(actor=request.user, task=obj, changes=changes)

    def delete_model(self, request, obj):
        services.task_delete(actor=request.user, task=obj)

    def delete_queryset(self, request, queryset):
        # Board by board, so two deletions spanning the same boards lock them in one order.
        for task in queryset.order_by("board_id", "pk"):
            services.task_delete(actor=request.user, task=task)


@admin.register(KanbanTaskComment)
class KanbanTaskCommentAdmin(DeclaredSearchMixin, KanbanModelAdmin):
    """View and delete only: a comment's words are its author's (KAN-13)."""

    list_display = ("task", "user", "short_content", "created_at")
    list_select_related = ("task", "user")
    search_fields = ("user__email",)
    search_help_text = "The author's exact email."
    search_lookups = {"user__email": normalize_email}
    ordering = ("-created_at",)
    fields = ("id", "task", "user", "content", "created_at", "updated_at")

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="content")
    def short_content(self, comment):
        return comment.short_content


@admin.register(ProjectNote)
class ProjectNoteAdmin(DeclaredSearchMixin, KanbanModelAdmin):
    """View and delete only: the content is the owner's document (§7.5)."""

    list_display = ("project", "content_format", "updated_at")
    list_select_related = ("project",)
    list_filter = ("content_format",)
    search_fields = ("project__slug",)
    search_help_text = "The project's exact slug."
    search_lookups = {"project__slug": str.lower}
    ordering = ("-updated_at",)
    fields = ("id", "project", "content_format", "content", "version", "created_at", "updated_at")

    def has_change_permission(self, request, obj=None):
        return False
