"""Chat rows in valid default states, with traits for states.

The factories write rows directly: `MessageFactory` leaves the chat's `message_count` alone, so
tests of CHT-2 post through `chat.services.message_record` instead.
"""

import secrets

import factory
from django.utils import timezone

from chat.models import (
    AgentCommandLog,
    AgentRun,
    BookmarkKind,
    Chat,
    ChatBookmark,
    ChatStatus,
    ChatSummary,
    Message,
    MessageRole,
    RiskLevel,
    RunStatus,
    ShellSession,
    ShellSessionStatus,
)
from tests.projects.factories import ContainerFactory, ProjectFactory


class ChatFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Chat

    project = factory.SubFactory(ProjectFactory)
    user = factory.SelfAttribute("project.owner")  # CHT-1
    title = factory.Sequence(lambda n: f"Chat {n}")

    class Params:
        archived = factory.Trait(status=ChatStatus.ARCHIVED)


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    chat = factory.SubFactory(ChatFactory)
    role = MessageRole.USER
    content = factory.Sequence(lambda n: f"Message {n}: make the header sticky.")

    class Params:
        assistant = factory.Trait(
            role=MessageRole.ASSISTANT,
            content="Done: the header now stays at the top.",
            message_metadata={"steps": [{"type": "edit", "path": "src/Header.tsx"}]},
        )


class AgentCommandLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgentCommandLog

    project = factory.SubFactory(ProjectFactory)
    user = factory.SelfAttribute("project.owner")  # CHT-20
    command = factory.Sequence(lambda n: f"npm run build --workspace pkg-{n}")
    success = True
    exit_code = 0
    stdout = "built in 1.2s\n"
    risk_level = RiskLevel.SAFE
    duration_ms = 1200

    class Params:
        failed = factory.Trait(success=False, exit_code=1, stderr="Error: missing module\n")
        dry = factory.Trait(dry_run=True, exit_code=None, duration_ms=None, stdout="")


class ShellSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ShellSession

    project = factory.SubFactory(ProjectFactory)
    user = factory.SelfAttribute("project.owner")
    session_id = factory.LazyFunction(lambda: secrets.token_urlsafe(24))
    container_name = factory.LazyAttribute(
        lambda session: ContainerFactory(project=session.project).container_name
    )

    class Params:
        active = factory.Trait(status=ShellSessionStatus.ACTIVE)
        idle = factory.Trait(status=ShellSessionStatus.IDLE)
        closed = factory.Trait(
            status=ShellSessionStatus.CLOSED, closed_at=factory.LazyFunction(timezone.now)
        )
        failed = factory.Trait(
            status=ShellSessionStatus.FAILED, closed_at=factory.LazyFunction(timezone.now)
        )


class AgentRunFactory(factory.django.DjangoModelFactory):
    """A `pending` run; the traits give the other states their times and error."""

    class Meta:
        model = AgentRun

    chat = factory.SubFactory(ChatFactory)
    model = "anthropic/claude-sonnet"
    request_id = factory.Sequence(lambda n: f"run-request-{n}")

    class Params:
        running = factory.Trait(
            status=RunStatus.RUNNING, started_at=factory.LazyFunction(timezone.now)
        )
        completed = factory.Trait(
            status=RunStatus.COMPLETED,
            started_at=factory.LazyFunction(timezone.now),
            finished_at=factory.LazyFunction(timezone.now),
            metrics={"tokens_input": 1200, "tokens_output": 340, "tool_calls": 3},
        )
        failed = factory.Trait(
            status=RunStatus.FAILED,
            started_at=factory.LazyFunction(timezone.now),
            finished_at=factory.LazyFunction(timezone.now),
            error_code="tool_error",
            error_message="npm install exited with 1",
        )


class ChatSummaryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChatSummary

    chat = factory.SubFactory(ChatFactory)
    end_message = factory.LazyAttribute(lambda summary: MessageFactory(chat=summary.chat))
    summary_text = "The user wants a sticky header; the agent edited Header.tsx."
    original_tokens = 4000
    summary_tokens = 200
    model = "anthropic/claude-haiku"


class ChatBookmarkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChatBookmark

    chat = factory.SubFactory(ChatFactory)
    user = factory.SelfAttribute("chat.user")
    kind = BookmarkKind.PIN
