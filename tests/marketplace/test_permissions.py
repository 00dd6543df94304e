"""R1, R2, R4: every marketplace endpoint, method and role, in one table (API.md §3, §9.4).

Rows are the routes and targets; columns the callers. "owner" is the creator of the agents and
bases, the author of the reviews and the owner of the library rows, the project and its agent;
everyone else is a stranger to them. The API gives moderators, service accounts, staff and
superusers no marketplace rights: they are ordinary users here. A completeness check fails
when a route has no row.
"""

from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from config.roles import MODERATORS_GROUP, SERVICE_ACCOUNTS_GROUP
from marketplace import urls as marketplace_urls
from tests.factories import UserFactory
from tests.marketplace.factories import (
    AgentFactory,
    AgentReviewFactory,
    BaseFactory,
    BaseReviewFactory,
    ProjectAgentFactory,
    SkillFactory,
    WorkflowTemplateFactory,
    install,
)
from tests.projects.factories import ProjectFactory

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "owner", "other", "moderator", "service", "staff", "superuser")
STRANGERS = ROLES[2:]


def everyone(ok):
    return dict.fromkeys(ROLES, ok)


def signed_in(ok):
    return {**everyone(ok), "anonymous": 401}


def owner_only(ok, strangers=404):
    """Creator, author or owner rows: strangers get 403 when they can see the row, else 404."""
    return {"anonymous": 401, "owner": ok, **dict.fromkeys(STRANGERS, strangers)}


def visible_to_owner(ok):
    """A row only its owner can see, readable by no one else (not even anonymously)."""
    return {**owner_only(ok), "anonymous": 404}


@dataclass
class Endpoint:
    route: str
    method: str
    target: str  # the world attribute in the path; "-" for none
    path: str  # formatted with the world's ids
    expected: dict
    body: object = None  # a dict, or a callable taking the world
    owner_rows: int | None = None  # for lists: rows the owner sees
    stranger_rows: int | None = None  # for lists: rows a signed-in stranger sees

    @property
    def id(self):
        return f"{self.method} {self.route} {self.target}"


A = "/api/v1/marketplace/agents"
B = "/api/v1/marketplace/bases"
W = "/api/v1/marketplace/workflows"
L = "/api/v1/marketplace/library"
P = "/api/v1/projects/{project}/agents"
S = "/api/v1/marketplace/skills/"
NEW_AGENT = {"name": "New", "description": "New agent."}
NEW_BASE = {
    "name": "New",
    "description": "New base.",
    "git_repo_url": "https://github.com/example/new",
    "category": "data",
}


def use_body(w):
    return {"project": str(w.project.pk), "name": "fresh"}


ENDPOINTS = [
    # agents
    Endpoint("marketplace-agent-list", "GET", "-", f"{A}/", everyone(200), None, 2, 2),
    Endpoint("marketplace-agent-list", "POST", "-", f"{A}/", signed_in(201), NEW_AGENT),
    Endpoint("marketplace-agent-detail", "GET", "agent", f"{A}/{{agent}}/", everyone(200)),
    Endpoint("marketplace-agent-detail", "GET", "draft", f"{A}/{{draft}}/", visible_to_owner(200)),
    Endpoint(
        "marketplace-agent-detail",
        "PATCH",
        "agent",
        f"{A}/{{agent}}/",
        owner_only(200, 403),
        {"name": "Renamed"},
    ),
    Endpoint(
        "marketplace-agent-detail",
        "PATCH",
        "draft",
        f"{A}/{{draft}}/",
        owner_only(200),
        {"name": "Renamed"},
    ),
    Endpoint(
        "marketplace-agent-detail", "DELETE", "agent", f"{A}/{{agent}}/", owner_only(204, 403)
    ),
    Endpoint("marketplace-agent-detail", "DELETE", "draft", f"{A}/{{draft}}/", owner_only(204)),
    Endpoint(
        "marketplace-agent-publish", "POST", "draft", f"{A}/{{draft}}/publish/", owner_only(200)
    ),
    Endpoint(
        "marketplace-agent-publish",
        "POST",
        "agent",
        f"{A}/{{agent}}/publish/",
        owner_only(200, 403),
    ),
    Endpoint(
        "marketplace-agent-unpublish",
        "POST",
        "agent",
        f"{A}/{{agent}}/unpublish/",
        owner_only(200, 403),
    ),
    Endpoint("marketplace-agent-fork", "POST", "agent", f"{A}/{{agent}}/fork/", signed_in(201)),
    Endpoint("marketplace-agent-fork", "POST", "draft", f"{A}/{{draft}}/fork/", owner_only(201)),
    Endpoint("marketplace-agent-related", "GET", "agent", f"{A}/{{agent}}/related/", everyone(200)),
    Endpoint(
        "marketplace-agent-related",
        "GET",
        "draft",
        f"{A}/{{draft}}/related/",
        visible_to_owner(200),
    ),
    # agent reviews: the owner reviewed the platform agent (so a second review is 409)
    Endpoint(
        "marketplace-agent-review-list",
        "GET",
        "platform_agent",
        f"{A}/{{platform_agent}}/reviews/",
        everyone(200),
        None,
        1,
        1,
    ),
    Endpoint(
        "marketplace-agent-review-list",
        "GET",
        "draft",
        f"{A}/{{draft}}/reviews/",
        visible_to_owner(200),
    ),
    Endpoint(
        "marketplace-agent-review-list",
        "POST",
        "platform_agent",
        f"{A}/{{platform_agent}}/reviews/",
        owner_only(409, 403),
        {"rating": 4},
    ),
    Endpoint(
        "marketplace-agent-review-detail",
        "PATCH",
        "agent_review",
        f"{A}/{{platform_agent}}/reviews/{{agent_review}}/",
        owner_only(200, 403),
        {"rating": 1},
    ),
    Endpoint(
        "marketplace-agent-review-detail",
        "DELETE",
        "agent_review",
        f"{A}/{{platform_agent}}/reviews/{{agent_review}}/",
        owner_only(204, 403),
    ),
    # bases
    Endpoint("marketplace-base-list", "GET", "-", f"{B}/", everyone(200), None, 2, 2),
    Endpoint("marketplace-base-list", "POST", "-", f"{B}/", signed_in(201), NEW_BASE),
    Endpoint("marketplace-base-detail", "GET", "base", f"{B}/{{base}}/", everyone(200)),
    Endpoint(
        "marketplace-base-detail",
        "GET",
        "private_base",
        f"{B}/{{private_base}}/",
        visible_to_owner(200),
    ),
    Endpoint(
        "marketplace-base-detail",
        "PATCH",
        "base",
        f"{B}/{{base}}/",
        owner_only(200, 403),
        {"visibility": "private"},
    ),
    Endpoint(
        "marketplace-base-detail",
        "PATCH",
        "private_base",
        f"{B}/{{private_base}}/",
        owner_only(200),
        {"name": "Renamed"},
    ),
    Endpoint("marketplace-base-detail", "DELETE", "base", f"{B}/{{base}}/", owner_only(204, 403)),
    Endpoint(
        "marketplace-base-detail",
        "DELETE",
        "private_base",
        f"{B}/{{private_base}}/",
        owner_only(204),
    ),
    # using a base in the owner's project: strangers do not see that project
    Endpoint(
        "marketplace-base-use", "POST", "base", f"{B}/{{base}}/use/", owner_only(201), use_body
    ),
    Endpoint(
        "marketplace-base-use",
        "POST",
        "private_base",
        f"{B}/{{private_base}}/use/",
        owner_only(201),
        use_body,
    ),
    Endpoint(
        "marketplace-base-review-list",
        "GET",
        "platform_base",
        f"{B}/{{platform_base}}/reviews/",
        everyone(200),
        None,
        1,
        1,
    ),
    Endpoint(
        "marketplace-base-review-list",
        "POST",
        "platform_base",
        f"{B}/{{platform_base}}/reviews/",
        owner_only(409, 403),
        {"rating": 2},
    ),
    Endpoint(
        "marketplace-base-review-detail",
        "PATCH",
        "base_review",
        f"{B}/{{platform_base}}/reviews/{{base_review}}/",
        owner_only(200, 403),
        {"comment": "Edited"},
    ),
    Endpoint(
        "marketplace-base-review-detail",
        "DELETE",
        "base_review",
        f"{B}/{{platform_base}}/reviews/{{base_review}}/",
        owner_only(204, 403),
    ),
    # workflow templates
    Endpoint("marketplace-workflow-list", "GET", "-", f"{W}/", everyone(200), None, 1, 1),
    Endpoint("marketplace-workflow-detail", "GET", "template", f"{W}/{{template}}/", everyone(200)),
    Endpoint(
        "marketplace-workflow-apply",
        "POST",
        "template",
        f"{W}/{{template}}/apply/",
        owner_only(201),
        lambda w: {"project": str(w.project.pk)},
    ),
    # libraries
    Endpoint(
        "marketplace-library-agent-list", "GET", "-", f"{L}/agents/", signed_in(200), None, 2, 0
    ),
    Endpoint(
        "marketplace-library-agent-detail",
        "GET",
        "agent_row",
        f"{L}/agents/{{agent_row}}/",
        owner_only(200),
    ),
    Endpoint(
        "marketplace-library-agent-detail",
        "DELETE",
        "agent_row",
        f"{L}/agents/{{agent_row}}/",
        owner_only(204),
    ),
    Endpoint(
        "marketplace-library-base-list", "GET", "-", f"{L}/bases/", signed_in(200), None, 1, 0
    ),
    Endpoint(
        "marketplace-library-base-detail",
        "GET",
        "base_row",
        f"{L}/bases/{{base_row}}/",
        owner_only(200),
    ),
    Endpoint(
        "marketplace-library-base-detail",
        "DELETE",
        "base_row",
        f"{L}/bases/{{base_row}}/",
        owner_only(204),
    ),
    # project agents
    Endpoint("project-agent-list", "GET", "project", f"{P}/", owner_only(200), None, 1),
    Endpoint(
        "project-agent-list",
        "POST",
        "project",
        f"{P}/",
        owner_only(201),
        lambda w: {"agent": str(w.agent.pk)},
    ),
    Endpoint(
        "project-agent-detail",
        "PATCH",
        "project_agent",
        f"{P}/{{project_agent}}/",
        owner_only(200),
        {"enabled": False},
    ),
    Endpoint(
        "project-agent-detail",
        "DELETE",
        "project_agent",
        f"{P}/{{project_agent}}/",
        owner_only(204),
    ),
    # skills: the owner's own; built-ins are read-only (tests/marketplace/test_skills.py)
    Endpoint("marketplace-skill-list", "GET", "-", S, signed_in(200), None, 2, 1),
    Endpoint(
        "marketplace-skill-list",
        "POST",
        "-",
        S,
        signed_in(201),
        {"name": "new-skill", "content": "# New"},
    ),
    Endpoint("marketplace-skill-detail", "GET", "skill", f"{S}{{skill}}/", owner_only(200)),
    Endpoint(
        "marketplace-skill-detail",
        "PATCH",
        "skill",
        f"{S}{{skill}}/",
        owner_only(200),
        {"description": "Edited."},
    ),
    Endpoint("marketplace-skill-detail", "DELETE", "skill", f"{S}{{skill}}/", owner_only(204)),
]

TARGETS = (
    "skill",
    "agent",
    "draft",
    "platform_agent",
    "agent_review",
    "base",
    "private_base",
    "platform_base",
    "base_review",
    "template",
    "agent_row",
    "base_row",
    "project",
    "project_agent",
)


def build_world():
    owner = UserFactory()
    platform_agent = AgentFactory(platform=True, listed=True)
    platform_base = BaseFactory(platform=True, listed=True)
    agent = AgentFactory(created_by_user=owner, listed=True, is_forkable=True)
    install(owner, agent)  # the creator's own row (MKT-3), so the owner may assign it
    project = ProjectFactory(owner=owner)
    return SimpleNamespace(
        owner=owner,
        agent=agent,
        draft=AgentFactory(created_by_user=owner, is_forkable=True),
        platform_agent=platform_agent,
        agent_review=AgentReviewFactory(user=owner, agent=platform_agent),
        base=BaseFactory(created_by_user=owner, listed=True),
        private_base=BaseFactory(created_by_user=owner),
        platform_base=platform_base,
        base_review=BaseReviewFactory(user=owner, base=platform_base),
        template=WorkflowTemplateFactory(listed=True),
        agent_row=install(owner, platform_agent),
        base_row=install(owner, platform_base),
        project=project,
        project_agent=ProjectAgentFactory(project=project, agent=platform_agent),
        skill=SkillFactory(owner=owner),
        builtin_skill=SkillFactory(builtin=True),
    )


def caller_for(role, world):
    if role == "owner":
        return world.owner
    if role == "staff":
        return UserFactory(staff=True)
    if role == "superuser":
        return UserFactory(superuser=True)
    user = UserFactory()
    if role in ("moderator", "service"):
        group = MODERATORS_GROUP if role == "moderator" else SERVICE_ACCOUNTS_GROUP
        user.groups.add(Group.objects.get_or_create(name=group)[0])
    return user


def call(client, endpoint, world):
    ids = {name: getattr(world, name).pk for name in TARGETS}
    body = endpoint.body(world) if callable(endpoint.body) else endpoint.body
    return getattr(client, endpoint.method.lower())(
        endpoint.path.format(**ids), body, format="json"
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.id)
def test_r1_permission_matrix(client_for, endpoint, role):
    world = build_world()
    client = APIClient() if role == "anonymous" else client_for(caller_for(role, world))
    response = call(client, endpoint, world)
    assert response.status_code == endpoint.expected[role], response.content
    if endpoint.owner_rows is not None and response.status_code == 200:
        stranger_rows = endpoint.stranger_rows or 0
        assert response.json()["count"] == (
            endpoint.owner_rows if role == "owner" else stranger_rows
        )


def routed_methods():
    """Every (route name, method) the marketplace URLconf serves."""
    served = set()
    for pattern in marketplace_urls.urlpatterns:
        for method in pattern.callback.actions:
            if method not in ("head", "options"):
                served.add((pattern.name, method.upper()))
    return served


def test_r1_every_route_and_method_has_a_row():
    assert routed_methods() == {(endpoint.route, endpoint.method) for endpoint in ENDPOINTS}
    assert len({endpoint.id for endpoint in ENDPOINTS}) == len(ENDPOINTS)
