"""Marketplace models: database constraints, `clean()` (MKT-18 and the field rules) and the
small properties."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from marketplace.models import (
    AgentCoInstall,
    MarketplaceAgent,
    MarketplaceBase,
    ProjectAgent,
    UserPurchasedAgent,
    UserPurchasedBase,
)
from marketplace.validators import definition_errors
from tests.factories import UserFactory
from tests.marketplace.factories import (
    AgentFactory,
    AgentReviewFactory,
    BaseFactory,
    CoInstallFactory,
    ProjectAgentFactory,
    WorkflowTemplateFactory,
    definition,
    install,
    node,
)
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def refused(update, **changes):
    with pytest.raises(IntegrityError), transaction.atomic():
        update(**changes)


@pytest.mark.parametrize(
    "changes",
    [
        {"pricing_type": "gift"},
        {"pricing_type": "free", "price": 5},
        {"pricing_type": "monthly", "price": 0},
        {"api_pricing_input": -1},
        {"downloads": -1},
        {"rating": 5.5, "reviews_count": 1},
        {"rating": 4},
        {"reviews_count": 2},
    ],
)
def test_agent_constraints_refuse_bad_rows(changes):
    agent = AgentFactory()
    refused(MarketplaceAgent.objects.filter(pk=agent.pk).update, **changes)


def test_agent_cannot_be_its_own_parent():
    agent = AgentFactory()
    refused(MarketplaceAgent.objects.filter(pk=agent.pk).update, parent_agent=agent)


@pytest.mark.parametrize(
    "changes",
    [
        {"category": "games"},
        {"visibility": "secret"},
        {"pricing_type": "paid", "price": 0},
        {"pricing_type": "free", "price": 10},
        {"rating": 3},
    ],
)
def test_base_constraints_refuse_bad_rows(changes):
    base = BaseFactory()
    refused(MarketplaceBase.objects.filter(pk=base.pk).update, **changes)


def test_mkt_20_library_constraints(user):
    agent = AgentFactory()
    row = install(user, agent)
    refused(UserPurchasedAgent.objects.create, user=user, agent=agent, purchase_type="free")
    refused(UserPurchasedAgent.objects.filter(pk=row.pk).update, purchase_type="subscription")
    refused(UserPurchasedAgent.objects.filter(pk=row.pk).update, expires_at=timezone.now())
    base_row = install(user, BaseFactory())
    refused(UserPurchasedBase.objects.filter(pk=base_row.pk).update, purchase_type="subscription")


def test_mkt_8_library_rows_protect_the_item(user):
    from django.db.models import ProtectedError

    agent = AgentFactory()
    install(user, agent)
    with pytest.raises(ProtectedError):
        agent.delete()


def test_mkt_31_project_agent_is_unique():
    row = ProjectAgentFactory()
    refused(ProjectAgent.objects.create, project=row.project, agent=row.agent)


def test_review_constraints():
    review = AgentReviewFactory()
    refused(type(review).objects.filter(pk=review.pk).update, rating=6)
    refused(type(review).objects.create, user=review.user, agent=review.agent, rating=3)


def test_mkt_51_co_install_constraints():
    row = CoInstallFactory()
    refused(AgentCoInstall.objects.filter(pk=row.pk).update, related_agent=row.agent)
    refused(AgentCoInstall.objects.filter(pk=row.pk).update, co_install_count=0)
    refused(AgentCoInstall.objects.create, agent=row.agent, related_agent=row.related_agent)


def test_has_access_follows_active_and_expiry():
    now = timezone.now()
    row = UserPurchasedAgent(is_active=True, expires_at=now + timedelta(seconds=1))
    assert row.has_access(now)
    assert not row.has_access(now + timedelta(seconds=1))
    assert not UserPurchasedAgent(is_active=False).has_access(now)
    assert UserPurchasedBase(is_active=True).has_access()


def test_strings():
    agent = AgentFactory(name="Helper")
    assert str(agent) == "Helper"
    assert str(BaseFactory(name="Starter")) == "Starter"
    assert str(WorkflowTemplateFactory(name="Flow")) == "Flow"
    assert str(AgentReviewFactory(rating=4)).startswith("4★")
    assert str(CoInstallFactory(co_install_count=3)).endswith(": 3")
    assert str(install(UserFactory(), agent))
    assert str(ProjectAgentFactory()).count(" on ") == 1


# Field rules (§5.1, §5.2) as admin forms see them


def test_agent_clean_reports_field_rules():
    agent = AgentFactory.build(
        description=" ",
        tags=["ok", "x" * 51],
        tools=["a"],
        tool_configs={"b": {}},
        pricing_type="one_time",
        price=0,
        category="Not A Slug",
    )
    with pytest.raises(ValidationError) as error:
        agent.clean()
    assert set(error.value.message_dict) == {
        "description",
        "tags",
        "tool_configs",
        "price",
        "category",
    }
    assert error.value.message_dict["tags"][0].startswith("1: ")


def test_base_clean_refuses_a_query_in_the_repository_url():
    base = BaseFactory.build(git_repo_url="https://github.com/a/b?token=x")
    with pytest.raises(ValidationError) as error:
        base.clean()
    assert set(error.value.message_dict) == {"git_repo_url"}


# MKT-18: the definition's shape


def test_mkt_18_a_valid_definition_passes_clean():
    base = BaseFactory(slug="react-vite")
    template = WorkflowTemplateFactory.build(
        required_credentials=["vercel", "supabase"],
        template_definition=definition(
            node("web", "frontend", base=base.slug, internal_port=5173, directory="a/b"),
            node("db", "database", container_type="service", service_slug="postgres"),
            edges=[{"source": "web", "target": "db", "connector_type": "database", "config": {}}],
        ),
    )
    template.clean()


BAD_DEFINITIONS = {
    "not an object": [],
    "no nodes": {"nodes": []},
    "too many nodes": definition(*(node(f"n{i}") for i in range(21))),
    "unknown top key": {"nodes": [node("a")], "extra": 1},
    "duplicate key": definition(node("a", "one"), node("a", "two")),
    "duplicate name": definition(node("a", "web"), node("b", "web")),
    "bad name": definition(node("a", "Web App")),
    "unhashable key": definition({"key": ["x"], "name": "web"}),
    "service without slug": definition(node("a", container_type="service")),
    "bad container type": definition(node("a", container_type="vm")),
    "bad directory": definition(node("a", directory="../etc")),
    "bad port": definition(node("a", internal_port=70000)),
    "bad position": definition(node("a", position={"x": "left"})),
    "unknown node key": definition(node("a", colour="red")),
    "edge to unknown node": definition(node("a"), edges=[{"source": "a", "target": "b"}]),
    "self edge": definition(node("a"), edges=[{"source": "a", "target": "a"}]),
    "bad connector": definition(
        node("a"), node("b"), edges=[{"source": "a", "target": "b", "connector_type": "pipe"}]
    ),
    "duplicate edge": definition(
        node("a"),
        node("b"),
        edges=[{"source": "a", "target": "b"}, {"source": "a", "target": "b"}],
    ),
    "bad env config": definition(
        node("a"),
        node("b"),
        edges=[{"source": "a", "target": "b", "config": {"env": {"1BAD": "x"}}}],
    ),
    "unhashable edge end": definition(node("a"), edges=[{"source": ["a"], "target": "a"}]),
    "too large": definition(node("a", directory="d" * 10), edges=[{"x": "y" * 300_000}]),
}


@pytest.mark.parametrize("name", BAD_DEFINITIONS)
def test_mkt_18_bad_definitions_are_refused(name):
    assert definition_errors(BAD_DEFINITIONS[name])
    template = WorkflowTemplateFactory.build(template_definition=BAD_DEFINITIONS[name])
    with pytest.raises(ValidationError) as error:
        template.clean()
    assert "template_definition" in error.value.message_dict


def test_mkt_18_base_slugs_must_exist():
    template = WorkflowTemplateFactory.build(
        template_definition=definition(node("a", base="nowhere"))
    )
    with pytest.raises(ValidationError) as error:
        template.clean()
    assert error.value.message_dict["template_definition"] == ["No base has the slug 'nowhere'."]


@pytest.mark.parametrize("credentials", [["heroku"], ["vercel", "vercel"], "vercel"])
def test_mkt_18_required_credentials_are_known_providers_once(credentials):
    template = WorkflowTemplateFactory.build(required_credentials=credentials)
    with pytest.raises(ValidationError) as error:
        template.clean()
    assert set(error.value.message_dict) == {"required_credentials"}


def test_mkt_30_project_agent_clean_needs_the_owners_access():
    project = ProjectFactory()
    agent = AgentFactory(listed=True)
    with pytest.raises(ValidationError):
        ProjectAgent(project=project, agent=agent).clean()
    ProjectAgent(project=project, agent=agent, enabled=False).clean()
    install(project.owner, agent)
    ProjectAgent(project=project, agent=agent).clean()
