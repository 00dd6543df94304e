"""R18 and PRJ-3: URLs the platform stores or would fetch (git remote, external endpoint,
deployment URL) are public https only. Validation only: nothing is resolved or fetched."""

import pytest

from projects.models import Container, Deployment, Project
from tests import figures
from tests.helpers import assert_error
from tests.projects.factories import DeploymentFactory, ProjectFactory

pytestmark = pytest.mark.django_db

REFUSED = [
    "http://example.com/repo.git",
    "ftp://example.com/repo",
    "javascript:alert(1)",
    "https://user:pass@example.com/repo.git",
    "https://localhost/repo.git",
    "https://127.0.0.1/repo.git",
    "https://10.1.2.3/repo.git",
    "https://169.254.169.254/latest/meta-data/",
    "https://[::1]/repo.git",
    "https://2130706433/",
]


@pytest.mark.parametrize("url", REFUSED)
def test_r18_refused_targets_for_every_stored_url(client_for, service_account, user, url):
    project = ProjectFactory(owner=user)
    deployment = DeploymentFactory(project=project, deploying=True)
    client = client_for(user)
    responses = {
        "git_remote_url": client.patch(f"/api/v1/projects/{project.pk}/", {"git_remote_url": url}),
        "external_endpoint": client.post(
            f"/api/v1/projects/{project.pk}/containers/",
            {"name": "ext", "deployment_mode": "external", "external_endpoint": url},
        ),
        "deployment_url": client_for(service_account).post(
            f"/api/v1/projects/{project.pk}/deployments/{deployment.pk}/status/",
            {"status": "deployed", "deployment_url": url},
        ),
    }
    for field, response in responses.items():
        figures.count("R18", "refused targets sent")
        figures.count("R18", "accepted", int(response.status_code < 400))
        body = assert_error(response, 400, "validation_error")
        assert field in body["fields"]
    assert Project.objects.get(pk=project.pk).git_remote_url == ""
    assert not Container.objects.exists()
    assert Deployment.objects.get(pk=deployment.pk).status == "deploying"


@pytest.mark.parametrize(
    ("url", "accepted"),
    [
        ("https://github.com/ada/recipes.git", True),
        ("https://gitlab.example.org/group/sub/project", True),
        ("https://github.com/ada/recipes.git?token=abc", False),
        ("https://github.com/ada/recipes.git#main", False),
        ("https://ghp_secret@github.com/ada/recipes.git", False),
    ],
)
def test_prj_3_git_remote_is_https_without_credentials_query_or_fragment(
    owner_client, project, url, accepted
):
    response = owner_client.patch(f"/api/v1/projects/{project.pk}/", {"git_remote_url": url})
    if accepted:
        assert response.status_code == 200
        assert response.json()["git_remote_url"] == url
    else:
        assert_error(response, 400, "validation_error")
