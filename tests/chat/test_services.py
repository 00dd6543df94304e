"""The chat services called directly (DATA_MODEL.md §4): one or more tests per CHT rule."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chat import errors, services
from chat.models import (
    COMMAND_OUTPUT_MAX_BYTES,
    AgentCommandLog,
    Chat,
    ChatStatus,
    Message,
    MessageRole,
    RiskLevel,
    ShellSession,
    ShellSessionStatus,
)
from config.exceptions import InvalidStateTransition, NotAllowed, NotFound
from projects.models import EnvironmentStatus, Project
from projects.services import project_environment_transition, projects_hibernate_idle
from tests.chat.factories import ChatFactory, MessageFactory, ShellSessionFactory
from tests.factories import UserFactory
from tests.projects.factories import ContainerFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def record(chat, actor, content="Hello", role=MessageRole.USER, **extra):
    return services.message_record(actor=actor, chat=chat, role=role, content=content, **extra)


def reload(row):
    row.refresh_from_db()
    return row


# CHT-1


def test_cht_1_a_chat_belongs_to_the_projects_owner(project, owner):
    chat = services.chat_create(actor=owner, project=project, title="Plan")
    assert (chat.user, chat.project, chat.status, chat.message_count) == (
        owner,
        project,
        ChatStatus.ACTIVE,
        0,
    )


def test_cht_1_staff_with_the_add_permission_create_chats_for_the_owner(project, owner, superuser):
    chat = services.chat_create(actor=superuser, project=project)
    assert chat.user == owner


def test_cht_1_nobody_else_creates_a_chat_in_the_project(project, other_user, service_account):
    for actor in (other_user, service_account):
        with pytest.raises(NotAllowed):
            services.chat_create(actor=actor, project=project)
    assert not Chat.objects.exists()


# CHT-2


def test_cht_2_recording_counts_the_message_and_stamps_the_chat(chat, owner):
    before = chat.updated_at
    first = record(chat, owner, "one")
    second = record(chat, owner, "two")
    chat = reload(chat)
    assert chat.message_count == 2 == Message.objects.filter(chat=chat).count()
    assert chat.last_message_at == second.created_at > first.created_at
    assert chat.updated_at > before


def test_cht_2_last_message_at_never_moves_back(chat, owner):
    later = timezone.now() + timedelta(hours=1)
    Chat.objects.filter(pk=chat.pk).update(last_message_at=later)
    record(chat, owner)
    assert reload(chat).last_message_at == later  # GREATEST keeps the later time


def test_cht_2_counting_is_one_f_update_in_the_same_transaction(chat, owner):
    with CaptureQueriesContext(connection) as queries:
        record(chat, owner)
    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "chat_chat"')]
    assert len(updates) == 1
    assert '"message_count" + 1' in updates[0] and "GREATEST" in updates[0]


# CHT-3


def test_cht_3_an_archived_chat_takes_no_message(chat, owner, service_account):
    services.chat_update(actor=owner, chat=chat, changes={"status": ChatStatus.ARCHIVED})
    chat = reload(chat)
    for actor, role in ((owner, MessageRole.USER), (service_account, MessageRole.ASSISTANT)):
        with pytest.raises(errors.ChatArchived):
            record(chat, actor, role=role)
    assert (chat.message_count, Message.objects.count()) == (0, 0)


def test_cht_3_archived_after_it_was_read_rolls_the_insert_back(chat, owner):
    Chat.objects.filter(pk=chat.pk).update(status=ChatStatus.ARCHIVED)  # chat is stale
    with pytest.raises(errors.ChatArchived):
        record(chat, owner)
    assert not Message.objects.exists()


def test_cht_3_an_archived_chat_cannot_be_renamed(chat, owner):
    Chat.objects.filter(pk=chat.pk).update(status=ChatStatus.ARCHIVED)
    with pytest.raises(errors.ChatArchived):
        services.chat_update(actor=owner, chat=chat, changes={"title": "New"})
    assert reload(chat).title != "New"


def test_cht_3_reopening_makes_it_writable_again(chat, owner):
    Chat.objects.filter(pk=chat.pk).update(status=ChatStatus.ARCHIVED)
    services.chat_update(
        actor=owner, chat=chat, changes={"status": ChatStatus.ACTIVE, "title": "Back"}
    )
    chat = reload(chat)
    assert (chat.status, chat.title) == (ChatStatus.ACTIVE, "Back")
    record(chat, owner)
    assert reload(chat).message_count == 1


def test_cht_3_archiving_an_archived_chat_is_harmless(chat, owner):
    Chat.objects.filter(pk=chat.pk).update(status=ChatStatus.ARCHIVED)
    services.chat_update(actor=owner, chat=chat, changes={"status": ChatStatus.ARCHIVED})
    assert reload(chat).status == ChatStatus.ARCHIVED


def test_chat_update_refuses_fields_outside_title_and_status(chat, owner):
    with pytest.raises(ValueError, match="message_count"):
        services.chat_update(actor=owner, chat=chat, changes={"message_count": 9})


def test_chat_update_and_delete_are_the_owners(chat, other_user):
    with pytest.raises(NotAllowed):
        services.chat_update(actor=other_user, chat=chat, changes={"title": "Mine"})
    with pytest.raises(NotAllowed):
        services.chat_delete(actor=other_user, chat=chat)
    assert Chat.objects.filter(pk=chat.pk).exists()


# CHT-10


def test_cht_10_messages_go_with_their_chat(chat, owner):
    record(chat, owner)
    services.chat_delete(actor=owner, chat=chat)
    assert not Message.objects.exists()


@pytest.mark.parametrize("parent", ["project", "user"])
def test_cht_10_messages_go_with_their_project_or_user(chat, owner, parent):
    record(chat, owner)
    (chat.project if parent == "project" else owner).delete()
    assert not Message.objects.exists() and not Chat.objects.exists()


# CHT-11


def test_cht_11_the_owner_posts_user_messages_only(chat, owner):
    record(chat, owner, role=MessageRole.USER)
    with pytest.raises(NotAllowed):
        record(chat, owner, role=MessageRole.ASSISTANT)
    assert Message.objects.get().role == MessageRole.USER


def test_cht_11_the_service_posts_any_role_in_any_chat(chat, service_account):
    record(chat, service_account, role=MessageRole.USER)
    record(chat, service_account, role=MessageRole.ASSISTANT, content="Done.")
    assert reload(chat).message_count == 2


def test_cht_11_another_user_posts_nothing(chat, other_user):
    with pytest.raises(NotAllowed):
        record(chat, other_user)


# CHT-13


def test_cht_13_recording_touches_the_project(chat, owner):
    stale = timezone.now() - timedelta(hours=3)
    Project.objects.filter(pk=chat.project_id).update(last_activity=stale)
    record(chat, owner)
    assert reload(chat.project).last_activity > stale


# CHT-20, CHT-21


def log(project, actor, **fields):
    values = {"command": "ls -la", "success": True, "risk_level": RiskLevel.SAFE} | fields
    return services.command_log_record(actor=actor, project=project, **values)


def test_cht_20_logs_are_written_by_the_service_for_the_owner(project, owner, service_account):
    row = log(project, service_account, exit_code=0, duration_ms=15)
    assert (row.user, row.project, row.working_dir, row.output_truncated) == (
        owner,
        project,
        ".",
        False,
    )


def test_cht_20_the_owner_may_not_write_logs(project, owner):
    with pytest.raises(NotAllowed):
        log(project, owner)
    assert not AgentCommandLog.objects.exists()


def test_cht_21_long_output_keeps_its_last_256_kib(project, service_account):
    tail = "error: the end\n"
    stdout = "x" * COMMAND_OUTPUT_MAX_BYTES + tail
    row = log(project, service_account, stdout=stdout, stderr="short")
    assert row.output_truncated
    assert len(row.stdout.encode()) == COMMAND_OUTPUT_MAX_BYTES
    assert row.stdout.endswith(tail) and row.stderr == "short"


def test_cht_21_a_cut_inside_a_character_keeps_valid_text(project, service_account):
    # Each "é" is two bytes: an odd cut lands inside one, which is dropped whole.
    stderr = "é" * (COMMAND_OUTPUT_MAX_BYTES // 2) + "!"
    row = reload(log(project, service_account, stderr=stderr))
    assert row.output_truncated
    assert row.stderr == "é" * (COMMAND_OUTPUT_MAX_BYTES // 2 - 1) + "!"


def test_cht_21_output_at_the_limit_is_kept_whole(project, service_account):
    stdout = "y" * COMMAND_OUTPUT_MAX_BYTES
    row = log(project, service_account, stdout=stdout, stderr=stdout)
    assert not row.output_truncated and row.stdout == stdout


# CHT-30, CHT-32, CHT-34


def open_session(project, actor, container, **extra):
    return services.shell_session_open(
        actor=actor, project=project, container_name=container.container_name, **extra
    )


def test_shell_session_open_defaults(project, owner, container):
    session = open_session(project, owner, container)
    assert (session.user, session.status, session.command, session.working_dir) == (
        owner,
        ShellSessionStatus.INITIALIZING,
        "/bin/bash",
        "/app",
    )
    assert (session.terminal_rows, session.terminal_cols) == (24, 80)
    assert len(session.session_id) == 32  # secrets.token_urlsafe(24)


def test_cht_30_the_container_must_be_the_projects(project, owner):
    elsewhere = ContainerFactory()
    with pytest.raises(errors.UnknownContainer) as refused:
        open_session(project, owner, elsewhere)
    assert set(refused.value.fields) == {"container_name"}
    assert not ShellSession.objects.exists()


def test_cht_32_at_most_ten_open_sessions(project, owner, container):
    ShellSessionFactory.create_batch(3, project=project, closed=True)
    ShellSessionFactory(project=project, failed=True)
    for _ in range(10):
        open_session(project, owner, container)
    with pytest.raises(errors.SessionLimitReached):
        open_session(project, owner, container)
    assert ShellSession.objects.filter(status=ShellSessionStatus.INITIALIZING).count() == 10


def test_cht_32_closing_one_makes_room(project, owner, container):
    sessions = [open_session(project, owner, container) for _ in range(10)]
    services.shell_session_close(actor=owner, session=sessions[0])
    open_session(project, owner, container)


def test_cht_32_the_count_is_taken_under_the_project_lock(project, owner, container):
    with CaptureQueriesContext(connection) as queries:
        open_session(project, owner, container)
    sql = [q["sql"] for q in queries]
    lock = next(i for i, s in enumerate(sql) if "FOR NO KEY UPDATE" in s)
    count = next(i for i, s in enumerate(sql) if "COUNT(*)" in s)
    assert lock < count


@pytest.mark.parametrize("state", ["stopping", "hibernated", "starting", "error"])
def test_cht_34_only_an_active_project_opens_sessions(owner, state):
    project = ProjectFactory(owner=owner, **{state: True})
    container = ContainerFactory(project=project)
    with pytest.raises(services.ProjectNotActive):
        open_session(project, owner, container)


def test_shell_sessions_are_opened_by_the_owner_or_the_service(
    project, container, other_user, service_account
):
    with pytest.raises(NotAllowed):
        open_session(project, other_user, container)
    assert open_session(project, service_account, container).user == project.owner


# CHT-31


def test_cht_31_the_runtime_moves_a_session_through_its_lifecycle(session, service_account):
    for status in ("active", "idle", "active", "closed"):
        services.shell_session_report_status(actor=service_account, session=session, status=status)
        assert reload(session).status == status
    assert session.closed_at is not None


@pytest.mark.parametrize("start", ["initializing", "active", "idle"])
def test_cht_31_any_open_session_may_fail(project, service_account, start):
    session = ShellSessionFactory(project=project, status=start)
    services.shell_session_report_status(actor=service_account, session=session, status="failed")
    session = reload(session)
    assert (session.status, session.closed_at is not None) == ("failed", True)


@pytest.mark.parametrize(
    ("start", "to"),
    [
        ("initializing", "idle"),
        ("active", "initializing"),
        ("idle", "initializing"),
        ("closed", "active"),
        ("closed", "failed"),
        ("failed", "active"),
        ("failed", "closed"),
    ],
)
def test_cht_31_other_transitions_are_409_and_change_nothing(project, service_account, start, to):
    trait = {start: True} if start in ("closed", "failed") else {"status": start}
    session = ShellSessionFactory(project=project, **trait)
    before = ShellSession.objects.values().get(pk=session.pk)
    with pytest.raises(InvalidStateTransition):
        services.shell_session_report_status(actor=service_account, session=session, status=to)
    assert ShellSession.objects.values().get(pk=session.pk) == before


@pytest.mark.parametrize("status", ["initializing", "active", "idle"])
def test_cht_31_a_repeated_live_report_is_a_heartbeat_that_may_resize(
    project, service_account, status
):
    session = ShellSessionFactory(project=project, status=status)
    services.shell_session_report_status(
        actor=service_account, session=session, status=status, terminal_rows=50, terminal_cols=200
    )
    session = reload(session)
    assert (session.status, session.terminal_rows, session.terminal_cols) == (status, 50, 200)


@pytest.mark.parametrize("status", ["closed", "failed"])
def test_cht_31_a_repeated_final_report_changes_nothing(project, service_account, status):
    session = ShellSessionFactory(project=project, **{status: True})
    before = ShellSession.objects.values().get(pk=session.pk)
    services.shell_session_report_status(
        actor=service_account, session=session, status=status, terminal_rows=99
    )
    assert ShellSession.objects.values().get(pk=session.pk) == before


def test_cht_31_status_reports_are_the_services(session, owner):
    with pytest.raises(NotAllowed):
        services.shell_session_report_status(actor=owner, session=session, status="active")


def test_cht_31_close_is_idempotent(session, owner):
    assert services.shell_session_close(actor=owner, session=session) is True
    closed_at = reload(session).closed_at
    assert services.shell_session_close(actor=owner, session=session) is False
    assert reload(session).closed_at == closed_at


def test_cht_31_a_failed_session_cannot_be_closed(project, owner):
    session = ShellSessionFactory(project=project, failed=True)
    with pytest.raises(InvalidStateTransition):
        services.shell_session_close(actor=owner, session=session)
    assert reload(session).status == ShellSessionStatus.FAILED


def test_cht_31_closing_is_for_the_owner_the_service_and_staff(session, other_user, superuser):
    with pytest.raises(NotAllowed):
        services.shell_session_close(actor=other_user, session=session)
    assert services.shell_session_close(actor=superuser, session=session) is True


def test_cht_31_a_deleted_session_is_404(session, service_account):
    ShellSession.objects.filter(pk=session.pk).delete()
    with pytest.raises(NotFound):
        services.shell_session_report_status(actor=service_account, session=session, status="idle")


# CHT-33


def test_cht_33_byte_counters_grow_by_the_reported_deltas(session, service_account):
    first = services.shell_session_record_usage(
        actor=service_account, session=session, bytes_read=100, bytes_written=7
    )
    second = services.shell_session_record_usage(
        actor=service_account, session=session, bytes_read=0, bytes_written=3
    )
    assert (first, second) == (
        {"bytes_read": 100, "bytes_written": 7},
        {"bytes_read": 100, "bytes_written": 10},
    )
    assert reload(session).last_activity_at is not None


def test_cht_33_a_negative_delta_is_refused(session, service_account):
    with pytest.raises(services.DomainError):
        services.shell_session_record_usage(
            actor=service_account, session=session, bytes_read=-1, bytes_written=0
        )
    assert reload(session).bytes_read == 0


def test_cht_33_usage_is_reported_by_the_service(session, owner):
    with pytest.raises(NotAllowed):
        services.shell_session_record_usage(
            actor=owner, session=session, bytes_read=1, bytes_written=1
        )


def test_cht_33_the_counters_are_f_increments(session, service_account):
    with CaptureQueriesContext(connection) as queries:
        services.shell_session_record_usage(
            actor=service_account, session=session, bytes_read=1, bytes_written=2
        )
    update = next(q["sql"] for q in queries if q["sql"].startswith("UPDATE"))
    assert '"bytes_read" + 1' in update and '"bytes_written" + 2' in update


# CHT-35


def test_cht_35_a_stopping_project_closes_its_open_sessions(project, owner):
    live = [
        ShellSessionFactory(project=project, status=status)
        for status in ("initializing", "active", "idle")
    ]
    failed = ShellSessionFactory(project=project, failed=True)
    elsewhere = ShellSessionFactory(active=True)
    project_environment_transition(project=project, to=EnvironmentStatus.STOPPING, actor=owner)
    assert {reload(session).status for session in live} == {ShellSessionStatus.CLOSED}
    assert all(session.closed_at for session in live)
    assert reload(failed).status == ShellSessionStatus.FAILED
    assert reload(elsewhere).status == ShellSessionStatus.ACTIVE


def test_cht_35_other_transitions_leave_sessions_alone(owner):
    project = ProjectFactory(owner=owner, starting=True)
    session = ShellSessionFactory(project=project, active=True)
    project_environment_transition(project=project, to=EnvironmentStatus.ACTIVE, actor=None)
    assert reload(session).status == ShellSessionStatus.ACTIVE


def test_cht_35_a_refused_transition_closes_nothing(project, owner):
    session = ShellSessionFactory(project=project, active=True)
    with pytest.raises(InvalidStateTransition):
        project_environment_transition(project=project, to=EnvironmentStatus.ACTIVE, actor=owner)
    assert reload(session).status == ShellSessionStatus.ACTIVE


def test_cht_35_the_idle_job_closes_sessions_too(project):
    session = ShellSessionFactory(project=project, active=True)
    Project.objects.filter(pk=project.pk).update(last_activity=timezone.now() - timedelta(days=9))
    assert projects_hibernate_idle() == 1
    assert reload(session).status == ShellSessionStatus.CLOSED


def test_messages_of_other_users_chats_stay_put(owner):
    mine, theirs = ChatFactory(project__owner=owner), ChatFactory(project__owner=UserFactory())
    MessageFactory(chat=theirs)
    services.chat_delete(actor=owner, chat=mine)
    assert Message.objects.filter(chat=theirs).count() == 1


def test_writes_to_a_chat_deleted_meanwhile_are_404(chat, owner):
    Chat.objects.filter(pk=chat.pk).delete()  # `chat` is stale
    with pytest.raises(NotFound):
        services.chat_update(actor=owner, chat=chat, changes={"status": ChatStatus.ARCHIVED})
    with pytest.raises(NotFound):
        record(chat, owner)
    assert not Message.objects.exists()
