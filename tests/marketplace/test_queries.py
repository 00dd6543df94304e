"""Query budgets (PERFORMANCE.md, R16): every marketplace list runs a pinned number of queries,
the same for 2 rows as for 12. `in_library` and `has_access` are part of the page query.

Counts include authentication for signed-in callers: one token lookup (the token's
`last_used_at` write happens on its first use, which a warm-up request absorbs).
"""

import pytest

from tests.factories import UserFactory
from tests.marketplace.factories import (
    AgentFactory,
    AgentReviewFactory,
    BaseFactory,
    BaseReviewFactory,
    CoInstallFactory,
    ProjectAgentFactory,
    WorkflowTemplateFactory,
    install,
)
from tests.marketplace.utils import (
    AGENTS,
    BASES,
    LIBRARY_AGENTS,
    LIBRARY_BASES,
    WORKFLOWS,
    agent_url,
    project_agents_url,
    reviews_url,
)
from tests.projects.factories import ContainerFactory

pytestmark = pytest.mark.django_db

AUTH = 1
PAGE = 2  # COUNT and the page
NESTED_PAGE = 1 + PAGE  # the item or project in the URL first, then the page


def agents(world, count):
    for _ in range(count):
        agent = AgentFactory(listed=True, created_by_user=UserFactory())
        install(world.user, agent)  # flags true for some rows: still no query per row


def own_agents(world, count):
    for index in range(count):
        AgentFactory(created_by_user=world.user, listed=bool(index % 2), name=f"a{index}")


def bases(world, count):
    BaseFactory.create_batch(count, listed=True)


def workflows(world, count):
    WorkflowTemplateFactory.create_batch(count, listed=True)


def agent_reviews(world, count):
    AgentReviewFactory.create_batch(count, agent=world.agent)


def base_reviews(world, count):
    BaseReviewFactory.create_batch(count, base=world.base)


def library_agents(world, count):
    for agent in AgentFactory.create_batch(count, listed=True):
        install(world.user, agent)


def library_bases(world, count):
    for base in BaseFactory.create_batch(count, listed=True):
        install(world.user, base)


def project_agents(world, count):
    ProjectAgentFactory.create_batch(count, project=world.project)


MINE = {"mine": "true", "search": "a", "ordering": "-rating"}
LISTS = {
    "agents": (lambda w: AGENTS, {}, agents, PAGE),
    "agents, mine, searched": (lambda w: AGENTS, MINE, own_agents, PAGE),
    "bases": (lambda w: BASES, {}, bases, PAGE),
    "workflows": (lambda w: WORKFLOWS, {}, workflows, PAGE),
    "agent reviews": (lambda w: reviews_url(w.agent), {}, agent_reviews, NESTED_PAGE),
    "base reviews": (lambda w: reviews_url(w.base), {}, base_reviews, NESTED_PAGE),
    "library agents": (lambda w: LIBRARY_AGENTS, {}, library_agents, PAGE),
    "library bases": (lambda w: LIBRARY_BASES, {}, library_bases, PAGE),
    "project agents": (lambda w: project_agents_url(w.project), {}, project_agents, NESTED_PAGE),
}


@pytest.fixture
def world(user, agent, base, project):
    from types import SimpleNamespace

    return SimpleNamespace(user=user, agent=agent, base=base, project=project)


def count_of(response):
    return len(response.json()["results"])


@pytest.mark.parametrize("name", LISTS)
def test_r16_list_queries_are_pinned_and_flat_from_2_to_12_rows(
    client_for, world, django_assert_num_queries, name
):
    path, params, make_rows, queries = LISTS[name]
    client = client_for(world.user)
    url, params = path(world), {**params, "page_size": 50}
    assert client.get(url, params).status_code == 200  # warm-up
    make_rows(world, 2)
    with django_assert_num_queries(AUTH + queries):
        small = count_of(client.get(url, params))
    make_rows(world, 10)
    with django_assert_num_queries(AUTH + queries):
        large = count_of(client.get(url, params))
    assert small >= 2 and large - small == 10


@pytest.mark.parametrize("name", ["agents", "bases", "workflows", "agent reviews"])
def test_r16_anonymous_browsing_needs_no_authentication_query(
    api_client, world, django_assert_num_queries, name
):
    path, _, make_rows, queries = LISTS[name]
    make_rows(world, 2)
    with django_assert_num_queries(queries):
        api_client.get(path(world))
    make_rows(world, 10)
    with django_assert_num_queries(queries):
        api_client.get(path(world))


def test_mkt_52_related_is_at_most_three_queries(client_for, world, django_assert_num_queries):
    world.agent.category = "code"
    world.agent.save()
    client = client_for(world.user)
    url = agent_url(world.agent, "related/")
    client.get(url)
    CoInstallFactory(agent=world.agent)
    AgentFactory(listed=True, category="code")
    # The agent, the co-installed agents, the same-category fill.
    with django_assert_num_queries(AUTH + 3):
        assert len(client.get(url).json()) == 2
    for _ in range(5):
        CoInstallFactory(agent=world.agent)
    with django_assert_num_queries(AUTH + 2):
        assert len(client.get(url).json()) == 6


def test_detail_is_one_query(client_for, world, django_assert_num_queries):
    client = client_for(world.user)
    client.get(agent_url(world.agent))
    with django_assert_num_queries(AUTH + 1):
        client.get(agent_url(world.agent))


def containers_from_bases(project, count):
    for _ in range(count):
        ContainerFactory(project=project, base=BaseFactory(listed=True))


def test_container_base_key_adds_no_query_per_row(client_for, world, django_assert_num_queries):
    """Projects' container list and project detail show `base` from a join (API.md §9.2)."""
    client = client_for(world.user)
    containers = f"/api/v1/projects/{world.project.pk}/containers/"
    detail = f"/api/v1/projects/{world.project.pk}/"
    client.get(containers)
    containers_from_bases(world.project, 2)
    with django_assert_num_queries(AUTH + NESTED_PAGE):
        client.get(containers)
    with django_assert_num_queries(AUTH + 4):  # project, containers, connections, chats
        client.get(detail)
    containers_from_bases(world.project, 10)
    with django_assert_num_queries(AUTH + NESTED_PAGE):
        rows = client.get(containers, {"page_size": 50}).json()["results"]
    with django_assert_num_queries(AUTH + 4):
        nested = client.get(detail).json()["containers"]
    assert len(rows) == len(nested) == 12
    assert {row["base"]["slug"] for row in rows} == {row["base"]["slug"] for row in nested}
