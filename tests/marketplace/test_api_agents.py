"""marketplace/agents/ through the API: browsing, writes by the creator, prompts, forks and the
related list (API.md §9.4)."""

from decimal import Decimal

import pytest

from marketplace.models import MarketplaceAgent, UserPurchasedAgent
from tests.factories import UserFactory
from tests.helpers import assert_error, assert_refused, ids
from tests.marketplace.factories import AgentFactory, CoInstallFactory, install, subscribe
from tests.marketplace.utils import AGENTS, agent_url

pytestmark = pytest.mark.django_db

NEW_AGENT = {
    "name": "Reviewer",
    "description": "Reviews code.",
    "system_prompt": "Be kind.",
    "tools": ["read_file"],
    "tool_configs": {"read_file": {"limit": 5}},
    "tags": ["Review", "review ", "quality"],
}


# Browsing (MKT-1)


def test_mkt_1_anonymous_browse_lists_listed_agents_only(as_user, agent, creator):
    AgentFactory(created_by_user=creator)
    AgentFactory(delisted=True)
    response = as_user(None).get(AGENTS)
    assert response.status_code == 200
    assert ids(response) == [str(agent.pk)]
    row = response.json()["results"][0]
    assert row["creator"] == {
        "id": str(creator.pk),
        "username": creator.username,
        "name": creator.name,
        "avatar_url": creator.avatar_url,
    }
    assert (row["in_library"], row["has_access"], row["rating"]) == (False, False, None)
    assert "system_prompt" not in row and "tool_configs" not in row


def test_mkt_1_detail_for_creator_and_holders_in_any_state(as_user, creator, user, other_user):
    draft = AgentFactory(created_by_user=creator)
    assert as_user(creator).get(agent_url(draft)).status_code == 200
    assert_error(as_user(user).get(agent_url(draft)), 404, "not_found")
    assert_error(as_user(None).get(agent_url(draft)), 404, "not_found")
    install(other_user, draft)
    body = as_user(other_user).get(agent_url(draft)).json()
    assert (body["in_library"], body["has_access"]) == (True, True)


def test_mine_lists_the_callers_own_agents_in_any_state(as_user, agent, creator):
    draft = AgentFactory(created_by_user=creator)
    AgentFactory(listed=True)
    response = as_user(creator).get(AGENTS, {"mine": "true"})
    assert set(ids(response)) == {str(agent.pk), str(draft.pk)}
    assert as_user(None).get(AGENTS, {"mine": "true"}).json()["count"] == 0
    assert as_user(creator).get(AGENTS, {"mine": "false"}).json()["count"] == 2


def test_filters(as_user, creator):
    monthly = AgentFactory(listed=True, monthly=True, category="data", created_by_user=creator)
    featured = AgentFactory(listed=True, is_featured=True)
    client = as_user(None)
    assert ids(client.get(AGENTS, {"pricing_type": "monthly"})) == [str(monthly.pk)]
    assert ids(client.get(AGENTS, {"category": "data"})) == [str(monthly.pk)]
    assert ids(client.get(AGENTS, {"is_featured": "true"})) == [str(featured.pk)]
    assert ids(client.get(AGENTS, {"creator": str(creator.pk)})) == [str(monthly.pk)]


def test_search_matches_name_prefix_description_and_exact_tag(as_user):
    by_name = AgentFactory(listed=True, name="Reviewer Pro", description="x")
    by_description = AgentFactory(listed=True, name="Alpha", description="finds the reviewer")
    by_tag = AgentFactory(listed=True, name="Beta", description="y", tags=["reviewer"])
    AgentFactory(listed=True, name="Pro Reviewer", description="z", tags=["reviewers"])
    AgentFactory(listed=True, name="Gamma", description="nothing")
    response = as_user(None).get(AGENTS, {"search": "REVIEWER", "ordering": "name"})
    assert ids(response) == [str(by_description.pk), str(by_tag.pk), str(by_name.pk)]


def test_ordering_rating_puts_unrated_last_in_both_directions(as_user):
    unrated = AgentFactory(listed=True)
    low = AgentFactory(listed=True, rating=Decimal("2.00"), reviews_count=1)
    high = AgentFactory(listed=True, rating=Decimal("4.50"), reviews_count=2)
    client = as_user(None)
    assert ids(client.get(AGENTS, {"ordering": "rating"})) == [
        str(low.pk),
        str(high.pk),
        str(unrated.pk),
    ]
    assert ids(client.get(AGENTS, {"ordering": "-rating"})) == [
        str(high.pk),
        str(low.pk),
        str(unrated.pk),
    ]


def test_ordering_default_downloads_and_others(as_user):
    a = AgentFactory(listed=True, downloads=1, name="b", monthly=True)
    b = AgentFactory(listed=True, downloads=5, name="A", one_time=True)
    c = AgentFactory(listed=True, downloads=3, name="c")
    client = as_user(None)
    assert ids(client.get(AGENTS)) == [str(b.pk), str(c.pk), str(a.pk)]
    assert ids(client.get(AGENTS, {"ordering": "name"})) == [str(b.pk), str(a.pk), str(c.pk)]
    assert ids(client.get(AGENTS, {"ordering": "-price"}))[0] == str(a.pk)
    assert ids(client.get(AGENTS, {"ordering": "-created_at"}))[0] == str(c.pk)


@pytest.mark.parametrize(
    "params",
    [
        {"pricing_type": "gift"},
        {"is_featured": "yes"},
        {"mine": "1"},
        {"creator": "not-a-uuid"},
        {"search": ""},
        {"search": "x" * 101},
        {"ordering": "system_prompt"},
        {"category": "x" * 51},
    ],
)
def test_bad_list_parameters_are_400(as_user, params):
    assert_error(as_user(None).get(AGENTS, params), 400, "validation_error")


# Prompt fields


def test_prompt_fields_for_creator_and_callers_with_access_only(as_user, agent, creator, user):
    assert "system_prompt" in as_user(creator).get(agent_url(agent)).json()
    assert "system_prompt" not in as_user(user).get(agent_url(agent)).json()
    row = subscribe(user, agent)
    body = as_user(user).get(agent_url(agent)).json()
    assert body["system_prompt"] == agent.system_prompt
    assert body["tool_configs"] == agent.tool_configs
    UserPurchasedAgent.objects.filter(pk=row.pk).update(is_active=False)
    listed = as_user(user).get(AGENTS).json()["results"][0]
    assert (listed["in_library"], listed["has_access"]) == (True, False)
    assert "system_prompt" not in listed


# Create (MKT-3) and edit (MKT-4)


def test_mkt_3_create_returns_the_agent_in_the_callers_library(as_user, user):
    response = as_user(user).post(AGENTS, NEW_AGENT, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["in_library"], body["has_access"], body["is_published"]) == (True, True, False)
    assert body["creator"]["id"] == str(user.pk)
    assert body["system_prompt"] == "Be kind."
    assert body["tags"] == ["review", "quality"]  # trimmed, lower-cased, once
    assert body["slug"].startswith("reviewer-")


def test_r3_create_refuses_privileged_fields(as_user, user, other_user):
    privileged = {
        "slug": "chosen",
        "downloads": 99,
        "rating": "5.00",
        "reviews_count": 3,
        "is_published": True,
        "is_featured": True,
        "is_active": False,
        "created_by_user": str(other_user.pk),
        "creator": str(other_user.pk),
        "parent_agent": str(AgentFactory().pk),
    }
    before = MarketplaceAgent.objects.count()
    response = as_user(user).post(AGENTS, {**NEW_AGENT, **privileged}, format="json")
    assert_refused(response, *privileged)
    assert MarketplaceAgent.objects.count() == before


BAD_AGENT_INPUT = {
    "name": ["", "x" * 101, None],
    "description": ["", "   ", "x" * 2001],
    "long_description": ["x" * 50_001],
    "category": ["Not Slug", "x" * 51],
    "icon": ["x" * 33],
    "system_prompt": ["x" * 100_001],
    "tools": ["read_file", [1], ["x" * 101], ["t"] * 101],
    "tool_configs": [[], {"unknown_tool": {}}, {"read_file": "fast"}],
    "model": ["x" * 201],
    "tags": ["tag", [""], ["x" * 51], ["t"] * 21],
    "pricing_type": ["gift"],
    "price": [-1, "ten", 10_000_001, 500],
    "api_pricing_input": [-1, "1.00001", "abc"],
    "api_pricing_output": ["999999999.0000"],
    "is_forkable": ["maybe"],
}
BAD_AGENT_CASES = [
    pytest.param(field, value, id=f"{field}-{index}")
    for field, values in BAD_AGENT_INPUT.items()
    for index, value in enumerate(values)
]


@pytest.mark.parametrize(("field", "value"), BAD_AGENT_CASES)
def test_bad_input_for_every_writable_field_is_400_and_changes_nothing(
    as_user, agent, creator, field, value
):
    client = as_user(creator)
    before = MarketplaceAgent.objects.count()
    body = assert_error(
        client.post(AGENTS, {**NEW_AGENT, field: value}, format="json"), 400, "validation_error"
    )
    assert any(key.split(".")[0] == field for key in body["fields"]), body
    assert MarketplaceAgent.objects.count() == before
    assert_error(
        client.patch(agent_url(agent), {field: value}, format="json"), 400, "validation_error"
    )
    fresh = MarketplaceAgent.objects.get(pk=agent.pk)
    assert fresh.updated_at == agent.updated_at


def test_price_must_match_the_pricing_type(as_user, user):
    client = as_user(user)
    for body in ({"pricing_type": "monthly"}, {"pricing_type": "api", "price": 10}):
        response = client.post(AGENTS, {**NEW_AGENT, **body}, format="json")
        assert "price" in assert_error(response, 400, "validation_error")["fields"]
    ok = client.post(AGENTS, {**NEW_AGENT, "pricing_type": "one_time", "price": 250}, format="json")
    assert ok.status_code == 201


def test_mkt_4_creator_edits_and_a_pricing_change_is_checked_against_the_stored_price(
    as_user, agent, creator
):
    client = as_user(creator)
    response = client.patch(agent_url(agent), {"pricing_type": "monthly"}, format="json")
    assert "price" in assert_error(response, 400, "validation_error")["fields"]
    response = client.patch(
        agent_url(agent), {"pricing_type": "monthly", "price": 700, "name": "New"}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["price"]) == ("New", 700)


def test_mkt_4_tool_configs_are_checked_against_the_stored_tools(as_user, agent, creator):
    response = as_user(creator).patch(agent_url(agent), {"tools": ["search"]}, format="json")
    assert "tool_configs.read_file" in assert_error(response, 400, "validation_error")["fields"]


def test_mkt_4_others_get_403_if_they_see_it_and_404_otherwise(as_user, agent, creator, user):
    assert_error(as_user(user).patch(agent_url(agent), {"name": "x"}), 403, "permission_denied")
    draft = AgentFactory(created_by_user=creator)
    assert_error(as_user(user).patch(agent_url(draft), {"name": "x"}), 404, "not_found")
    platform = AgentFactory(platform=True, listed=True)
    assert_error(as_user(user).patch(agent_url(platform), {"name": "x"}), 403, "permission_denied")


def test_put_is_not_allowed(as_user, agent, creator):
    assert_error(as_user(creator).put(agent_url(agent), {}), 405, "method_not_allowed")


# Publish (MKT-6), delete (MKT-8)


def test_mkt_6_publish_and_unpublish_through_the_api(as_user, creator):
    draft = AgentFactory(created_by_user=creator)
    client = as_user(creator)
    body = client.post(agent_url(draft, "publish/")).json()
    assert body["is_published"] is True and body["published_at"]
    assert as_user(None).get(agent_url(draft)).status_code == 200
    assert client.post(agent_url(draft, "unpublish/")).json()["is_published"] is False
    assert as_user(None).get(agent_url(draft)).status_code == 404


def test_mkt_8_delete_through_the_api(as_user, agent, creator, user):
    install(user, agent)
    assert_error(as_user(creator).delete(agent_url(agent)), 409, "agent_in_use")
    mine = AgentFactory(created_by_user=creator)
    install(creator, mine)
    assert as_user(creator).delete(agent_url(mine)).status_code == 204
    assert not MarketplaceAgent.objects.filter(pk=mine.pk).exists()


# Fork (MKT-7)


def test_mkt_7_fork_through_the_api(as_user, creator, user):
    parent = AgentFactory(created_by_user=creator, listed=True, is_forkable=True)
    response = as_user(user).post(agent_url(parent, "fork/"), {"name": "Mine"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["parent_agent"], body["in_library"]) == (
        "Mine",
        str(parent.pk),
        True,
    )
    assert body["system_prompt"] == parent.system_prompt


def test_mkt_7_fork_refusals(as_user, agent, creator, user):
    assert_error(as_user(user).post(agent_url(agent, "fork/")), 403, "permission_denied")
    draft = AgentFactory(created_by_user=creator, is_forkable=True)
    assert_error(as_user(user).post(agent_url(draft, "fork/")), 404, "not_found")
    paid = AgentFactory(created_by_user=creator, listed=True, is_forkable=True, monthly=True)
    assert_error(as_user(user).post(agent_url(paid, "fork/")), 403, "purchase_required")
    forkable = AgentFactory(created_by_user=creator, listed=True, is_forkable=True)
    response = as_user(user).post(agent_url(forkable, "fork/"), {"name": ""}, format="json")
    assert_error(response, 400, "validation_error")


# Related (MKT-52)


def test_mkt_52_related_is_a_plain_list_of_at_most_six(as_user, agent, user):
    related = AgentFactory.create_batch(8, listed=True)
    for count, other in enumerate(related, start=1):
        CoInstallFactory(agent=agent, related_agent=other, co_install_count=count)
    install(user, related[-1])
    body = as_user(user).get(agent_url(agent, "related/")).json()
    assert [row["id"] for row in body] == [str(a.pk) for a in reversed(related[1:7])]
    assert as_user(None).get(agent_url(agent, "related/")).status_code == 200


def test_mkt_10_downloads_shown_count_other_users_installs(as_user, agent, creator):
    install(creator, agent)
    for holder in UserFactory.create_batch(3):
        install(holder, agent)
    assert as_user(None).get(agent_url(agent)).json()["downloads"] == 3
