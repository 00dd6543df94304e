"""Chat rows in valid default states, with traits for states.

The factories write rows directly: `MessageFactory` leaves the chat's `message_count` alone, so
tests of CHT-2 post through `chat.services.message_record` instead.
"""

import secrets

import factory
from django.utils import timezone

from chat.models import (
    AgentCommandLog,
    Chat,
    ChatStatus,
    Message,
    MessageRole,
    RiskLevel,
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
