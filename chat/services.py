"""Every write of the chat domain (DATA_MODEL.md §4, CHT-*), called by the API, admin, the demo
loader and the projects hook alike.

Each service takes keyword-only arguments and the acting user, runs in one transaction and
checks the actor's right itself (chat.permissions), so the callers cannot drift apart. Counters
move only by `F()` increments and lifecycle columns only by conditional updates whose WHERE
names the allowed source states (§1.7): zero rows updated means the change is not allowed, and
nothing changed.
"""

import secrets
import uuid

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce, Greatest, Now
from django.utils import timezone

from chat.errors import (
    OPEN_SESSIONS_PER_PROJECT,
    ChatArchived,
    RunInProgress,
    SessionLimitReached,
    TooManyAttachments,
    UnknownContainer,
    not_of_this_chat,
)
from chat.models import (
    ACTIVE_RUN_STATUSES,
    ATTACHMENTS_PER_MESSAGE,
    COMMAND_OUTPUT_MAX_BYTES,
    FINAL_RUN_STATUSES,
    OPEN_SESSION_STATUSES,
    AgentCommandLog,
    AgentRun,
    Chat,
    ChatBookmark,
    ChatStatus,
    ChatSummary,
    Message,
    MessageAttachment,
    RunStatus,
    RunType,
    ShellSession,
    ShellSessionStatus,
)
from chat.permissions import (
    message_refusal,
    user_can_cancel_run,
    user_can_change_chat,
    user_can_close_shell_session,
    user_can_create_chat,
    user_can_manage_shell_sessions,
    user_can_open_shell_session,
    user_can_post_message,
    user_can_record_command_logs,
    user_can_record_messages,
    user_can_record_runs,
    user_can_stop_runs,
)
from config.exceptions import (
    DomainError,
    InvalidStateTransition,
    NotAllowed,
    NotFound,
    StaleVersion,
    require,
)
from projects.errors import ProjectNotActive
from projects.models import Container, EnvironmentStatus, ProjectAsset
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
def message_record(*, actor, chat, role, content, message_metadata=None, attachment_ids=()):
    """CHT-2, CHT-3, CHT-11, CHT-13, CHT-47: inserts the message and its attachments, counts
    it on the chat and touches the project, in one transaction.

    The counter UPDATE is conditional on the chat being active: a chat archived (or deleted)
    after it was read makes it match nothing, and the insert rolls back with the 409 (or 404).
    """
    if not user_can_post_message(actor, chat, role):
        raise NotAllowed(message_refusal(role))
    if chat.status != ChatStatus.ACTIVE:
        raise ChatArchived()
    assets = _attachable_assets(chat, attachment_ids)
    message = Message.objects.create(
        chat=chat, role=role, content=content, message_metadata=message_metadata or {}
    )
    MessageAttachment.objects.bulk_create(
        MessageAttachment(message=message, asset_id=asset) for asset in assets
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


def _attachable_assets(chat, attachment_ids):
    """CHT-47: the distinct asset ids, at most 10, each an asset of the chat's project."""
    wanted = set(attachment_ids)
    if len(wanted) > ATTACHMENTS_PER_MESSAGE:
        raise TooManyAttachments(ATTACHMENTS_PER_MESSAGE)
    if not wanted:
        return []
    found = set(
        ProjectAsset.objects.filter(project_id=chat.project_id, pk__in=wanted).values_list(
            "pk", flat=True
        )
    )
    if found != wanted:
        raise not_of_this_chat("attachment_ids", "Name assets of this chat's project.")
    return sorted(wanted)


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


# Agent runs (EXTENSIONS.md §1)

# CHT-41: for each active status, the statuses a run may move to. Final statuses move nowhere.
# `running → running` is the runtime's progress report (metrics), which also keeps a long run
# from looking stale to the sweeper (CHT-45).
RUN_TRANSITIONS = {
    RunStatus.PENDING: (
        RunStatus.RUNNING,
        RunStatus.ABORTING,
        RunStatus.CANCELLED,
        RunStatus.FAILED,
    ),
    RunStatus.RUNNING: (
        RunStatus.RUNNING,
        RunStatus.WAITING_FOR_INPUT,
        RunStatus.PAUSED,
        RunStatus.ABORTING,
        RunStatus.COMPLETED,
        RunStatus.FAILED,
    ),
    RunStatus.WAITING_FOR_INPUT: (
        RunStatus.RUNNING,
        RunStatus.ABORTING,
        RunStatus.CANCELLED,
        RunStatus.FAILED,
    ),
    RunStatus.PAUSED: (
        RunStatus.RUNNING,
        RunStatus.ABORTING,
        RunStatus.CANCELLED,
        RunStatus.FAILED,
    ),
    RunStatus.ABORTING: (RunStatus.CANCELLED, RunStatus.FAILED),
}
# CHT-43: what a cancel moves to `aborting`; the runtime then reports `cancelled`.
CANCELLABLE_RUN_STATUSES = tuple(s for s in ACTIVE_RUN_STATUSES if s != RunStatus.ABORTING)
STALE_RUN_ERROR = "stale"  # CHT-45's error code
MARKED_FAILED_ERROR = "marked_failed"  # staff's "mark failed" in admin


def run_sources(status):
    """The statuses `status` may be reached from (CHT-41)."""
    return tuple(source for source, targets in RUN_TRANSITIONS.items() if status in targets)


def _message_of(chat, message_id, field):
    if message_id is None:
        return None
    message = Message.objects.filter(chat=chat, pk=message_id).only("id").first()
    if message is None:
        raise not_of_this_chat(field)
    return message


def _run_of(chat, run_id, field):
    if run_id is None:
        return None
    run = AgentRun.objects.filter(chat=chat, pk=run_id).only("id").first()
    if run is None:
        raise not_of_this_chat(field)
    return run


@transaction.atomic
def run_claim(
    *,
    actor,
    chat,
    request_id,
    model,
    run_type=RunType.AGENT_RUN,
    input=None,
    trigger_message_id=None,
    parent_run_id=None,
):
    """CHT-40, CHT-44: a new `pending` run, or the run this `request_id` already made in this
    chat; returns `(run, replayed)`.

    No check-then-insert: the insert runs in a savepoint, and the one-active-run index decides
    between concurrent claims (409 `run_in_progress`) without rolling back the caller's
    transaction. The messages and parent run named must be this chat's (400).
    """
    require(user_can_record_runs(actor))
    existing = AgentRun.objects.filter(chat=chat, request_id=request_id).first()
    if existing is not None:
        return existing, True
    if chat.status != ChatStatus.ACTIVE:
        raise ChatArchived()
    fields = {
        "chat": chat,
        "request_id": request_id,
        "model": model,
        "run_type": run_type,
        "input": input or {},
        "trigger_message": _message_of(chat, trigger_message_id, "trigger_message"),
        "parent_run": _run_of(chat, parent_run_id, "parent_run"),
    }
    try:
        with transaction.atomic():
            return AgentRun.objects.create(**fields), False
    except IntegrityError as exc:
        # The same claim committed meanwhile: a replay, whichever of the two unique indexes
        # the insert tripped on first.
        existing = AgentRun.objects.filter(chat=chat, request_id=request_id).first()
        if existing is not None:
            return existing, True
        diag = getattr(exc.__cause__, "diag", None)
        if getattr(diag, "constraint_name", None) == RunInProgress.constraint:
            raise RunInProgress() from None
        raise


def _refuse_run_move(run, status, version):
    """A conditional run UPDATE matched nothing: say why (CHT-41, CHT-42)."""
    current = AgentRun.objects.filter(pk=run.pk).values("status", "version").first()
    if current is None:
        raise NotFound()
    if version is not None and current["version"] != version:
        raise StaleVersion()
    raise InvalidStateTransition(
        f"The run is already {status}."
        if current["status"] == status
        else f"A run that is {current['status']} cannot become {status}."
    )


def _move_run(run, status, *, sources, version=None, **changes):
    """One conditional UPDATE: `status` from one of `sources` (at `version` when given), the
    version bumped, the times set as CHT-41 says. True when it moved."""
    changes.update(status=status, version=F("version") + 1, updated_at=Now())
    if status == RunStatus.RUNNING:
        changes["started_at"] = Coalesce("started_at", Now())
    if status in FINAL_RUN_STATUSES:
        changes["finished_at"] = Now()
    runs = AgentRun.objects.filter(pk=run.pk, status__in=sources)
    if version is not None:
        runs = runs.filter(version=version)
    return bool(runs.update(**changes))


@transaction.atomic
def run_transition(
    *,
    actor,
    run,
    status,
    version=None,
    error_code="",
    error_message="",
    metrics=None,
    result_message_id=None,
):
    """CHT-41, CHT-42: the runtime moves a run along `RUN_TRANSITIONS`.

    With `version`, the move applies only to that version (409 `stale_version` otherwise), so
    of any number of concurrent reports made from one version exactly one wins. Without it,
    reporting the final status a run already has changes nothing (a retried report must not
    fail); any other move outside the table is 409 `invalid_state_transition`.
    """
    require(user_can_record_runs(actor))
    if status == RunStatus.FAILED and not error_code.strip():
        raise DomainError(fields={"error_code": ["A failed run names its error."]})
    changes = {}
    if error_code or error_message:
        changes.update(error_code=error_code, error_message=error_message)
    if metrics is not None:
        changes["metrics"] = metrics
    if result_message_id is not None:
        changes["result_message"] = _message_of(run.chat, result_message_id, "result_message")
    if _move_run(run, status, sources=run_sources(status), version=version, **changes):
        return True
    if version is None and status in FINAL_RUN_STATUSES:
        current = AgentRun.objects.filter(pk=run.pk).values_list("status", flat=True).first()
        if current == status:
            return False
    _refuse_run_move(run, status, version)


@transaction.atomic
def run_cancel(*, actor, run):
    """CHT-43: asks an active run to stop (`aborting`); the runtime reports `cancelled` once it
    has. Idempotent: True when this call asked, False when the run was already stopping or
    finished."""
    require(user_can_cancel_run(actor, run))
    if _move_run(run, RunStatus.ABORTING, sources=CANCELLABLE_RUN_STATUSES):
        return True
    if not AgentRun.objects.filter(pk=run.pk).exists():
        raise NotFound()
    return False


@transaction.atomic
def run_mark_failed(*, actor, run, reason):
    """CHT-45 by hand: staff fail an active run the runtime lost, with their reason. True when
    it failed; False when it had already finished."""
    require(user_can_stop_runs(actor))
    if not reason.strip():
        raise DomainError(fields={"reason": ["Say why the run failed."]})
    return _move_run(
        run,
        RunStatus.FAILED,
        sources=ACTIVE_RUN_STATUSES,
        error_code=MARKED_FAILED_ERROR,
        error_message=reason,
    )


def stale_runs(idle_for):
    """CHT-45: active runs not moved for `idle_for` (a timedelta): the sweeper's and the admin
    "stuck" filter's one predicate, on the partial (status, updated_at) index."""
    return AgentRun.objects.filter(
        status__in=ACTIVE_RUN_STATUSES, updated_at__lt=timezone.now() - idle_for
    )


@transaction.atomic
def runs_fail_stale(*, idle_for):
    """CHT-45: fails every stale run in one UPDATE; how many it failed.

    Idempotent, and safe when two sweeps overlap: a row the other sweep failed first is
    re-checked against the WHERE after its lock is released, and no longer matches. The
    audit triggers record each row's transition.
    """
    return stale_runs(idle_for).update(
        status=RunStatus.FAILED,
        error_code=STALE_RUN_ERROR,
        error_message=f"No progress reported for {idle_for}.",
        finished_at=Now(),
        version=F("version") + 1,
        updated_at=Now(),
    )


# Summaries (EXTENSIONS.md §3)


@transaction.atomic
def summary_record(
    *,
    actor,
    chat,
    end_message_id,
    summary_text,
    original_tokens,
    summary_tokens,
    model,
    parent_summary_id=None,
    run_id=None,
):
    """CHT-46: the runtime's compaction of the chat up to `end_message`. The end message,
    the parent summary and the run must be this chat's (400); one summary per end message
    (409 `already_exists`, by the constraint)."""
    require(user_can_record_messages(actor))
    parent = None
    if parent_summary_id is not None:
        parent = ChatSummary.objects.filter(chat=chat, pk=parent_summary_id).only("id").first()
        if parent is None:
            raise not_of_this_chat("parent_summary")
    return ChatSummary.objects.create(
        chat=chat,
        end_message=_message_of(chat, end_message_id, "end_message"),
        parent_summary=parent,
        run=_run_of(chat, run_id, "run"),
        summary_text=summary_text,
        original_tokens=original_tokens,
        summary_tokens=summary_tokens,
        model=model,
    )


# Bookmarks (EXTENSIONS.md §8)


def _require_visible_chat(actor, chat):
    """CHT-48: a chat the actor may not see is a 404, as in the API."""
    if not Chat.objects.visible_to(actor).filter(pk=chat.pk).exists():
        raise NotFound()


@transaction.atomic
def bookmark_add(*, actor, chat, kind):
    """CHT-48: `INSERT … ON CONFLICT DO NOTHING`, so concurrent adds leave one row; True
    only when this call added it."""
    _require_visible_chat(actor, chat)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {ChatBookmark._meta.db_table}"  # noqa: S608 - the model's own table
            " (id, created_at, updated_at, user_id, chat_id, kind)"
            " VALUES (%s, now(), now(), %s, %s, %s)"
            " ON CONFLICT ON CONSTRAINT chat_bookmark_unique DO NOTHING",
            [uuid.uuid4(), actor.pk, chat.pk, kind],
        )
        return cursor.rowcount == 1


@transaction.atomic
def bookmark_remove(*, actor, chat, kind):
    """CHT-48: idempotent; True when a bookmark was removed."""
    _require_visible_chat(actor, chat)
    deleted, _ = ChatBookmark.objects.filter(user=actor, chat=chat, kind=kind).delete()
    return bool(deleted)
