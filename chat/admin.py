"""Chats, messages, agent command logs, shell sessions, agent runs, summaries and bookmarks in
admin (DATA_MODEL.md §4).

Messages, command logs, summaries and attachments are insert-only (§1.8): read-only here, with
no add and no delete; runs are written by the runtime, and staff only cancel or fail them. They,
and the chats, grow without bound, so their changelists never count a whole table and their
searches are exact matches that indexes answer. Every change staff make to a chat, a session or
a run goes through `chat.services`, as in the API.

ChatAdmin is registered by backoffice/admin.py, which adds billing's cost total to it.
"""

from datetime import timedelta

from django import forms
from django.contrib import admin
from django.forms.models import BaseInlineFormSet

from accounts.models import normalize_email
from chat import conf, services
from chat.models import (
    AgentCommandLog,
    AgentRun,
    Chat,
    ChatBookmark,
    ChatStatus,
    ChatSummary,
    Message,
    MessageAttachment,
    ShellSession,
    shorten,
)
from chat.permissions import user_can_stop_runs
from config.admin import (
    CascadeAdminMixin,
    DeclaredSearchMixin,
    LargeTableMixin,
    ViewOnlyMixin,
    action_form,
    as_uuid,
    changelist_link,
    contains,
    plural,
    report,
    service_action,
)
from config.exceptions import InvalidStateTransition

LATEST_MESSAGES = 20


class BigTableAdmin(LargeTableMixin, DeclaredSearchMixin, admin.ModelAdmin):
    """A searched changelist of a table that grows without bound."""


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


class ReadOnlyInline(admin.TabularInline):
    """Rows shown on their parent's page and never edited there."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LatestMessagesInline(ReadOnlyInline):
    model = Message
    formset = LatestMessagesFormSet
    verbose_name_plural = f"latest {LATEST_MESSAGES} messages (newest first)"
    fields = ("created_at", "role", "content_start")
    readonly_fields = fields

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


class LatestSummaryFormSet(BaseInlineFormSet):
    def get_queryset(self):
        if not hasattr(self, "_queryset"):
            self._queryset = self.queryset.order_by("-created_at", "-id")[:1]
        return self._queryset


class LatestSummaryInline(ReadOnlyInline):
    """The summary in force (CHT-46): the newest. Shown to staff who may read summaries."""

    model = ChatSummary
    fk_name = "chat"
    formset = LatestSummaryFormSet
    verbose_name_plural = "latest summary"
    fields = ("created_at", "summary_text", "original_tokens", "summary_tokens", "model")
    readonly_fields = fields


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
    inlines = (LatestSummaryInline, LatestMessagesInline)
    cascaded_models = (Message, AgentRun, ChatSummary, MessageAttachment, ChatBookmark)
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
            "runs_link",
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
            "runs_link",
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

    @admin.display(description="agent runs")
    def runs_link(self, chat):
        return changelist_link(AgentRun, f"chat__exact={chat.pk}", "Open runs")

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


class AttachmentInline(ReadOnlyInline):
    """CHT-47: the assets attached to the message."""

    model = MessageAttachment
    fields = ("asset", "created_at")
    readonly_fields = fields


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
    inlines = (AttachmentInline,)

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


# Agent runs (EXTENSIONS.md §1), summaries and bookmarks (§3, §8)


class StuckFilter(admin.SimpleListFilter):
    """CHT-45's predicate, the sweeper's own: active with no transition for
    RUN_STALE_MINUTES (the partial (status, updated_at) index)."""

    title = "stuck"
    parameter_name = "stuck"

    def lookups(self, request, model_admin):
        return (("yes", f"No progress for {conf.get('RUN_STALE_MINUTES')} min"),)

    def queryset(self, request, queryset):
        if self.value() != "yes":
            return queryset
        idle_for = timedelta(minutes=conf.get("RUN_STALE_MINUTES"))
        return queryset.filter(pk__in=services.stale_runs(idle_for).values("pk"))


class MarkFailedForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        help_text="Why the run failed; the owner and the audit history read it.",
    )


@admin.register(AgentRun)
class AgentRunAdmin(InsertOnlyAdmin):
    """Runs are the runtime's (CHT-40…44): read-only, no add, no delete (they go with their
    chat). Support cancels (CHT-43) or fails (CHT-45) the ones the runtime lost, through the
    services. Every transition is in the run's audit history."""

    list_display = ("__str__", "chat", "run_type", "status", "model", "duration", "updated_at")
    list_filter = ("status", "run_type", StuckFilter)
    list_select_related = ("chat",)
    search_fields = ("chat__id",)  # shows the box; the search itself is below
    search_help_text = "Exact run id or exact chat id."
    search_lookups = {"pk": as_uuid, "chat_id": as_uuid}
    raw_id_fields = ("chat", "trigger_message", "result_message", "parent_run")
    # The order of the (chat, created_at, id) index, read backwards, as messages (W8).
    ordering = ("-chat_id", "-created_at", "-id")
    sortable_by = ()
    fields = (
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
    )
    actions = ("cancel_runs", "mark_failed")

    def has_stop_runs_permission(self, request):
        return user_can_stop_runs(request.user)

    cancel_runs = service_action(
        services.run_cancel,
        name="cancel_runs",
        description="Cancel selected runs",
        done="Asked to stop",
        already="already stopping or finished",
        row_keyword="run",
        noun="run",
        permission="stop_runs",
    )

    @admin.action(description="Mark selected runs failed…", permissions=["stop_runs"])
    def mark_failed(self, request, queryset):
        form, page = action_form(
            self, request, queryset, MarkFailedForm, title="Mark runs failed", submit="Mark failed"
        )
        if page is not None:
            return page
        reason = form.cleaned_data["reason"]
        runs = list(queryset.order_by("pk"))
        failed = sum(
            services.run_mark_failed(actor=request.user, run=run, reason=reason) for run in runs
        )
        report(
            self,
            request,
            f"Failed {plural(failed, 'run')}",
            ["already finished"] * (len(runs) - failed),
        )
        return None


@admin.register(ChatSummary)
class ChatSummaryAdmin(InsertOnlyAdmin):
    list_display = ("chat", "model", "original_tokens", "summary_tokens", "created_at")
    list_select_related = ("chat",)
    search_fields = ("chat__id",)
    search_help_text = "Exact chat id."
    search_lookups = {"chat_id": as_uuid}
    raw_id_fields = ("chat", "end_message", "parent_summary", "run")
    # The (chat, -created_at, -id) index's order: each chat's newest first (W8).
    ordering = ("chat_id", "-created_at", "-id")
    sortable_by = ()
    fields = (
        "id",
        "chat",
        "end_message",
        "parent_summary",
        "run",
        "summary_text",
        "original_tokens",
        "summary_tokens",
        "model",
        "created_at",
    )


@admin.register(ChatBookmark)
class ChatBookmarkAdmin(InsertOnlyAdmin):
    """Users' own marks (CHT-48): shown to Support, changed only by their users."""

    list_display = ("user", "chat", "kind", "created_at")
    list_filter = ("kind",)
    list_select_related = ("user", "chat")
    search_fields = ("user__email",)
    search_help_text = "The user's exact email, or the exact chat id."
    search_lookups = {"user__email": normalize_email, "chat_id": as_uuid}
    raw_id_fields = ("user", "chat")
    # The (user, kind, -created_at, -id) index's order (W8).
    ordering = ("user_id", "kind", "-created_at", "-id")
    sortable_by = ()
    fields = ("id", "user", "chat", "kind", "created_at")
