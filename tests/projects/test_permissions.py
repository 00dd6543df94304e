"""R1, R2, R4: every projects endpoint, method and role, in one table (docs/spec/API.md §3, §9.2).

Rows are the routes; columns the callers. The project and its children belong to "owner";
everyone else is a stranger to them. A completeness check fails when a route has no row.
"""

from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from config.roles import MODERATORS_GROUP, SERVICE_ACCOUNTS_GROUP
from projects import urls as project_urls
from projects.models import Project
from tests.factories import UserFactory
from tests.projects.factories import (
    BrowserPreviewFactory,
    ConnectorCredentialFactory,
    ContainerConnectionFactory,
    DeploymentCredentialFactory,
    DeploymentFactory,
    GitProviderCredentialFactory,
    ProjectAssetFactory,
    ProjectDatabaseFactory,
    ProjectDomainFactory,
    ProjectFactory,
    ProjectFileFactory,
    ProjectSnapshotFactory,
)

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "owner", "other", "moderator", "service", "staff", "superuser")
STRANGERS = ("other", "moderator", "service", "staff", "superuser")


def owner_only(ok):
    """Owner rows: strangers get 404, whatever their role (the API gives staff no rights)."""
    return {"anonymous": 401, "owner": ok, **dict.fromkeys(STRANGERS, 404)}


def any_user(ok):
    return {"anonymous": 401, "owner": ok, **dict.fromkeys(STRANGERS, ok)}


def service_only(ok):
    """Service rows: the runtime (and a superuser) reaches any project; the owner sees the row
    but may not report (403); strangers do not see it (404)."""
    return {**owner_only(ok), "owner": 403, "service": ok, "superuser": ok}


def owner_or_service(ok):
    return {**owner_only(ok), "service": ok, "superuser": ok}


@dataclass
class Endpoint:
    route: str
    method: str
    path: str  # formatted with the world's ids
    expected: dict
    body: object = None  # a dict, or a callable taking the world
    prepare: object = None  # adjusts the world's states before the call
    owner_rows: int | None = None  # for lists: rows the owner sees (strangers see none)
    multipart: bool = False

    @property
    def id(self):
        return f"{self.method} {self.route}"


P = "/api/v1/projects/{project}"


def set_project(**changes):
    return lambda w: Project.objects.filter(pk=w.project.pk).update(**changes)


def set_row(name, **changes):
    return lambda w: type(getattr(w, name)).objects.filter(pk=getattr(w, name).pk).update(**changes)


def hibernate_project(w):
    set_project(environment_status="hibernated", hibernated_at=w.now)(w)


ENDPOINTS = [
    # projects
    Endpoint("project-list", "GET", "/api/v1/projects/", any_user(200), owner_rows=1),
    Endpoint("project-list", "POST", "/api/v1/projects/", any_user(201), body={"name": "New"}),
    Endpoint("project-detail", "GET", f"{P}/", owner_only(200)),
    Endpoint("project-detail", "PATCH", f"{P}/", owner_only(200), body={"name": "Renamed"}),
    Endpoint("project-detail", "DELETE", f"{P}/", owner_only(204)),
    Endpoint("project-hibernate", "POST", f"{P}/hibernate/", owner_only(202)),
    Endpoint("project-wake", "POST", f"{P}/wake/", owner_only(202), prepare=hibernate_project),
    Endpoint("project-activity", "POST", f"{P}/activity/", owner_or_service(204)),
    Endpoint(
        "project-environment",
        "POST",
        f"{P}/environment/",
        service_only(200),
        body={"status": "hibernated"},
        prepare=set_project(environment_status="stopping"),
    ),
    # containers
    Endpoint("project-container-list", "GET", f"{P}/containers/", owner_only(200), owner_rows=2),
    Endpoint(
        "project-container-list", "POST", f"{P}/containers/", owner_only(201), body={"name": "new"}
    ),
    Endpoint("project-container-detail", "GET", f"{P}/containers/{{container}}/", owner_only(200)),
    Endpoint(
        "project-container-detail",
        "PATCH",
        f"{P}/containers/{{container}}/",
        owner_only(200),
        body={"position_x": 5},
    ),
    Endpoint(
        "project-container-detail", "DELETE", f"{P}/containers/{{container}}/", owner_only(204)
    ),
    Endpoint(
        "project-container-start", "POST", f"{P}/containers/{{container}}/start/", owner_only(202)
    ),
    Endpoint(
        "project-container-stop",
        "POST",
        f"{P}/containers/{{container}}/stop/",
        owner_only(202),
        prepare=set_row("container", status="running"),
    ),
    Endpoint(
        "project-container-status",
        "POST",
        f"{P}/containers/{{container}}/status/",
        service_only(200),
        body={"status": "running"},
        prepare=set_row("container", status="starting"),
    ),
    # connections
    Endpoint("project-connection-list", "GET", f"{P}/connections/", owner_only(200), owner_rows=1),
    Endpoint(
        "project-connection-list",
        "POST",
        f"{P}/connections/",
        owner_only(201),
        body=lambda w: {
            "source_container": str(w.connection.target_container_id),
            "target_container": str(w.connection.source_container_id),
        },
    ),
    Endpoint(
        "project-connection-detail", "GET", f"{P}/connections/{{connection}}/", owner_only(200)
    ),
    Endpoint(
        "project-connection-detail",
        "PATCH",
        f"{P}/connections/{{connection}}/",
        owner_only(200),
        body={"label": "edge"},
    ),
    Endpoint(
        "project-connection-detail", "DELETE", f"{P}/connections/{{connection}}/", owner_only(204)
    ),
    # previews
    Endpoint("project-preview-list", "GET", f"{P}/previews/", owner_only(200), owner_rows=1),
    Endpoint("project-preview-list", "POST", f"{P}/previews/", owner_only(201), body={}),
    Endpoint("project-preview-detail", "GET", f"{P}/previews/{{preview}}/", owner_only(200)),
    Endpoint(
        "project-preview-detail",
        "PATCH",
        f"{P}/previews/{{preview}}/",
        owner_only(200),
        body={"current_path": "/next"},
    ),
    Endpoint("project-preview-detail", "DELETE", f"{P}/previews/{{preview}}/", owner_only(204)),
    # files
    Endpoint("project-file-list", "GET", f"{P}/files/", owner_only(200), owner_rows=1),
    Endpoint(
        "project-file-list",
        "POST",
        f"{P}/files/",
        owner_only(201),
        body={"file_path": "new.txt", "content": "x"},
    ),
    Endpoint(
        "project-file-upsert",
        "POST",
        f"{P}/files/upsert/",
        owner_only(201),
        body={"file_path": "up.txt", "content": "x"},
    ),
    Endpoint("project-file-detail", "GET", f"{P}/files/{{file}}/", owner_only(200)),
    Endpoint(
        "project-file-detail",
        "PATCH",
        f"{P}/files/{{file}}/",
        owner_only(200),
        body={"content": "y"},
    ),
    Endpoint("project-file-detail", "DELETE", f"{P}/files/{{file}}/", owner_only(204)),
    # assets
    Endpoint("project-asset-list", "GET", f"{P}/assets/", owner_only(200), owner_rows=1),
    Endpoint(
        "project-asset-list",
        "POST",
        f"{P}/assets/",
        owner_only(201),
        body=lambda w: {"file": SimpleUploadedFile("new.txt", b"hello")},
        multipart=True,
    ),
    Endpoint("project-asset-detail", "GET", f"{P}/assets/{{asset}}/", owner_only(200)),
    Endpoint(
        "project-asset-detail",
        "PATCH",
        f"{P}/assets/{{asset}}/",
        owner_only(200),
        body={"filename": "renamed.txt"},
    ),
    Endpoint("project-asset-detail", "DELETE", f"{P}/assets/{{asset}}/", owner_only(204)),
    Endpoint("project-asset-download", "GET", f"{P}/assets/{{asset}}/download/", owner_only(200)),
    # snapshots
    Endpoint("project-snapshot-list", "GET", f"{P}/snapshots/", owner_only(200), owner_rows=1),
    Endpoint("project-snapshot-list", "POST", f"{P}/snapshots/", owner_only(201), body={}),
    Endpoint("project-snapshot-detail", "GET", f"{P}/snapshots/{{snapshot}}/", owner_only(200)),
    Endpoint(
        "project-snapshot-detail",
        "PATCH",
        f"{P}/snapshots/{{snapshot}}/",
        owner_only(200),
        body={"label": "l"},
    ),
    Endpoint("project-snapshot-detail", "DELETE", f"{P}/snapshots/{{snapshot}}/", owner_only(204)),
    Endpoint(
        "project-snapshot-restore",
        "POST",
        f"{P}/snapshots/{{snapshot}}/restore/",
        owner_only(202),
        prepare=hibernate_project,
    ),
    Endpoint(
        "project-snapshot-status",
        "POST",
        f"{P}/snapshots/{{snapshot}}/status/",
        service_only(200),
        body={"status": "error"},
        prepare=set_row("snapshot", status="pending", ready_at=None),
    ),
    # deployments
    Endpoint("project-deployment-list", "GET", f"{P}/deployments/", owner_only(200), owner_rows=1),
    Endpoint(
        "project-deployment-list",
        "POST",
        f"{P}/deployments/",
        owner_only(201),
        body={"provider": "netlify"},
        prepare=lambda w: DeploymentCredentialFactory(user=w.owner, provider="netlify"),
    ),
    Endpoint(
        "project-deployment-detail", "GET", f"{P}/deployments/{{deployment}}/", owner_only(200)
    ),
    Endpoint(
        "project-deployment-status",
        "POST",
        f"{P}/deployments/{{deployment}}/status/",
        service_only(200),
        body={"status": "deploying"},
    ),
    # credentials
    Endpoint(
        "deployment-credential-list",
        "GET",
        "/api/v1/deployment-credentials/",
        any_user(200),
        owner_rows=1,
    ),
    Endpoint(
        "deployment-credential-list",
        "POST",
        "/api/v1/deployment-credentials/",
        any_user(201),
        body={"provider": "cloudflare", "access_token": "token"},
    ),
    Endpoint(
        "deployment-credential-detail",
        "GET",
        "/api/v1/deployment-credentials/{deploy_credential}/",
        owner_only(200),
    ),
    Endpoint(
        "deployment-credential-detail",
        "PATCH",
        "/api/v1/deployment-credentials/{deploy_credential}/",
        owner_only(200),
        body={"access_token": "rotated"},
    ),
    Endpoint(
        "deployment-credential-detail",
        "DELETE",
        "/api/v1/deployment-credentials/{deploy_credential}/",
        owner_only(204),
    ),
    Endpoint("project-database-list", "GET", f"{P}/databases/", owner_only(200), owner_rows=1),
    Endpoint(
        "project-database-list",
        "POST",
        f"{P}/databases/",
        owner_or_service(201),
        body={"provider": "neon", "database_name": "made", "connection_string": "postgres://x"},
    ),
    Endpoint("project-database-detail", "GET", f"{P}/databases/{{database}}/", owner_only(200)),
    Endpoint("project-database-detail", "DELETE", f"{P}/databases/{{database}}/", owner_only(204)),
    Endpoint("project-domain", "GET", f"{P}/domain/", owner_only(200)),
    Endpoint("project-domain", "PUT", f"{P}/domain/", owner_only(200), body={"subdomain": "moved"}),
    Endpoint("project-domain", "DELETE", f"{P}/domain/", owner_only(204)),
    Endpoint(
        "project-domain-status",
        "POST",
        f"{P}/domain/status/",
        service_only(200),
        body={"dns_status": "active"},
    ),
    Endpoint("connector-list", "GET", "/api/v1/connectors/", any_user(200), owner_rows=1),
    Endpoint(
        "connector-list",
        "POST",
        "/api/v1/connectors/",
        any_user(201),
        body=lambda w: {
            "connector_type": "notion",
            "account_label": "Wiki",
            "access_token": f"token-{w.now.timestamp()}-{id(w)}",
        },
    ),
    Endpoint("connector-detail", "GET", "/api/v1/connectors/{connector}/", owner_only(200)),
    Endpoint(
        "connector-detail",
        "PATCH",
        "/api/v1/connectors/{connector}/",
        owner_only(200),
        body={"scope": "read"},
    ),
    Endpoint("connector-detail", "DELETE", "/api/v1/connectors/{connector}/", owner_only(204)),
    Endpoint("git-credential-list", "GET", "/api/v1/git-credentials/", any_user(200), owner_rows=1),
    Endpoint(
        "git-credential-list",
        "POST",
        "/api/v1/git-credentials/",
        any_user(201),
        body={"provider": "gitlab", "access_token": "t", "provider_username": "me"},
    ),
    Endpoint(
        "git-credential-detail",
        "GET",
        "/api/v1/git-credentials/{git_credential}/",
        owner_only(200),
    ),
    Endpoint(
        "git-credential-detail",
        "PATCH",
        "/api/v1/git-credentials/{git_credential}/",
        owner_only(200),
        body={"scope": "repo"},
    ),
    Endpoint(
        "git-credential-detail",
        "DELETE",
        "/api/v1/git-credentials/{git_credential}/",
        owner_only(204),
    ),
]


def build_world():
    """The owner's project with one of each child, in states where the owner's call works."""
    owner = UserFactory()
    project = ProjectFactory(owner=owner)
    connection = ContainerConnectionFactory(project=project)
    return SimpleNamespace(
        owner=owner,
        project=project,
        now=project.created_at,
        container=connection.source_container,
        connection=connection,
        preview=BrowserPreviewFactory(project=project),
        file=ProjectFileFactory(project=project),
        asset=ProjectAssetFactory(project=project),
        snapshot=ProjectSnapshotFactory(project=project, ready=True),
        deployment=DeploymentFactory(project=project),
        deploy_credential=DeploymentCredentialFactory(user=owner),
        git_credential=GitProviderCredentialFactory(user=owner),
        connector=ConnectorCredentialFactory(user=owner),
        domain=ProjectDomainFactory(project=project),
        database=ProjectDatabaseFactory(project=project),
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
    ids = {
        name: getattr(world, name).pk
        for name in (
            "project",
            "container",
            "connection",
            "preview",
            "file",
            "asset",
            "snapshot",
            "deployment",
            "deploy_credential",
            "git_credential",
            "connector",
            "database",
        )
    }
    body = endpoint.body(world) if callable(endpoint.body) else endpoint.body
    method = getattr(client, endpoint.method.lower())
    return method(
        endpoint.path.format(**ids), body, format="multipart" if endpoint.multipart else "json"
    )


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.id)
def test_r1_permission_matrix(client_for, endpoint, role):
    world = build_world()
    if endpoint.prepare is not None:
        endpoint.prepare(world)
    client = APIClient() if role == "anonymous" else client_for(caller_for(role, world))
    response = call(client, endpoint, world)
    assert response.status_code == endpoint.expected[role], response.content
    if endpoint.owner_rows is not None and response.status_code == 200:
        rows = endpoint.owner_rows if role == "owner" else 0
        assert response.json()["count"] == rows


def routed_methods():
    """Every (route name, method) the projects URLconf serves."""
    served = set()
    for pattern in project_urls.urlpatterns:
        for method in pattern.callback.actions:
            if method not in ("head", "options"):
                served.add((pattern.name, method.upper()))
    return served


def test_r1_every_route_and_method_has_a_row():
    listed = {(endpoint.route, endpoint.method) for endpoint in ENDPOINTS}
    assert routed_methods() == listed
    assert len(listed) == len(ENDPOINTS), "a route and method is listed twice"
