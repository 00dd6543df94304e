"""The chat demo data: conversations, command logs and sessions, loaded idempotently."""

from io import StringIO

import pytest

from accounts.models import User
from bench.demo import accounts as accounts_demo
from bench.demo import chat as demo
from bench.demo import projects as projects_demo
from chat.models import (
    AgentCommandLog,
    Chat,
    ChatBookmark,
    Message,
    MessageAttachment,
    ShellSession,
)

pytestmark = pytest.mark.django_db


def table_sizes():
    return [model.objects.count() for model in (Chat, Message, AgentCommandLog, ShellSession)]


@pytest.fixture
def demo_projects():
    accounts_demo.seed(StringIO())
    projects_demo.seed(StringIO())


def test_seed_is_idempotent_and_keeps_counters_exact(demo_projects):
    demo.seed(StringIO())
    first = table_sizes()
    demo.seed(StringIO())
    assert table_sizes() == first
    assert first[0] == sum(len(chats) for chats in demo.DEMO_CHATS.values())
    assert first[2] == sum(len(commands) for commands in demo.DEMO_COMMANDS.values())
    for chat in Chat.objects.all():
        assert chat.message_count == chat.messages.count() > 0
    assert Chat.objects.filter(status="archived").count() == 1


def test_seed_opens_sessions_only_in_active_projects(demo_projects):
    demo.seed(StringIO())
    assert set(ShellSession.objects.values_list("project__environment_status", flat=True)) == {
        "active"
    }
    assert set(ShellSession.objects.values_list("status", flat=True)) == {"active", "closed"}


def test_seed_creates_a_service_account_for_the_runtime(demo_projects):
    out = StringIO()
    demo.seed(out)
    runtime = User.objects.get(email=demo.DEMO_RUNTIME[0])
    assert runtime.has_perm("chat.record_messages") and not runtime.has_usable_password()
    assert not Chat.objects.filter(user=runtime).exists()  # chats are the owners' (CHT-1)
    assert demo.DEMO_RUNTIME[0] in out.getvalue()


def test_seed_without_demo_projects_does_nothing():
    demo.seed(StringIO())
    assert table_sizes() == [0, 0, 0, 0]


def test_seed_shows_what_the_runtime_records(demo_projects):
    """A finished, a failed and a running run, a summary, an attachment and a pin."""
    demo.seed(StringIO())
    chat = Chat.objects.get(title=demo.RUNS_CHAT[1])
    assert sorted(chat.runs.values_list("status", flat=True)) == ["completed", "failed", "running"]
    assert chat.summaries.count() == 1
    assert MessageAttachment.objects.filter(message__chat=chat).count() == 1
    assert ChatBookmark.objects.filter(chat=chat, user=chat.user, kind="pin").exists()
    assert chat.runs.get(status="failed").error_code == "tool_error"
