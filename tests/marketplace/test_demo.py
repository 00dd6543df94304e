"""The marketplace demo data: idempotent, built through the services, counts exact."""

from io import StringIO

import pytest

from bench.demo import accounts as accounts_demo
from bench.demo import marketplace as demo
from bench.demo import projects as projects_demo
from marketplace.models import (
    AgentCoInstall,
    AgentReview,
    MarketplaceAgent,
    MarketplaceBase,
    ProjectAgent,
    Skill,
    UserPurchasedAgent,
    UserPurchasedBase,
    WorkflowTemplate,
)
from marketplace.skills import shipped_skills

pytestmark = pytest.mark.django_db

MODELS = (
    MarketplaceAgent,
    MarketplaceBase,
    WorkflowTemplate,
    UserPurchasedAgent,
    UserPurchasedBase,
    AgentReview,
    AgentCoInstall,
    ProjectAgent,
)


def table_sizes():
    return [model.objects.count() for model in MODELS]


def test_seed_is_idempotent_and_keeps_counters_exact():
    accounts_demo.seed(StringIO())
    projects_demo.seed(StringIO())
    out = StringIO()
    demo.seed(out)
    first = table_sizes()
    demo.seed(StringIO())
    assert table_sizes() == first
    assert first[:3] == [len(demo.DEMO_AGENTS), len(demo.DEMO_BASES), 1]
    assert ProjectAgent.objects.count() == 1
    for agent in MarketplaceAgent.objects.all():
        holders = agent.purchased_by.exclude(user_id=agent.created_by_user_id).count()
        assert agent.downloads == holders
        assert agent.reviews_count == agent.reviews.count()
    reviewer = MarketplaceAgent.objects.get(slug="code-reviewer")
    assert (str(reviewer.rating), reviewer.is_featured) == ("4.50", True)
    assert "Demo marketplace holds 5 agents" in out.getvalue()


def test_seed_makes_public_https_bases_and_a_valid_published_template():
    accounts_demo.seed(StringIO())
    demo.seed(StringIO())
    for base in MarketplaceBase.objects.filter(created_by_user=None):
        assert base.visibility == "public" and base.git_repo_url.startswith("https://github.com/")
    template = WorkflowTemplate.objects.get()
    template.full_clean()
    assert template.is_published


def test_seed_without_demo_users_does_nothing():
    out = StringIO()
    demo.seed(out)
    assert table_sizes() == [0] * len(MODELS)
    assert "skipped" in out.getvalue()


def test_mkt_63_demo_has_the_builtin_skills_and_one_of_adas():
    accounts_demo.seed(StringIO())
    demo.seed(StringIO())
    demo.seed(StringIO())
    builtins = set(Skill.objects.filter(owner__isnull=True).values_list("name", flat=True))
    assert builtins == set(shipped_skills())
    own = Skill.objects.get(owner__isnull=False)
    assert (own.owner.username, own.name, own.source) == ("ada", "recipe-style", "custom")
