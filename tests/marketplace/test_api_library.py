"""Workflow templates, libraries and project agents through the API (API.md §9.4)."""

import pytest

from marketplace.models import ProjectAgent, UserPurchasedAgent
from projects.models import Container, ContainerConnection
from tests.helpers import assert_error, ids
from tests.marketplace.factories import (
    AgentFactory,
    ProjectAgentFactory,
    WorkflowTemplateFactory,
    definition,
    install,
    node,
    subscribe,
)
from tests.marketplace.utils import (
    LIBRARY_AGENTS,
    LIBRARY_BASES,
    WORKFLOWS,
    project_agents_url,
    workflow_url,
)
from tests.projects.factories import ContainerFactory, DeploymentCredentialFactory, ProjectFactory

pytestmark = pytest.mark.django_db


# Workflow templates (MKT-19)


def test_workflow_list_and_detail(as_user):
    popular = WorkflowTemplateFactory(listed=True, downloads=9, category="web", is_featured=True)
    other = WorkflowTemplateFactory(listed=True, name="Another")
    WorkflowTemplateFactory()  # unpublished
    client = as_user(None)
    response = client.get(WORKFLOWS)
    assert ids(response) == [str(popular.pk), str(other.pk)]
    assert "template_definition" not in response.json()["results"][0]
    assert ids(client.get(WORKFLOWS, {"category": "web"})) == [str(popular.pk)]
    assert ids(client.get(WORKFLOWS, {"is_featured": "false"})) == [str(other.pk)]
    assert ids(client.get(WORKFLOWS, {"search": "anoth"})) == [str(other.pk)]
    assert ids(client.get(WORKFLOWS, {"ordering": "name"}))[0] == str(other.pk)
    detail = client.get(workflow_url(popular)).json()
    assert detail["template_definition"] == popular.template_definition
    assert detail["required_credentials"] == []
    assert_error(client.get(workflow_url(WorkflowTemplateFactory())), 404, "not_found")
    assert_error(client.get(WORKFLOWS, {"ordering": "slug"}), 400, "validation_error")


def test_mkt_19_apply_through_the_api(as_user, base, user, project):
    template = WorkflowTemplateFactory(
        listed=True,
        required_credentials=["netlify"],
        template_definition=definition(
            node("web", "frontend", base=base.slug),
            node("api", "api"),
            edges=[{"source": "web", "target": "api", "connector_type": "http_api"}],
        ),
    )
    client = as_user(user)
    body = {"project": str(project.pk)}
    response = client.post(workflow_url(template, "apply/"), body, format="json")
    assert_error(response, 400, "missing_credential")
    assert "netlify" in response.json()["message"]
    DeploymentCredentialFactory(user=user, provider="netlify")
    response = client.post(workflow_url(template, "apply/"), body, format="json")
    assert response.status_code == 201, response.content
    result = response.json()
    assert [c["name"] for c in result["containers"]] == ["api", "frontend"]
    assert result["containers"][1]["base"]["slug"] == base.slug
    assert result["connections"][0]["connector_type"] == "http_api"
    template.refresh_from_db()
    assert template.downloads == 1
    response = client.post(workflow_url(template, "apply/"), body, format="json")
    assert_error(response, 409, "already_exists")
    assert Container.objects.count() == 2 and ContainerConnection.objects.count() == 1


def test_mkt_19_apply_404_for_another_users_project_and_400_for_bad_input(as_user, user):
    template = WorkflowTemplateFactory(listed=True)
    client = as_user(user)
    url = workflow_url(template, "apply/")
    response = client.post(url, {"project": str(ProjectFactory().pk)}, format="json")
    assert_error(response, 404, "not_found")
    assert_error(client.post(url, {"project": "x"}, format="json"), 400, "validation_error")
    assert_error(client.post(url, {}, format="json"), 400, "validation_error")


def test_mkt_19_paid_base_is_purchase_required(as_user, creator, user, project):
    from tests.marketplace.factories import BaseFactory

    paid = BaseFactory(created_by_user=creator, listed=True, paid=True)
    template = WorkflowTemplateFactory(
        listed=True, template_definition=definition(node("web", base=paid.slug))
    )
    response = as_user(user).post(
        workflow_url(template, "apply/"), {"project": str(project.pk)}, format="json"
    )
    assert_error(response, 403, "purchase_required")


# Library (MKT-21)


def test_library_lists_only_the_callers_rows_with_access(as_user, agent, base, user, other_user):
    subscribed = subscribe(user, AgentFactory(listed=True))
    free = install(user, agent)
    install(other_user, agent)
    install(user, base)
    client = as_user(user)
    response = client.get(LIBRARY_AGENTS)
    assert ids(response) == [str(free.pk), str(subscribed.pk)]
    row = response.json()["results"][1]
    assert row["agent"]["id"] == str(subscribed.agent_id)
    assert (row["purchase_type"], row["has_access"], row["is_active"]) == (
        "subscription",
        True,
        True,
    )
    assert row["expires_at"]
    assert ids(client.get(LIBRARY_AGENTS, {"purchase_type": "free"})) == [str(free.pk)]
    assert ids(client.get(LIBRARY_AGENTS, {"is_active": "false"})) == []
    bases = client.get(LIBRARY_BASES).json()["results"]
    assert bases[0]["base"]["slug"] == base.slug and bases[0]["expires_at"] is None
    assert_error(client.get(LIBRARY_AGENTS, {"purchase_type": "gift"}), 400, "validation_error")
    assert_error(
        client.get(LIBRARY_BASES, {"purchase_type": "subscription"}), 400, "validation_error"
    )


def test_mkt_21_delete_deactivates_and_reads_stay_own(as_user, agent, user, other_user):
    row = install(user, agent)
    assert_error(as_user(other_user).get(f"{LIBRARY_AGENTS}{row.pk}/"), 404, "not_found")
    assert_error(as_user(other_user).delete(f"{LIBRARY_AGENTS}{row.pk}/"), 404, "not_found")
    assert as_user(user).delete(f"{LIBRARY_AGENTS}{row.pk}/").status_code == 204
    body = as_user(user).get(f"{LIBRARY_AGENTS}{row.pk}/").json()
    assert (body["is_active"], body["has_access"]) == (False, False)
    assert UserPurchasedAgent.objects.filter(pk=row.pk).exists()


def test_mkt_21_base_library_delete(as_user, base, user):
    row = install(user, base)
    assert as_user(user).delete(f"{LIBRARY_BASES}{row.pk}/").status_code == 204
    row.refresh_from_db()
    assert row.is_active is False


# Project agents (MKT-30, MKT-31)


def test_mkt_30_add_needs_the_owners_access(as_user, agent, user, project):
    client = as_user(user)
    url = project_agents_url(project)
    body = assert_error(client.post(url, {"agent": str(agent.pk)}), 400, "agent_not_in_library")
    assert "agent" in body["fields"]
    install(user, agent)
    response = client.post(url, {"agent": str(agent.pk)})
    assert response.status_code == 201
    assert response.json()["agent"] == {
        "id": str(agent.pk),
        "slug": agent.slug,
        "name": agent.name,
        "icon": agent.icon,
    }
    assert response.json()["enabled"] is True


def test_mkt_31_adding_twice_is_409(as_user, agent, user, project):
    install(user, agent)
    client = as_user(user)
    client.post(project_agents_url(project), {"agent": str(agent.pk)})
    response = client.post(project_agents_url(project), {"agent": str(agent.pk)})
    assert_error(response, 409, "already_exists")


def test_mkt_30_enable_without_access_is_400_and_disable_works(as_user, agent, user, project):
    row = install(user, agent)
    project_agent = ProjectAgentFactory(project=project, agent=agent)
    client = as_user(user)
    url = project_agents_url(project, project_agent)
    assert client.patch(url, {"enabled": False}).json()["enabled"] is False
    UserPurchasedAgent.objects.filter(pk=row.pk).update(is_active=False)
    assert_error(client.patch(url, {"enabled": True}), 400, "agent_not_in_library")
    assert client.delete(url).status_code == 204
    assert not ProjectAgent.objects.exists()


def test_project_agents_of_another_project_are_404(as_user, agent, user, other_user):
    foreign = ProjectFactory(owner=other_user)
    row = ProjectAgentFactory(project=foreign, agent=agent)
    client = as_user(user)
    assert_error(client.get(project_agents_url(foreign)), 404, "not_found")
    assert_error(client.post(project_agents_url(foreign), {"agent": "x"}), 404, "not_found")
    assert_error(
        client.patch(project_agents_url(foreign, row), {"enabled": False}), 404, "not_found"
    )
    mine = ProjectFactory(owner=user)
    assert_error(client.delete(project_agents_url(mine, row)), 404, "not_found")


@pytest.mark.parametrize("agent_id", ["not-a-uuid", None, "invisible"])
def test_project_agent_bad_or_invisible_agent_is_400(as_user, creator, user, project, agent_id):
    if agent_id == "invisible":
        agent_id = str(AgentFactory(created_by_user=creator).pk)
    response = as_user(user).post(project_agents_url(project), {"agent": agent_id}, format="json")
    assert_error(response, 400, "validation_error")


def test_project_agent_list_and_bad_enabled(as_user, agent, user, project):
    row = ProjectAgentFactory(project=project, agent=agent)
    ContainerFactory(project=project)
    client = as_user(user)
    assert ids(client.get(project_agents_url(project))) == [str(row.pk)]
    response = client.patch(project_agents_url(project, row), {"enabled": "maybe"}, format="json")
    assert_error(response, 400, "validation_error")


def test_project_agent_patch_naming_no_field_changes_nothing(as_user, agent, user, project):
    """Regression (issue 10, R1): a PATCH without `enabled` was a 500 (KeyError)."""
    row = ProjectAgentFactory(project=project, agent=agent, enabled=True)
    response = as_user(user).patch(project_agents_url(project, row), {}, format="json")
    assert response.status_code == 200
    row.refresh_from_db()
    assert row.enabled is True
