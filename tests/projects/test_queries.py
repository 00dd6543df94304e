"""Query budgets (docs/spec/PERFORMANCE.md W3, R16): pinned counts, flat in the number of rows.

Counts include authentication: one token lookup (the token's `last_used_at` write happens on
its first use, which a warm-up request absorbs).
"""

import pytest

from projects.models import GitProvider
from tests.projects.factories import (
    BrowserPreviewFactory,
    ContainerConnectionFactory,
    ContainerFactory,
    DeploymentCredentialFactory,
    DeploymentFactory,
    GitProviderCredentialFactory,
    ProjectAssetFactory,
    ProjectFactory,
    ProjectFileFactory,
    ProjectSnapshotFactory,
)

pytestmark = pytest.mark.django_db

AUTH = 1
PAGE = 2  # COUNT and the page
NESTED_PAGE = 1 + PAGE  # the caller's project first, then the page


def warm(client, path):
    assert client.get(path).status_code == 200


def test_w3_project_detail_is_four_queries_with_auth(
    owner_client, project, django_assert_num_queries
):
    from tests.chat.factories import ChatFactory

    path = f"/api/v1/projects/{project.pk}/"
    warm(owner_client, path)
    ContainerConnectionFactory.create_batch(2, project=project)
    ChatFactory.create_batch(2, project=project, user=project.owner)
    with django_assert_num_queries(AUTH + 4):  # project, containers, connections, chats
        response = owner_client.get(path)
    assert len(response.json()["containers"]) == 4
    assert len(response.json()["recent_chats"]) == 2
    ContainerConnectionFactory.create_batch(5, project=project)
    ChatFactory.create_batch(6, project=project, user=project.owner)
    with django_assert_num_queries(AUTH + 4):
        response = owner_client.get(path)
    body = response.json()
    assert len(body["connections"]) == 7
    assert len(body["recent_chats"]) == 5  # the 5 newest of 8
    assert set(body["recent_chats"][0]) == {
        "id",
        "title",
        "status",
        "message_count",
        "last_message_at",
    }


def child_rows(factory, **extra):
    return lambda project, count: factory.create_batch(count, project=project, **extra)


def own_projects(project, count):
    ProjectFactory.create_batch(count, owner=project.owner)


def deployment_credentials(project, count):
    # One default per provider, so each extra credential is scoped to a project of its own.
    for _ in range(count):
        DeploymentCredentialFactory(user=project.owner, project=ProjectFactory(owner=project.owner))


LISTS = {
    "projects": ("/api/v1/projects/", own_projects, PAGE),
    "containers": ("{p}containers/", child_rows(ContainerFactory), NESTED_PAGE),
    "connections": ("{p}connections/", child_rows(ContainerConnectionFactory), NESTED_PAGE),
    "previews": ("{p}previews/", child_rows(BrowserPreviewFactory), NESTED_PAGE),
    "files": ("{p}files/", child_rows(ProjectFileFactory), NESTED_PAGE),
    "assets": ("{p}assets/", child_rows(ProjectAssetFactory), NESTED_PAGE),
    "snapshots": ("{p}snapshots/", child_rows(ProjectSnapshotFactory), NESTED_PAGE),
    # Finished deployments: only one per provider may be in progress.
    "deployments": ("{p}deployments/", child_rows(DeploymentFactory, deployed=True), NESTED_PAGE),
    "deployment credentials": ("/api/v1/deployment-credentials/", deployment_credentials, PAGE),
}


@pytest.mark.parametrize("name", LISTS)
def test_r16_list_queries_are_pinned_and_flat_from_2_to_12_rows(
    owner_client, project, django_assert_num_queries, name
):
    path, make_rows, queries = LISTS[name]
    url = path.format(p=f"/api/v1/projects/{project.pk}/")
    warm(owner_client, url)
    make_rows(project, 2)
    with django_assert_num_queries(AUTH + queries):
        small = owner_client.get(url, {"page_size": 50}).json()
    make_rows(project, 10)
    with django_assert_num_queries(AUTH + queries):
        large = owner_client.get(url, {"page_size": 50}).json()
    assert len(large["results"]) - len(small["results"]) == 10


def test_r16_git_credential_list_is_pinned_and_flat(owner_client, user, django_assert_num_queries):
    """One credential per provider (PRJ-90): the list holds 1 to 3 rows."""
    url = "/api/v1/git-credentials/"
    warm(owner_client, url)
    GitProviderCredentialFactory(user=user, provider=GitProvider.GITHUB)
    with django_assert_num_queries(AUTH + PAGE):
        assert owner_client.get(url).json()["count"] == 1
    GitProviderCredentialFactory(user=user, provider=GitProvider.GITLAB)
    GitProviderCredentialFactory(user=user, provider=GitProvider.BITBUCKET)
    with django_assert_num_queries(AUTH + PAGE):
        assert owner_client.get(url).json()["count"] == 3
