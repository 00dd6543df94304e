"""Every write of the chat domain (DATA_MODEL.md §4, CHT-*), called by the API, admin, the demo
loader and the projects hook alike.

Each service takes keyword-only arguments and the acting user, runs in one transaction and
checks the actor's right itself (chat.permissions), so the callers cannot drift apart. Counters
move only by `F()` increments and lifecycle columns only by conditional updates whose WHERE
names the allowed source states (§1.7): zero rows updated means the change is not allowed, and
nothing changed.
"""

import secrets

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest, Now

from chat.errors import (
    OPEN_SESSIONS_PER_PROJECT,
    ChatArchived,
    SessionLimitReached,
    UnknownContainer,
)
from chat.models import (
    COMMAND_OUTPUT_MAX_BYTES,
    OPEN_SESSION_STATUSES,
    AgentCommandLog,
    Chat,
    ChatStatus,
    Message,
    ShellSession,
    ShellSessionStatus,
)
from chat.permissions import (
    user_can_change_chat,
    user_can_close_shell_session,
    user_can_create_chat,
    user_can_manage_shell_sessions,
    user_can_open_shell_session,
    user_can_post_message,
    user_can_record_command_logs,
)
from config.exceptions import DomainError, InvalidStateTransition, NotFound, require
from projects.errors import ProjectNotActive
from projects.models import Container, EnvironmentStatus
from projects.services import project_touch
from projects.services.locks import lock_project

CHAT_FIELDS = frozenset({"title", "status"})

# CHT-31: for each status the runtime may report, the states it may come from. Reporting the
# state a live session is already in is accepted as a heartbeat that may resize the terminal
# (a retried report must not fail); the final states are reached once.
SESSION_SOURCES = {
    ShellSessionStatus.INITIALIZING: (ShellSessionStatus.INITIALIZING,),
    ShellSessionStatus.ACTIVE: (
        ShellSessionStatus.INITIALIZING,
        ShellSessionStatus.ACTIVE,
        ShellSessionStatus.IDLE,
    ),
    ShellSessionStatus.IDLE: (ShellSessionStatus.ACTIVE, ShellSessionStatus.IDLE),
    ShellSessionStatus.FAILED: OPEN_SESSION_STATUSES,
    ShellSessionStatus.CLOSED: OPEN_SESSION_STATUSES,
}


def keep_tail(text, max_bytes=COMMAND_OUTPUT_MAX_BYTES):
    """CHT-21: the last `max_bytes` of `text` in UTF-8, and whether anything was cut.

    A cut that lands inside a character drops the rest of that character, so the result is
    valid text and never over the limit.
    """
    encoded = text.encode()
    if len(encoded) <= max_bytes:
        return text, False
    return encoded[-max_bytes:].decode(errors="ignore"), True


# Chats


def _refuse_chat_write(chat):
    """A conditional chat UPDATE matched nothing: the chat is archived, or was deleted."""
    if not Chat.objects.filter(pk=chat.pk).exists():
        raise NotFound()
    raise ChatArchived()


@transaction.atomic
def chat_create(*, actor, project, title=""):
    """CHT-1: the chat belongs to the project's owner, whoever asks."""
    require(user_can_create_chat(actor, project))
    return Chat.objects.create(user_id=project.owner_id, project=project, title=title)


@transaction.atomic
def chat_update(*, actor, chat, changes):
    """Title and status (CHT-3). An archived chat is read-only: a change that does not set
    `status` back to `active` is refused with 409 `chat_archived`, unless it only archives.

    One conditional UPDATE, so an archive that lands first wins cleanly.
    """
    if not set(changes) <= CHAT_FIELDS:
        raise ValueError(f"Not editable: {sorted(set(changes) - CHAT_FIELDS)}")
    require(user_can_change_chat(actor, chat))
    rows = Chat.objects.filter(pk=chat.pk)
    if "title" in changes and changes.get("status") != ChatStatus.ACTIVE:
        rows = rows.filter(status=ChatStatus.ACTIVE)
    if not rows.update(**changes, updated_at=Now()):
        _refuse_chat_write(chat)


@transaction.atomic
def chat_delete(*, actor, chat):
    """The owner deletes a chat, archived or not; its messages go with it (CHT-10)."""
    require(user_can_change_chat(actor, chat))
    chat.delete()


# Messages


@transaction.atomic
def message_record(*, actor, chat, role, content, message_metadata=None):
    """CHT-2, CHT-3, CHT-11, CHT-13: inserts the message, counts it on the chat and touches
    the project, in one transaction.

    The counter UPDATE is conditional on the chat being active: a chat archived (or deleted)
    after it was read makes it match nothing, and the insert rolls back with the 409 (or 404).
    """
    require(user_can_post_message(actor, chat, role))
    if chat.status != ChatStatus.ACTIVE:
        raise ChatArchived()
    message = Message.objects.create(
        chat=chat, role=role, content=content, message_metadata=message_metadata or {}
    )
    counted = Chat.objects.filter(pk=chat.pk, status=ChatStatus.ACTIVE).update(
        message_count=F("message_count") + 1,
        last_message_at=Greatest("last_message_at", Value(message.created_at)),
        updated_at=Now(),
    )
    if not counted:
        _refuse_chat_write(chat)
    # The activity is the message's consequence, checked above, not an act of its own.
    project_touch(actor=None, project=chat.project)
    return message


# Agent command logs


@transaction.atomic
def command_log_record(
    *,
    actor,
    project,
    command,
    success,
    risk_level,
    working_dir=".",
    exit_code=None,
    stdout="",
    stderr="",
    duration_ms=None,
    dry_run=False,
):
    """CHT-20, CHT-21: the runtime's audit row, owned by the project's owner, with each output
    cut to its last 256 KiB."""
    require(user_can_record_command_logs(actor))
    stdout, stdout_cut = keep_tail(stdout)
    stderr, stderr_cut = keep_tail(stderr)
    return AgentCommandLog.objects.create(
        user_id=project.owner_id,
        project=project,
        command=command,
        working_dir=working_dir,
        success=success,
        exit_code=exit_code,
        stdout=stdout,
        stderr=stderr,
        output_truncated=stdout_cut or stderr_cut,
        risk_level=risk_level,
        duration_ms=duration_ms,
        dry_run=dry_run,
    )


# Shell sessions


@transaction.atomic
def shell_session_open(
    *,
    actor,
    project,
    container_name,
    command=None,
    working_dir=None,
    terminal_rows=None,
    terminal_cols=None,
):
    """CHT-30, CHT-32, CHT-34: a new `initializing` session in one of the project's containers.

    The project row is locked before the open sessions are counted, so concurrent opens (and
    the project's own transitions, CHT-35) take turns and the limit holds exactly. Fields left
    as None take the model's defaults.
    """
    require(user_can_open_shell_session(actor, project))
    if not Container.objects.filter(project=project, container_name=container_name).exists():
        raise UnknownContainer()
    if lock_project(project.pk) != EnvironmentStatus.ACTIVE:
        raise ProjectNotActive("Shell sessions open only while the project is active.")
    open_sessions = ShellSession.objects.filter(project=project, status__in=OPEN_SESSION_STATUSES)
    if open_sessions.count() >= OPEN_SESSIONS_PER_PROJECT:
        raise SessionLimitReached()
    optional = {
        "command": command,
        "working_dir": working_dir,
        "terminal_rows": terminal_rows,
        "terminal_cols": terminal_cols,
    }
    return ShellSession.objects.create(
        session_id=secrets.token_urlsafe(24),
        user_id=project.owner_id,
        project=project,
        container_name=container_name,
        **{name: value for name, value in optional.items() if value is not None},
    )


def _session_status(session):
    current = ShellSession.objects.filter(pk=session.pk).values_list("status", flat=True).first()
    if current is None:
        raise NotFound()
    return current


@transaction.atomic
def shell_session_close(*, actor, session):
    """CHT-31: closes an open session. True when it closed; False when it already was (a no-op).
    A failed session stays failed: 409."""
    require(user_can_close_shell_session(actor, session))
    closed = ShellSession.objects.filter(pk=session.pk, status__in=OPEN_SESSION_STATUSES).update(
        status=ShellSessionStatus.CLOSED, closed_at=Now(), updated_at=Now()
    )
    if closed:
        return True
    if _session_status(session) == ShellSessionStatus.CLOSED:
        return False
    raise InvalidStateTransition("A failed shell session cannot be closed.")


@transaction.atomic
def shell_session_report_status(*, actor, session, status, terminal_rows=None, terminal_cols=None):
    """CHT-31: the runtime reports the session's state, and the terminal size with it.

    A final state sets `closed_at`. Reporting the final state a session is already in changes
    nothing; any other move outside the table is 409 `invalid_state_transition`.
    """
    require(user_can_manage_shell_sessions(actor))
    changes = {"status": status, "updated_at": Now()}
    if status not in OPEN_SESSION_STATUSES:
        changes["closed_at"] = Now()
    if terminal_rows is not None:
        changes["terminal_rows"] = terminal_rows
    if terminal_cols is not None:
        changes["terminal_cols"] = terminal_cols
    moved = ShellSession.objects.filter(pk=session.pk, status__in=SESSION_SOURCES[status]).update(
        **changes
    )
    if moved:
        return
    current = _session_status(session)
    if current != status:
        raise InvalidStateTransition(
            f"The shell session is already {status}."
            if current == status
            else f"A shell session that is {current} cannot become {status}."
        )


@transaction.atomic
def shell_session_record_usage(*, actor, session, bytes_read, bytes_written):
    """CHT-33: adds the byte deltas the runtime reports and stamps the activity.

    Returns the new totals, read in the same transaction while the UPDATE's row lock is held,
    so they include this report and no later one.
    """
    require(user_can_manage_shell_sessions(actor))
    if bytes_read < 0 or bytes_written < 0:
        raise DomainError("Byte counters only grow: report deltas of 0 or more.")
    sessions = ShellSession.objects.filter(pk=session.pk)
    # Counters and telemetry: `updated_at` stays (DATA_MODEL.md §1.1).
    updated = sessions.update(
        bytes_read=F("bytes_read") + bytes_read,
        bytes_written=F("bytes_written") + bytes_written,
        last_activity_at=Now(),
    )
    if not updated:
        raise NotFound()
    return sessions.values("bytes_read", "bytes_written").get()


@transaction.atomic
def shell_sessions_close_for_project(*, actor, project):
    """CHT-35: closes every open session of a project that is stopping; how many it closed.

    Called by the platform's own hook inside the project's transition (`actor` is whoever made
    the transition, or None for the scheduled jobs), so it checks no right of its own.
    """
    return ShellSession.objects.filter(project=project, status__in=OPEN_SESSION_STATUSES).update(
        status=ShellSessionStatus.CLOSED, closed_at=Now(), updated_at=Now()
    )
