"""Factories of the marketplace models: minimal valid rows, with traits for states.

Factories write rows directly; they do not run the services' side effects (the creator's
library row of MKT-3, downloads). Tests that need those call the services or `install`.
"""

from datetime import timedelta

import factory
from django.utils import timezone

from marketplace.library import library_add
from marketplace.models import (
    AgentCoInstall,
    AgentReview,
    BaseReview,
    MarketplaceAgent,
    MarketplaceBase,
    ProjectAgent,
    PurchaseType,
    Skill,
    WorkflowTemplate,
)
from tests.factories import UserFactory
from tests.projects.factories import ProjectFactory


class AgentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MarketplaceAgent

    name = factory.Sequence(lambda n: f"Agent {n}")
    slug = factory.Sequence(lambda n: f"agent-{n}")
    description = "Helps with code."
    system_prompt = "You are helpful."
    tools = factory.LazyFunction(lambda: ["read_file"])
    tool_configs = factory.LazyFunction(lambda: {"read_file": {"max_bytes": 1000}})
    created_by_user = factory.SubFactory(UserFactory)

    class Params:
        listed = factory.Trait(is_published=True, published_at=factory.LazyFunction(timezone.now))
        platform = factory.Trait(created_by_user=None)
        monthly = factory.Trait(pricing_type="monthly", price=500)
        one_time = factory.Trait(pricing_type="one_time", price=300)
        delisted = factory.Trait(is_published=True, is_active=False)


class BaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MarketplaceBase

    name = factory.Sequence(lambda n: f"Base {n}")
    slug = factory.Sequence(lambda n: f"base-{n}")
    description = "A starter."
    git_repo_url = "https://github.com/example/starter"
    category = "frontend"
    created_by_user = factory.SubFactory(UserFactory)

    class Params:
        listed = factory.Trait(visibility="public")
        platform = factory.Trait(created_by_user=None)
        paid = factory.Trait(pricing_type="paid", price=1500)


def definition(*nodes, edges=()):
    return {"nodes": list(nodes), "edges": list(edges)}


def node(key, name=None, **extra):
    return {"key": key, "name": name or key, "container_type": "base", **extra}


class WorkflowTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkflowTemplate

    name = factory.Sequence(lambda n: f"Workflow {n}")
    slug = factory.Sequence(lambda n: f"workflow-{n}")
    description = "Two containers."
    template_definition = factory.LazyFunction(
        lambda: definition(
            node("web", "frontend"),
            node("db", "database", container_type="service", service_slug="postgres"),
            edges=[{"source": "web", "target": "db", "connector_type": "database"}],
        )
    )

    class Params:
        listed = factory.Trait(is_published=True)


class AgentReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgentReview

    user = factory.SubFactory(UserFactory)
    agent = factory.SubFactory(AgentFactory, listed=True)
    rating = 4


class BaseReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BaseReview

    user = factory.SubFactory(UserFactory)
    base = factory.SubFactory(BaseFactory, listed=True)
    rating = 4


class ProjectAgentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectAgent

    project = factory.SubFactory(ProjectFactory)
    agent = factory.SubFactory(AgentFactory, listed=True)


class CoInstallFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgentCoInstall

    agent = factory.SubFactory(AgentFactory, listed=True)
    related_agent = factory.SubFactory(AgentFactory, listed=True)


def install(user, item, purchase_type=PurchaseType.FREE, expires_at=None):
    """Adds `item` to the user's library as an install does (MKT-10, MKT-50); the row."""
    row, _ = library_add(user=user, item=item, purchase_type=purchase_type, expires_at=expires_at)
    return row


def subscribe(user, agent, days=30):
    return install(
        user,
        agent,
        purchase_type=PurchaseType.SUBSCRIPTION,
        expires_at=timezone.now() + timedelta(days=days),
    )


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"skill-{n}")
    source = "custom"
    content = "# A skill\n\nDo the thing well.\n"

    class Params:
        builtin = factory.Trait(owner=None, source="builtin")
