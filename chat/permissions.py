"""Who may do what in the chat domain: predicates shared by the API, the services and admin.

Ownership is not a permission class: every queryset is scoped to the projects the caller may
see, so another user's project, or anything under it, is a 404 before any check here runs.
What remains are the service roles (API.md §2, §3; ACC-9) and CHT-11's message roles. The
predicates read only the rows' own columns and the user's permissions (cached per request).
"""

from rest_framework.permissions import BasePermission

from chat.models import MessageRole
from projects.permissions import user_owns_project

RECORD_MESSAGES = "chat.record_messages"
RECORD_COMMAND_LOGS = "chat.record_command_logs"
MANAGE_SHELL_SESSIONS = "chat.manage_shell_sessions"
ADD_CHAT = "chat.add_chat"
CHANGE_CHAT = "chat.change_chat"
CHANGE_SHELL_SESSION = "chat.change_shellsession"
RECORD_RUNS = "chat.record_runs"
STOP_RUNS = "chat.stop_runs"


def _holds(user, permission):
    return user.is_authenticated and user.has_perm(permission)


def user_owns(user, row):
    """A chat or shell session's owner: its `user` is always the project's owner (CHT-1)."""
    return user.is_authenticated and row.user_id == user.pk


def user_can_record_messages(user):
    """The agent runtime: messages of any role in any user's chat (CHT-11)."""
    return _holds(user, RECORD_MESSAGES)


def user_can_post_message(user, chat, role):
    """CHT-11: the owner posts `user` messages in their own chats; everything else needs the
    service permission."""
    if user_can_record_messages(user):
        return True
    return role == MessageRole.USER and user_owns(user, chat)


def user_can_create_chat(user, project):
    """CHT-1: the owner in the API, staff with the model permission in admin; either way the
    chat belongs to the project's owner."""
    return user_owns_project(user, project.owner_id) or _holds(user, ADD_CHAT)


def user_can_change_chat(user, chat):
    """Title and status: the owner in the API, staff with the model permission in admin."""
    return user_owns(user, chat) or _holds(user, CHANGE_CHAT)


def user_can_record_command_logs(user):
    """CHT-20: command logs are written by the agent runtime only."""
    return _holds(user, RECORD_COMMAND_LOGS)


def user_can_manage_shell_sessions(user):
    """The agent runtime: open, report on and close the sessions of any project (CHT-31)."""
    return _holds(user, MANAGE_SHELL_SESSIONS)


def user_can_open_shell_session(user, project):
    return user_owns_project(user, project.owner_id) or user_can_manage_shell_sessions(user)


def user_can_close_shell_session(user, session):
    """CHT-31: the owner's `close`, the runtime, and staff with the model permission in admin."""
    return (
        user_owns(user, session)
        or user_can_manage_shell_sessions(user)
        or _holds(user, CHANGE_SHELL_SESSION)
    )


def user_can_record_runs(user):
    """The agent runtime: claims and moves runs in any user's chat (CHT-40…44)."""
    return _holds(user, RECORD_RUNS)


def user_can_stop_runs(user):
    """Staff who cancel or fail stuck runs in admin (CHT-43, CHT-45)."""
    return _holds(user, STOP_RUNS)


def user_can_cancel_run(user, run):
    """CHT-43: the chat's owner, the runtime, and staff in admin."""
    return user_owns(user, run.chat) or user_can_record_runs(user) or user_can_stop_runs(user)


def requested_role(request):
    """The role a message request asks for, read before the body is validated, so that the
    403 of CHT-11 comes before any 400 (API.md §3). A missing or unknown role reads as `user`:
    it needs no permission, and the serializer answers it with a 400."""
    data = request.data
    role = data.get("role") if isinstance(data, dict) else None
    return MessageRole.ASSISTANT if role == MessageRole.ASSISTANT else MessageRole.USER


ROLE_REFUSED = {
    MessageRole.ASSISTANT: "Only the agent runtime (a service account) posts assistant messages; "
    "post your own as role `user`.",
}


def message_refusal(role):
    """What a caller refused by CHT-11 is told: who may post messages of `role`."""
    return ROLE_REFUSED.get(role)


class CanPostMessage(BasePermission):
    """Object level, on the chat: a chat the caller cannot see is a 404 before this 403,
    which names who may post the role asked for."""

    def has_object_permission(self, request, view, obj):
        role = requested_role(request)
        self.message = message_refusal(role)
        return user_can_post_message(request.user, obj, role)


class CanRecordCommandLogs(BasePermission):
    """Object level, on the project: a project the caller cannot see is a 404 first."""

    def has_object_permission(self, request, view, obj):
        return user_can_record_command_logs(request.user)


class CanManageShellSessions(BasePermission):
    """Object level, on the session: a session the caller cannot see is a 404 first."""

    def has_object_permission(self, request, view, obj):
        return user_can_manage_shell_sessions(request.user)


class CanRecordRuns(BasePermission):
    """Object level, on the chat or run: one the caller cannot see is a 404 first."""

    def has_object_permission(self, request, view, obj):
        return user_can_record_runs(request.user)


class CanRecordMessages(BasePermission):
    """Object level, on the chat: summaries are the runtime's (CHT-46)."""

    def has_object_permission(self, request, view, obj):
        return user_can_record_messages(request.user)
