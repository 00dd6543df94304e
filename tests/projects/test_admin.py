"""Admin of the projects domain: every page loads, actions and saves go through the services,
secrets show only as `•••• last4` and list pages never load an encrypted column."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import (
    BrowserPreview,
    ConnectorCredential,
    Container,
    ContainerConnection,
    Deployment,
    DeploymentCredential,
    EnvironmentStatus,
    GitProviderCredential,
    Project,
    ProjectAsset,
    ProjectDatabase,
    ProjectDomain,
    ProjectFile,
    ProjectSnapshot,
)
from tests.projects.factories import (
    BrowserPreviewFactory,
    ConnectorCredentialFactory,
    ContainerConnectionFactory,
    ContainerFactory,
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

MODELS = [
    (Project, lambda: ProjectFactory()),
    (Container, lambda: ContainerFactory(encrypted_secrets={"API_KEY": "plain-secret-value"})),
    (ContainerConnection, lambda: ContainerConnectionFactory()),
    (BrowserPreview, lambda: BrowserPreviewFactory()),
    (ProjectFile, lambda: ProjectFileFactory()),
    (ProjectAsset, lambda: ProjectAssetFactory()),
    (ProjectSnapshot, lambda: ProjectSnapshotFactory()),
    (Deployment, lambda: DeploymentFactory()),
    (DeploymentCredential, lambda: DeploymentCredentialFactory(access_token_encrypted="tok-AB12")),
    (GitProviderCredential, lambda: GitProviderCredentialFactory(access_token="gho-CD34")),
    (ProjectDomain, lambda: ProjectDomainFactory()),
    (ConnectorCredential, lambda: ConnectorCredentialFactory(access_token="xoxb-EF78")),
    (ProjectDatabase, lambda: ProjectDatabaseFactory()),
]
ADDABLE = {Project, Container, ContainerConnection, BrowserPreview, ProjectFile}


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def admin_url(model, view="changelist", *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_projects_model_is_registered():
    registered = {m for m in admin.site._registry if m._meta.app_label == "projects"}
    assert registered == {model for model, _ in MODELS}


@pytest.mark.parametrize(("model", "make"), MODELS, ids=lambda v: getattr(v, "__name__", ""))
def test_changelist_search_and_change_pages_load(admin_client, model, make):
    row = make()
    assert admin_client.get(admin_url(model)).status_code == 200
    assert admin_client.get(admin_url(model), {"q": "something"}).status_code == 200
    assert admin_client.get(admin_url(model, "change", row.pk)).status_code == 200
    add = admin_client.get(admin_url(model, "add"))
    assert add.status_code == (200 if model in ADDABLE else 403)


@pytest.mark.parametrize(("model", "make"), MODELS, ids=lambda v: getattr(v, "__name__", ""))
def test_changelists_never_load_encrypted_columns(admin_client, model, make):
    make()
    encrypted = {
        "encrypted_secrets",
        "access_token_encrypted",
        "access_token",
        "refresh_token",
        "endpoint_url",
        "connection_string",
    }
    with CaptureQueriesContext(connection) as captured:
        response = admin_client.get(admin_url(model))
    assert response.status_code == 200
    table = model._meta.db_table
    columns = {f'"{table}"."{name}"' for name in encrypted}
    assert not [q for q in captured.captured_queries if any(c in q["sql"] for c in columns)]


def test_secrets_are_masked_and_never_in_clear(admin_client):
    deploy = DeploymentCredentialFactory(access_token_encrypted="vercel-secret-AB12")
    git = GitProviderCredentialFactory(
        access_token="gho-secret-CD34", refresh_token="ghr-secret-EF56"
    )
    container = ContainerFactory(encrypted_secrets={"DB_PASSWORD": "container-secret"})
    pages = [
        admin_client.get(admin_url(DeploymentCredential)).content.decode(),
        admin_client.get(admin_url(DeploymentCredential, "change", deploy.pk)).content.decode(),
        admin_client.get(admin_url(GitProviderCredential)).content.decode(),
        admin_client.get(admin_url(GitProviderCredential, "change", git.pk)).content.decode(),
        admin_client.get(admin_url(Container, "change", container.pk)).content.decode(),
    ]
    text = "\n".join(pages)
    for secret in ("vercel-secret", "gho-secret", "ghr-secret", "container-secret"):
        assert secret not in text
    assert "•••• AB12" in pages[0] and "•••• CD34" in pages[2] and "•••• EF56" in pages[2]
    assert "DB_PASSWORD" in pages[4]


def test_hibernate_and_wake_actions_report_what_they_did(admin_client):
    active = [ProjectFactory(name="Alpha"), ProjectFactory(name="Beta")]
    hibernated = ProjectFactory(hibernated=True, name="Recipe Box")
    ids = [str(p.pk) for p in (*active, hibernated)]
    response = admin_client.post(
        admin_url(Project), {"action": "hibernate", "_selected_action": ids}, follow=True
    )
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [
        "Asked the runtime to hibernate 2 projects (each stays stopping until the runtime "
        "reports back); skipped 1: Recipe Box (already hibernated)."
    ]
    statuses = Project.objects.in_bulk([p.pk for p in active])
    assert {p.environment_status for p in statuses.values()} == {EnvironmentStatus.STOPPING}
    response = admin_client.post(
        admin_url(Project), {"action": "wake", "_selected_action": ids}, follow=True
    )
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [
        "Asked the runtime to wake 1 project (each stays starting until the runtime reports "
        "back); skipped 2: Alpha (stopping); Beta (stopping)."
    ]
    assert Project.objects.get(pk=hibernated.pk).environment_status == EnvironmentStatus.STARTING


def test_an_action_that_moved_nothing_says_so_and_why(admin_client):
    hibernated = ProjectFactory(hibernated=True, name="Recipe Box")
    response = admin_client.post(
        admin_url(Project),
        {"action": "hibernate", "_selected_action": [str(hibernated.pk)]},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert messages == ["No project to hibernate; skipped 1: Recipe Box (already hibernated)."]


def test_add_project_goes_through_the_service(admin_client, user):
    response = admin_client.post(
        admin_url(Project, "add"),
        {"owner": str(user.pk), "name": "Admin made", "settings": "{}", "description": ""},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    project = Project.objects.get(name="Admin made")
    assert project.slug.startswith("admin-made-")
    assert project.last_activity is not None
    assert project.network_name == f"tesslate-{project.slug}"


def test_prj_8_a_project_in_transition_cannot_be_deleted_in_admin(admin_client):
    project = ProjectFactory(stopping=True)
    assert admin_client.get(admin_url(Project, "delete", project.pk)).status_code == 403
    response = admin_client.post(
        admin_url(Project),
        {"action": "delete_selected", "_selected_action": [str(project.pk)], "post": "yes"},
    )
    assert response.status_code == 403
    assert Project.objects.filter(pk=project.pk).exists()


def test_prj_8_bulk_delete_keeps_a_project_that_started_stopping_meanwhile(rf, superuser):
    deletable = ProjectFactory()
    stopping = ProjectFactory(stopping=True)
    request = rf.post("/admin/")
    request.user = superuser
    request._messages = CookieStorage(request)
    admin.site._registry[Project].delete_queryset(request, Project.objects.all())
    assert list(Project.objects.all()) == [stopping]
    assert deletable.pk not in Project.objects.values_list("pk", flat=True)
    assert "Kept 1 project that" in str(next(iter(request._messages)))


def container_inline_data(project, containers, **changes):
    data = {
        "name": project.name,
        "owner": str(project.owner_id),
        "description": "",
        "settings": "{}",
        "containers-TOTAL_FORMS": str(len(containers)),
        "containers-INITIAL_FORMS": str(len(containers)),
        "containers-MIN_NUM_FORMS": "0",
        "containers-MAX_NUM_FORMS": "1000",
    }
    for prefix in ("browser_previews", "snapshots", "deployments"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    for index, container in enumerate(containers):
        data[f"containers-{index}-id"] = str(container.pk)
        data[f"containers-{index}-project"] = str(project.pk)
        if changes.get(container.pk, {}).get("is_primary", container.is_primary):
            data[f"containers-{index}-is_primary"] = "on"
        if changes.get(container.pk, {}).get("DELETE"):
            data[f"containers-{index}-DELETE"] = "on"
    return data


def test_prj_24_inline_primary_goes_through_the_service(admin_client):
    project = ProjectFactory()
    first = ContainerFactory(project=project, is_primary=True)
    second = ContainerFactory(project=project)
    data = container_inline_data(project, [first, second], **{str(second.pk): {}})
    data["containers-1-is_primary"] = "on"
    response = admin_client.post(admin_url(Project, "change", project.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(Container.objects.filter(is_primary=True)) == [second]


def test_add_container_in_admin_uses_the_service(admin_client):
    project = ProjectFactory()
    response = admin_client.post(
        admin_url(Container, "add"),
        {
            "project": str(project.pk),
            "name": "db",
            "container_type": "service",
            "service_slug": "postgres",
            "deployment_mode": "external",
            "external_endpoint": "https://db.example.com",
            "directory": "",
            "environment_vars": "{}",
            "position_x": "0",
            "position_y": "0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    container = Container.objects.get(name="db")
    assert container.status == "connected"
    assert container.container_name == f"{project.slug}-db"


def test_admin_file_save_bumps_the_version(admin_client):
    file = ProjectFileFactory(content="one")
    response = admin_client.post(
        admin_url(ProjectFile, "change", file.pk),
        {"file_path": file.file_path, "content": "two"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    file.refresh_from_db()
    assert (file.content, file.version, file.size_bytes) == ("two", 2, 3)


def test_admin_file_add_upserts(admin_client):
    project = ProjectFactory()
    response = admin_client.post(
        admin_url(ProjectFile, "add"),
        {"project": str(project.pk), "file_path": "src/x.ts", "content": "x"},
    )
    assert response.status_code == 302
    assert ProjectFile.objects.get(project=project).size_bytes == 1


def test_admin_refuses_a_connection_across_projects(admin_client):
    source = ContainerFactory()
    target = ContainerFactory()
    response = admin_client.post(
        admin_url(ContainerConnection, "add"),
        {
            "project": str(source.project_id),
            "source_container": str(source.pk),
            "target_container": str(target.pk),
            "connector_type": "env_injection",
            "config": "{}",
            "label": "",
        },
    )
    assert response.status_code == 200
    assert "target_container" in response.context["adminform"].form.errors
    assert not ContainerConnection.objects.exists()


def test_prj_103_domain_search_by_subdomain_full_domain_and_owner_email(admin_client):
    mine = ProjectDomainFactory(subdomain="bakery")
    other = ProjectDomainFactory(subdomain="florist")

    def found(term):
        response = admin_client.get(admin_url(ProjectDomain), {"q": term})
        return {row.pk for row in response.context["cl"].result_list}

    assert found("bakery") == {mine.pk}
    assert found("florist.apps.localhost") == {other.pk}
    assert found(mine.project.owner.email.upper()) == {mine.pk}
    assert found("bak") == set()  # exact only: every lookup is an index's


def test_prj_103_domain_filters_by_dns_and_ssl(admin_client):
    active = ProjectDomainFactory(dns_status="active", ssl_status="active")
    ProjectDomainFactory(dns_status="failed")
    response = admin_client.get(admin_url(ProjectDomain), {"dns_status": "active"})
    assert [row.pk for row in response.context["cl"].result_list] == [active.pk]
    response = admin_client.get(admin_url(ProjectDomain), {"ssl_status": "pending"})
    assert active.pk not in {row.pk for row in response.context["cl"].result_list}


def test_prj_103_release_action_goes_through_the_service(admin_client):
    domains = [ProjectDomainFactory(), ProjectDomainFactory()]
    response = admin_client.post(
        admin_url(ProjectDomain),
        {"action": "release", "_selected_action": [str(d.pk) for d in domains]},
        follow=True,
    )
    assert [str(m) for m in response.context["messages"]] == ["Released 2 domains."]
    assert not ProjectDomain.objects.exists()
    # Audited: each release left a delete event.
    events = apps.get_model("projects", "ProjectDomainEvent").objects
    assert events.filter(pgh_label="delete").count() == 2


def test_prj_113_connector_secrets_are_masked(admin_client):
    connector = ConnectorCredentialFactory(
        access_token="xoxb-secret-GH90",
        refresh_token="xoxr-secret-IJ12",
        endpoint_url="https://mcp.example.com/secret-path-KL34",
    )
    pages = [
        admin_client.get(admin_url(ConnectorCredential)).content.decode(),
        admin_client.get(admin_url(ConnectorCredential, "change", connector.pk)).content.decode(),
    ]
    text = "\n".join(pages)
    for secret in ("xoxb-secret", "xoxr-secret", "secret-path", connector.token_digest):
        assert secret not in text
    assert "•••• GH90" in pages[0]
    assert "•••• IJ12" in pages[1] and "•••• KL34" in pages[1]


def test_prj_120_connection_strings_are_masked(admin_client):
    database = ProjectDatabaseFactory(connection_string="postgresql://u:pw-secret@h/db-MN56")
    pages = [
        admin_client.get(admin_url(ProjectDatabase)).content.decode(),
        admin_client.get(admin_url(ProjectDatabase, "change", database.pk)).content.decode(),
    ]
    assert not any("pw-secret" in page for page in pages)
    assert "•••• MN56" in pages[0] and "•••• MN56" in pages[1]
    owner_email = database.project.owner.email
    found = admin_client.get(admin_url(ProjectDatabase), {"q": owner_email})
    assert [row.pk for row in found.context["cl"].result_list] == [database.pk]


def test_prj_120_databases_are_found_by_their_owners_email(admin_client):
    mine, other = ProjectDatabaseFactory(), ProjectDatabaseFactory()
    page = admin_client.get(admin_url(ProjectDatabase), {"q": mine.project.owner.email.upper()})
    assert list(page.context["cl"].result_list) == [mine]
    assert other not in page.context["cl"].result_list
