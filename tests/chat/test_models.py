"""The chat models against DATA_MODEL.md §4: choices, database constraints, indexes, `__str__`.

Every constraint is exercised by a write that skips the serializers and the services, so the
database is shown to refuse the row on its own.
"""

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from chat.models import (
    COMMAND_MAX_BYTES,
    COMMAND_OUTPUT_MAX_BYTES,
    MESSAGE_CONTENT_MAX_BYTES,
    AgentCommandLog,
    Chat,
    ChatStatus,
    Message,
    MessageRole,
    RiskLevel,
    ShellSession,
    ShellSessionStatus,
)
from tests.chat.factories import (
    AgentCommandLogFactory,
    ChatFactory,
    MessageFactory,
    ShellSessionFactory,
)

pytestmark = pytest.mark.django_db


def refused(constraint, make):
    """`make()` is refused by PostgreSQL with the named constraint."""
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        make()
    assert error.value.__cause__.diag.constraint_name == constraint


def test_choices_are_exactly_the_specs():
    assert ChatStatus.values == ["active", "archived"]
    assert MessageRole.values == ["user", "assistant"]
    assert RiskLevel.values == ["safe", "moderate", "high"]
    assert ShellSessionStatus.values == ["initializing", "active", "idle", "closed", "failed"]


def test_str_of_every_model(chat):
    assert str(chat) == chat.title
    assert str(ChatFactory(title="")).startswith("Untitled chat ")
    assert str(MessageFactory(content="Make it blue")) == "user: Make it blue"
    long = MessageFactory(content="x" * 200)
    assert str(long) == f"user: {'x' * 79}…"
    assert str(AgentCommandLogFactory(command="npm ci")) == "npm ci"
    session = ShellSessionFactory(container_name="app-frontend")
    assert str(session) == f"{session.session_id} in app-frontend"


def test_defaults(chat):
    assert (chat.status, chat.message_count, chat.last_message_at) == ("active", 0, None)
    session = ShellSessionFactory()
    assert (session.status, session.bytes_read, session.bytes_written) == ("initializing", 0, 0)


# Chat


def test_chat_status_valid(chat):
    refused("chat_chat_status_valid", lambda: Chat.objects.filter(pk=chat.pk).update(status="x"))


def test_chat_message_count_is_never_negative(chat):
    with pytest.raises(IntegrityError), transaction.atomic():
        Chat.objects.filter(pk=chat.pk).update(message_count=-1)


# Message


@pytest.mark.parametrize(
    ("constraint", "fields"),
    [
        ("chat_message_role_valid", {"role": "system"}),
        ("chat_message_content_size", {"content": "é" * (MESSAGE_CONTENT_MAX_BYTES // 2 + 1)}),
        ("chat_message_content_present", {"content": ""}),
        ("chat_message_content_present", {"content": " \n\t"}),
        (
            "chat_message_content_present",
            {"role": "assistant", "content": "", "message_metadata": {"tool_calls": []}},
        ),
        (
            "chat_message_content_present",
            {"role": "assistant", "content": "", "message_metadata": {"tool_calls": {"a": 1}}},
        ),
        (
            "chat_message_content_present",
            {"role": "user", "content": "", "message_metadata": {"tool_calls": [{"n": 1}]}},
        ),
        ("chat_message_metadata_object", {"message_metadata": []}),
        ("chat_message_metadata_object", {"message_metadata": "text"}),
        ("chat_message_metadata_object", {"message_metadata": {"x": "y" * 1024 * 1024}}),
    ],
)
def test_message_constraints(chat, constraint, fields):
    values = {"role": "user", "content": "Hello"} | fields
    refused(constraint, lambda: Message.objects.create(chat=chat, **values))


def test_an_assistant_message_with_tool_calls_may_be_empty(chat):
    metadata = {"tool_calls": [{"name": "read_file"}]}
    Message.objects.create(chat=chat, role="assistant", content="", message_metadata=metadata)


def test_message_content_of_exactly_one_mib_is_stored(chat):
    Message.objects.create(chat=chat, role="user", content="a" * MESSAGE_CONTENT_MAX_BYTES)


# AgentCommandLog


def log_values(**fields):
    return {"command": "ls", "success": True, "risk_level": "safe"} | fields


@pytest.mark.parametrize(
    ("constraint", "fields"),
    [
        ("chat_cmdlog_risk_level_valid", {"risk_level": "none"}),
        ("chat_cmdlog_success_matches_exit", {"success": True, "exit_code": 1}),
        ("chat_cmdlog_success_matches_exit", {"success": False, "exit_code": 0}),
        ("chat_cmdlog_dry_run_has_no_exit", {"dry_run": True, "exit_code": 0}),
        ("chat_cmdlog_command_size", {"command": ""}),
        ("chat_cmdlog_command_size", {"command": "x" * (COMMAND_MAX_BYTES + 1)}),
        ("chat_cmdlog_working_dir_not_empty", {"working_dir": ""}),
        ("chat_cmdlog_output_size", {"stdout": "x" * (COMMAND_OUTPUT_MAX_BYTES + 1)}),
        ("chat_cmdlog_output_size", {"stderr": "é" * (COMMAND_OUTPUT_MAX_BYTES // 2 + 1)}),
    ],
)
def test_command_log_constraints(project, constraint, fields):
    refused(
        constraint,
        lambda: AgentCommandLog.objects.create(
            project=project, user=project.owner, **log_values(**fields)
        ),
    )


@pytest.mark.parametrize(
    "fields",
    [
        {"exit_code": None, "success": True},
        {"exit_code": None, "success": False},
        {"exit_code": 0, "success": True},
        {"exit_code": -9, "success": False},
        {"dry_run": True, "exit_code": None},
    ],
)
def test_command_log_exit_codes_that_agree(project, fields):
    AgentCommandLog.objects.create(project=project, user=project.owner, **log_values(**fields))


# ShellSession


@pytest.mark.parametrize(
    ("constraint", "changes"),
    [
        ("chat_shellsession_status_valid", {"status": "zombie"}),
        ("chat_shellsession_bytes_non_negative", {"bytes_read": -1}),
        ("chat_shellsession_bytes_non_negative", {"bytes_written": -1}),
        ("chat_shellsession_terminal_size", {"terminal_rows": 0}),
        ("chat_shellsession_terminal_size", {"terminal_cols": 1001}),
        ("chat_shellsession_closed_has_time", {"status": "closed"}),
        ("chat_shellsession_closed_has_time", {"status": "failed"}),
        ("chat_shellsession_closed_has_time", {"closed_at": timezone.now()}),
        ("chat_shellsession_command_not_blank", {"command": " "}),
        ("chat_shellsession_command_not_blank", {"working_dir": ""}),
    ],
)
def test_shell_session_constraints(session, constraint, changes):
    refused(constraint, lambda: ShellSession.objects.filter(pk=session.pk).update(**changes))


def test_shell_session_ids_are_unique(session):
    refused(
        "chat_shellsession_session_id_unique",
        lambda: ShellSessionFactory(session_id=session.session_id),
    )


# Indexes (DATA_MODEL.md §1.4, §4)


def index_columns(table):
    """Each index of `table` on columns, as its column list, from PostgreSQL's catalog. An
    expression index has none: the title's trigram index is pinned by the admin search's tests
    (tests/backoffice/test_first_touch.py)."""
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {
        name: tuple(details["columns"])
        for name, details in constraints.items()
        if (details["index"] or details["unique"]) and details["columns"]
    }


@pytest.mark.parametrize("model", [Chat, Message, AgentCommandLog, ShellSession])
def test_every_foreign_key_is_covered_by_an_index_that_starts_with_it(model):
    indexes = index_columns(model._meta.db_table).values()
    for field in model._meta.concrete_fields:
        if field.is_relation:
            assert any(columns[0] == field.column for columns in indexes), field.name


@pytest.mark.parametrize("model", [Chat, Message, AgentCommandLog, ShellSession])
def test_no_index_duplicates_another_indexs_leading_columns(model):
    indexes = list(index_columns(model._meta.db_table).values())
    for columns in indexes:
        longer = [
            other for other in indexes if other != columns and other[: len(columns)] == columns
        ]
        assert longer == [], columns


def test_indexes_are_the_specs():
    assert set(index_columns("chat_chat").values()) == {
        ("id",),
        ("project_id", "created_at"),
        ("project_id", "last_message_at"),
        ("user_id", "created_at"),
    }
    # The cursor list's index, and nothing else (§4.2).
    assert set(index_columns("chat_message").values()) == {("id",), ("chat_id", "created_at", "id")}
    assert set(index_columns("chat_agentcommandlog").values()) == {
        ("id",),
        ("user_id", "created_at"),
        ("project_id", "created_at", "id"),
    }
    assert set(index_columns("chat_shellsession").values()) == {
        ("id",),
        ("session_id",),
        ("user_id",),
        ("project_id", "status"),
    }


def test_big_tables_have_no_default_ordering():
    assert Message._meta.ordering == [] and AgentCommandLog._meta.ordering == []
