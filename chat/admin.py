"""Chats, messages, agent command logs and shell sessions in admin (DATA_MODEL.md §4).

Messages and command logs are insert-only (§1.8): read-only here, with no add and no delete.
They, and the chats, grow without bound, so their changelists never count a whole table and
their searches are exact matches that indexes answer. Every change staff make to a chat or a
session goes through `chat.services`, as in the API.
"""

from django import forms
from django.contrib import admin
from django.forms.models import BaseInlineFormSet

from accounts.models import normalize_email
from chat import services
from chat.models import AgentCommandLog, Chat, ChatStatus, Message, ShellSession, shorten
from config.admin import (
    CascadeAdminMixin,
    DeclaredSearchMixin,
    EstimatedCountPaginator,
    ViewOnlyMixin,
    as_uuid,
    changelist_link,
    contains,
    plural,
    report,
)
from config.exceptions import InvalidStateTransition

LATEST_MESSAGES = 20


class BigTableAdmin(DeclaredSearchMixin, admin.ModelAdmin):
    """A changelist that never counts a whole table (DATA_MODEL.md §1.1)."""

    show_full_result_count = False
    paginator = EstimatedCountPaginator


class InsertOnlyAdmin(ViewOnlyMixin, BigTableAdmin):
    """Rows only services write (§1.8): shown, never added, changed or deleted here.

    Their keys are still declared `raw_id_fields`: a form that ever shows one gets an id input,
    never a <select> of every chat or project.
    """


# Chats


class LatestMessagesFormSet(BaseInlineFormSet):
    """The chat's latest messages only, newest first: a chat may hold millions."""

    def get_queryset(self):
        if not hasattr(self, "_queryset"):
            latest = self.queryset.with_preview().order_by("-created_at", "-id")
            self._queryset = latest[:LATEST_MESSAGES]
        return self._queryset


class LatestMessagesInline(admin.TabularInline):
    model = Message
    formset = LatestMessagesFormSet
    verbose_name_plural = f"latest {LATEST_MESSAGES} messages (newest first)"
    fields = ("created_at", "role", "content_start")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="content")
    def content_start(self, message):
        return shorten(message.content_preview)


class ChatAdminForm(forms.ModelForm):
    class Meta:
        model = Chat
        fields = ("project", "title", "status")

    def clean(self):
        """CHT-3, checked here so staff get a form error; the service holds it in a race."""
        cleaned = super().clean()
        archived = not self.instance._state.adding and self.instance.status == ChatStatus.ARCHIVED
        reopening = cleaned.get("status") == ChatStatus.ACTIVE
        if archived and not reopening and "title" in self.changed_data:
            raise forms.ValidationError(
                "An archived chat is read-only: set its status back to active to rename it."
            )
        return cleaned


@admin.register(Chat)
class ChatAdmin(CascadeAdminMixin, BigTableAdmin):
    form = ChatAdminForm
    list_display = (
        "display_title",
        "project",
        "user",
        "status",
        "message_count",
        "last_message_at",
        "messages_link",
    )
    list_filter = ("status",)
    list_select_related = ("project", "user")
    search_fields = ("title",)  # shows the box; the search itself is below
    search_help_text = (
        "Part of the title (3 characters or more), the exact chat id, exact project slug or the "
        "owner's exact email."
    )
    search_lookups = {
        "pk": as_uuid,
        "title__icontains": contains,
        "project__slug": str.lower,
        "user__email": normalize_email,
    }
    raw_id_fields = ("project",)
    ordering = ("-created_at", "-id")
    inlines = (LatestMessagesInline,)
    cascaded_models = (Message,)
    actions = ("archive", "reopen")

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("project", "title")  # CHT-1: the owner follows from the project
        return (
            "id",
            "project",
            "user",
            "title",
            "status",
            "message_count",
            "last_message_at",
            "messages_link",
            "created_at",
            "updated_at",
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (
            "id",
            "project",
            "user",
            "message_count",
            "last_message_at",
            "messages_link",
            "created_at",
            "updated_at",
        )

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else ()

    def save_model(self, request, obj, form, change):
        if not change:
            created = services.chat_create(actor=request.user, project=obj.project, title=obj.title)
            obj.pk = created.pk
            obj.refresh_from_db()
            return
        edited = {"title", "status"} & set(form.changed_data)
        changes = {name: form.cleaned_data[name] for name in edited}
        if changes:
            services.chat_update(actor=request.user, chat=obj, changes=changes)

    @admin.display(description="title", ordering="title")
    def display_title(self, chat):
        return str(chat)

    @admin.display(description="messages")
    def messages_link(self, chat):
        return changelist_link(Message, f"chat__exact={chat.pk}", "Open messages")

    @admin.action(description="Archive selected chats", permissions=["change"])
    def archive(self, request, queryset):
        self._set_status(request, queryset, ChatStatus.ARCHIVED, "Archived", "already archived")

    @admin.action(description="Reopen selected chats", permissions=["change"])
    def reopen(self, request, queryset):
        self._set_status(request, queryset, ChatStatus.ACTIVE, "Reopened", "already active")

    def _set_status(self, request, queryset, status, done, reason):
        chats = list(queryset.order_by("pk"))
        changing = [chat for chat in chats if chat.status != status]
        for chat in changing:
            services.chat_update(actor=request.user, chat=chat, changes={"status": status})
        done = f"{done} {plural(len(changing), 'chat')}"
        report(self, request, done, [reason] * (len(chats) - len(changing)))


# Messages and command logs: insert-only


@admin.register(Message)
class MessageAdmin(InsertOnlyAdmin):
    list_display = ("chat", "role", "content_start", "created_at")
    list_filter = ("role",)
    list_select_related = ("chat",)
    search_fields = ("chat__id",)  # shows the box; the search itself is below
    search_help_text = "Exact chat id."
    search_lookups = {"chat_id": as_uuid}
    raw_id_fields = ("chat",)
    # The order of the table's one index (DATA_MODEL.md 4.2), read backwards: a page is a range
    # of it, for one chat (the search) as for all, where a newest-first order over all chats
    # would sort millions of rows (PERFORMANCE.md W8). Each chat's newest come first.
    ordering = ("-chat_id", "-created_at", "-id")
    sortable_by = ()
    fields = ("id", "chat", "role", "content", "message_metadata", "created_at")

    def get_queryset(self, request):
        # A changelist shows a line per message; the change page loads the rest on access.
        return super().get_queryset(request).with_preview()

    @admin.display(description="content")
    def content_start(self, message):
        return shorten(message.content_preview)


@admin.register(AgentCommandLog)
class AgentCommandLogAdmin(InsertOnlyAdmin):
    list_display = (
        "project",
        "user",
        "command_start",
        "success",
        "exit_code",
        "risk_level",
        "duration_ms",
        "created_at",
    )
    list_filter = ("success", "risk_level", "dry_run")
    list_select_related = ("project", "user")
    search_fields = ("project__slug",)  # shows the box; the search itself is below
    search_help_text = "Exact project slug or the owner's exact email."
    search_lookups = {"project__slug": str.lower, "user__email": normalize_email}
    raw_id_fields = ("project", "user")
    ordering = ("-created_at", "-id")
    fields = (
        "id",
        "project",
        "user",
        "command",
        "working_dir",
        "success",
        "exit_code",
        "risk_level",
        "duration_ms",
        "dry_run",
        "output_truncated",
        "stdout",
        "stderr",
        "created_at",
    )

    def get_queryset(self, request):
        # A changelist shows a line per log; the change page loads the rest on access.
        return super().get_queryset(request).with_preview()

    @admin.display(description="command")
    def command_start(self, log):
        return shorten(log.command_preview)


# Shell sessions


@admin.register(ShellSession)
class ShellSessionAdmin(DeclaredSearchMixin, admin.ModelAdmin):
    list_display = (
        "session_id",
        "project",
        "container_name",
        "status",
        "bytes_read",
        "bytes_written",
        "last_activity_at",
    )
    list_filter = ("status",)
    list_select_related = ("project",)
    search_fields = ("session_id",)  # shows the box; the search itself is below
    search_help_text = "Exact session id or exact project slug."
    search_lookups = {"session_id": None, "project__slug": str.lower}
    raw_id_fields = ("project", "user")  # read-only here; an id input if ever editable
    ordering = ("-created_at", "-id")
    fields = (
        "id",
        "session_id",
        "project",
        "user",
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
    )
    # Sessions are opened by the owner or the runtime (CHT-30 to CHT-34), never here; what
    # the runtime owns (status, counters, times) is read-only.
    readonly_fields = (
        "id",
        "session_id",
        "project",
        "user",
        "container_name",
        "status",
        "last_activity_at",
        "closed_at",
        "bytes_read",
        "bytes_written",
        "created_at",
        "updated_at",
    )
    actions = ("close_sessions",)

    def has_add_permission(self, request):
        return False

    @admin.action(description="Close selected sessions", permissions=["change"])
    def close_sessions(self, request, queryset):
        sessions = list(queryset.order_by("pk"))
        closed = 0
        for session in sessions:
            try:
                closed += services.shell_session_close(actor=request.user, session=session)
            except InvalidStateTransition:
                continue  # a failed session stays failed (CHT-31)
        skipped = ["already closed or failed"] * (len(sessions) - closed)
        report(self, request, f"Closed {plural(closed, 'session')}", skipped)
