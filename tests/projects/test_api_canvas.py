"""API §9.2, the canvas: containers, connections and browser previews."""

import pytest

from projects.models import BrowserPreview, Container, ContainerConnection
from tests.helpers import assert_error, assert_refused
from tests.projects.factories import (
    BrowserPreviewFactory,
    ContainerConnectionFactory,
    ContainerFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db

CONTAINER_FIELDS = {
    "id",
    "name",
    "container_name",
    "container_type",
    "service_slug",
    "deployment_mode",
    "directory",
    "port",
    "internal_port",
    "effective_port",
    "environment_vars",
    "external_endpoint",
    "status",
    "base",
    "is_primary",
    "position_x",
    "position_y",
    "secret_names",
    "created_at",
    "updated_at",
}


def nested(project, kind, row=None, action=None):
    path = f"/api/v1/projects/{project.pk}/{kind}/"
    if row is not None:
        path += f"{row.pk}/"
    if action:
        path += f"{action}/"
    return path


# --- containers ------------------------------------------------------------------------------


def test_create_container_lists_secret_names_never_values(owner_client, project):
    response = owner_client.post(
        nested(project, "containers"),
        {
            "name": "api",
            "directory": "packages/api",
            "internal_port": 8000,
            "environment_vars": {"NODE_ENV": "production"},
            "secrets": {"DB_PASSWORD": "hunter2-secret"},
            "is_primary": True,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == CONTAINER_FIELDS
    assert body["container_name"] == f"{project.slug}-api"
    assert body["effective_port"] == 8000
    assert body["status"] == "stopped"
    assert body["secret_names"] == ["DB_PASSWORD"]
    assert "hunter2-secret" not in response.content.decode()


def test_external_service_container_is_connected(owner_client, project):
    response = owner_client.post(
        nested(project, "containers"),
        {
            "name": "supabase",
            "container_type": "service",
            "service_slug": "supabase",
            "deployment_mode": "external",
            "external_endpoint": "https://abc.supabase.co",
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "connected"
    assert response.json()["effective_port"] is None  # PRJ-20: no dev-server default


def test_lifecycle_fields_are_refused_as_read_only(owner_client, project):
    response = owner_client.post(
        nested(project, "containers"), {"name": "api", "status": "running"}
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {
        "status": ["Read-only field: leave it out of the request."]
    }


BAD_CONTAINER_INPUT = [
    ({"name": "Bad_Name"}, "name"),
    ({"name": "-edge"}, "name"),
    ({"name": "x" * 64}, "name"),
    ({"name": "ok", "container_type": "vm"}, "container_type"),
    ({"name": "ok", "container_type": "service"}, "service_slug"),
    ({"name": "ok", "deployment_mode": "cloud"}, "deployment_mode"),
    ({"name": "ok", "deployment_mode": "external"}, "external_endpoint"),
    ({"name": "ok", "external_endpoint": "http://db.example.com"}, "external_endpoint"),
    ({"name": "ok", "external_endpoint": "https://192.168.0.10"}, "external_endpoint"),
    ({"name": "ok", "directory": "../etc"}, "directory"),
    ({"name": "ok", "directory": "/abs"}, "directory"),
    ({"name": "ok", "port": 0}, "port"),
    ({"name": "ok", "port": 65536}, "port"),
    ({"name": "ok", "internal_port": "eighty"}, "internal_port"),
    ({"name": "ok", "environment_vars": {"1BAD": "x"}}, "environment_vars"),
    ({"name": "ok", "environment_vars": {"OK": 5}}, "environment_vars"),
    ({"name": "ok", "environment_vars": ["A=1"]}, "environment_vars"),
    ({"name": "ok", "environment_vars": {"BIG": "x" * 33_000}}, "environment_vars"),
    ({"name": "ok", "secrets": {"bad name": "x"}}, "secrets.bad name"),
    ({"name": "ok", "secrets": {"OK": 5}}, "secrets.OK"),
    ({"name": "ok", "secrets": "A=1"}, "secrets"),
    ({"name": "ok", "position_x": "left"}, "position_x"),
    ({"name": "ok", "position_y": "nan"}, "position_y"),
    ({"name": "ok", "is_primary": "often"}, "is_primary"),
]


@pytest.mark.parametrize(("payload", "field"), BAD_CONTAINER_INPUT)
def test_bad_container_input_is_400(owner_client, project, payload, field):
    body = assert_error(
        owner_client.post(nested(project, "containers"), payload), 400, "validation_error"
    )
    assert field in body["fields"]
    assert not Container.objects.exists()


def test_duplicate_container_name_is_409(owner_client, project):
    ContainerFactory(project=project, name="web")
    body = assert_error(
        owner_client.post(nested(project, "containers"), {"name": "web"}), 409, "already_exists"
    )
    assert "name" in body["fields"]


def test_patch_container_renames_merges_secrets_and_keeps_create_only_fields(owner_client, project):
    container = ContainerFactory(project=project, name="web", encrypted_secrets={"A": "1"})
    name = container.container_name
    create_only = {"container_type": "service", "deployment_mode": "external", "status": "running"}
    edit = {"name": "frontend", "secrets": {"A": None, "B": "2"}, "port": 8080}
    url = nested(project, "containers", container)
    assert_refused(owner_client.patch(url, {**edit, **create_only}), *create_only)
    response = owner_client.patch(url, edit)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["name"], body["container_name"]) == ("frontend", name)
    assert body["secret_names"] == ["B"]
    assert (body["container_type"], body["deployment_mode"], body["status"]) == (
        "base",
        "container",
        "stopped",
    )
    assert body["effective_port"] == 8080


# Create-only fields are refused on update, so their bad-value cases do not apply to PATCH.
BAD_CONTAINER_PATCH = [
    (payload, field)
    for payload, field in BAD_CONTAINER_INPUT
    if not {"container_type", "deployment_mode"} & set(payload)
]


@pytest.mark.parametrize(("payload", "field"), BAD_CONTAINER_PATCH)
def test_bad_container_patch_changes_nothing(owner_client, project, payload, field):
    container = ContainerFactory(project=project, name="web")
    before = Container.objects.values().get(pk=container.pk)
    payload = {k: v for k, v in payload.items() if k != "name" or field == "name"}
    response = owner_client.patch(nested(project, "containers", container), payload)
    assert_error(response, 400, "validation_error")
    assert Container.objects.values().get(pk=container.pk) == before


def test_rename_to_a_taken_name_is_409(owner_client, project):
    ContainerFactory(project=project, name="api")
    web = ContainerFactory(project=project, name="web")
    response = owner_client.patch(nested(project, "containers", web), {"name": "api"})
    assert_error(response, 409, "already_exists")


def test_external_endpoint_cannot_be_blanked(owner_client, project):
    container = ContainerFactory(project=project, external=True)
    response = owner_client.patch(
        nested(project, "containers", container), {"external_endpoint": ""}
    )
    assert_error(response, 400, "validation_error")


def test_prj_24_primary_moves_through_the_api(owner_client, project):
    first = ContainerFactory(project=project, is_primary=True)
    second = ContainerFactory(project=project)
    response = owner_client.patch(nested(project, "containers", second), {"is_primary": True})
    assert response.status_code == 200
    assert list(Container.objects.filter(is_primary=True)) == [second]
    assert not Container.objects.get(pk=first.pk).is_primary


def test_containers_list_orders_by_name(owner_client, project):
    for name in ("web", "api", "db"):
        ContainerFactory(project=project, name=name)
    body = owner_client.get(nested(project, "containers")).json()
    assert [row["name"] for row in body["results"]] == ["api", "db", "web"]
    body = owner_client.get(nested(project, "containers"), {"ordering": "-name"}).json()
    assert [row["name"] for row in body["results"]] == ["web", "db", "api"]
    assert_error(
        owner_client.get(nested(project, "containers"), {"ordering": "status"}),
        400,
        "validation_error",
    )


def test_prj_21_start_and_stop(owner_client, project):
    container = ContainerFactory(project=project)
    response = owner_client.post(nested(project, "containers", container, "start"))
    assert (response.status_code, response.json()["status"]) == (202, "starting")
    assert_error(
        owner_client.post(nested(project, "containers", container, "start")),
        409,
        "invalid_state_transition",
    )
    response = owner_client.post(nested(project, "containers", container, "stop"))
    assert (response.status_code, response.json()["status"]) == (202, "stopped")


def test_prj_22_start_in_a_hibernated_project_is_409(client_for, user):
    project = ProjectFactory(owner=user, hibernated=True)
    container = ContainerFactory(project=project)
    response = client_for(user).post(nested(project, "containers", container, "start"))
    assert_error(response, 409, "project_not_active")


def test_runtime_reports_container_status(client_for, service_account, project):
    container = ContainerFactory(project=project, starting=True)
    client = client_for(service_account)
    response = client.post(
        nested(project, "containers", container, "status"), {"status": "running"}
    )
    assert (response.status_code, response.json()["status"]) == (200, "running")
    response = client.post(
        nested(project, "containers", container, "status"), {"status": "starting"}
    )
    assert_error(response, 400, "validation_error")
    response = client.post(
        nested(project, "containers", container, "status"), {"status": "running"}
    )
    assert_error(response, 409, "invalid_state_transition")


def test_r2_containers_of_another_users_project_are_404(client_for, other_user, project):
    container = ContainerFactory(project=project)
    client = client_for(other_user)
    for method, path in [
        ("get", nested(project, "containers")),
        ("post", nested(project, "containers")),
        ("get", nested(project, "containers", container)),
        ("patch", nested(project, "containers", container)),
        ("delete", nested(project, "containers", container)),
        ("post", nested(project, "containers", container, "start")),
    ]:
        assert_error(getattr(client, method)(path, {"name": "x"}), 404, "not_found")
    assert Container.objects.filter(pk=container.pk, name=container.name).exists()


def test_r2_a_container_id_under_the_wrong_project_is_404(client_for, user, project):
    elsewhere = ContainerFactory(project=ProjectFactory(owner=user))
    assert_error(client_for(user).get(nested(project, "containers", elsewhere)), 404, "not_found")


# --- connections -----------------------------------------------------------------------------


def test_prj_31_env_injection_config_is_accepted(owner_client, project):
    source, target = ContainerFactory.create_batch(2, project=project)
    response = owner_client.post(
        nested(project, "connections"),
        {
            "source_container": str(source.pk),
            "target_container": str(target.pk),
            "config": {"env": {"API_URL": "${API_URL}"}},
            "label": "calls",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["connector_type"] == "env_injection"
    assert body["source_container"] == str(source.pk)


def test_prj_30_a_container_of_another_project_is_400_without_saying_whose(
    client_for, user, other_user, project
):
    mine = ContainerFactory(project=project)
    my_other_project = ContainerFactory(project=ProjectFactory(owner=user))
    theirs = ContainerFactory(project=ProjectFactory(owner=other_user))
    missing = "00000000-0000-4000-8000-000000000000"
    messages = []
    for foreign in (my_other_project.pk, theirs.pk, missing):
        response = client_for(user).post(
            nested(project, "connections"),
            {"source_container": str(mine.pk), "target_container": str(foreign)},
        )
        body = assert_error(response, 400, "validation_error")
        messages.append(body["fields"]["target_container"][0].replace(str(foreign), "<id>"))
    assert len(set(messages)) == 1
    assert not ContainerConnection.objects.exists()


BAD_CONNECTION_INPUT = [
    ({"connector_type": "pigeon"}, "connector_type"),
    ({"config": ["x"]}, "config"),
    ({"config": {"env": {"1X": "a"}}}, "config.env.1X"),
    ({"config": {"env": {"X": 1}}}, "config.env.X"),
    ({"config": {"other": 1}}, "config"),
    ({"connector_type": "http_api", "config": {"big": "x" * 17_000}}, "config"),
    ({"label": "l" * 101}, "label"),
    ({"source_container": "nope"}, "source_container"),
]


@pytest.mark.parametrize(("payload", "field"), BAD_CONNECTION_INPUT)
def test_bad_connection_input_is_400(owner_client, project, payload, field):
    source, target = ContainerFactory.create_batch(2, project=project)
    data = {"source_container": str(source.pk), "target_container": str(target.pk), **payload}
    body = assert_error(
        owner_client.post(nested(project, "connections"), data), 400, "validation_error"
    )
    assert field in body["fields"]
    assert not ContainerConnection.objects.exists()


def test_connection_to_itself_is_400(owner_client, project):
    container = ContainerFactory(project=project)
    data = {"source_container": str(container.pk), "target_container": str(container.pk)}
    assert_error(owner_client.post(nested(project, "connections"), data), 400, "validation_error")


def test_duplicate_connection_is_409(owner_client, project):
    existing = ContainerConnectionFactory(project=project)
    data = {
        "source_container": str(existing.source_container_id),
        "target_container": str(existing.target_container_id),
    }
    assert_error(owner_client.post(nested(project, "connections"), data), 409, "already_exists")


def test_prj_31_patch_checks_config_against_the_type(owner_client, project):
    connection = ContainerConnectionFactory(project=project, connector_type="http_api")
    connection.config = {"timeout": 5}
    connection.save()
    response = owner_client.patch(
        nested(project, "connections", connection), {"connector_type": "env_injection"}
    )
    assert_error(response, 400, "validation_error")
    response = owner_client.patch(
        nested(project, "connections", connection),
        {"label": "edge", "source_container": "x"},
    )
    assert list(assert_error(response, 400, "validation_error")["fields"]) == ["source_container"]
    response = owner_client.patch(nested(project, "connections", connection), {"label": "edge"})
    assert response.status_code == 200 and response.json()["label"] == "edge"


# --- previews --------------------------------------------------------------------------------


def test_preview_crud(owner_client, project):
    container = ContainerFactory(project=project)
    response = owner_client.post(
        nested(project, "previews"),
        {"connected_container": str(container.pk), "current_path": "/dashboard?tab=2"},
    )
    assert response.status_code == 201, response.content
    preview = BrowserPreview.objects.get(pk=response.json()["id"])
    response = owner_client.patch(
        nested(project, "previews", preview), {"connected_container": None, "position_x": 10}
    )
    assert response.json()["connected_container"] is None
    assert owner_client.delete(nested(project, "previews", preview)).status_code == 204


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"current_path": "https://evil.example/"}, "current_path"),
        ({"current_path": "//evil.example"}, "current_path"),
        ({"current_path": "/a b"}, "current_path"),
        ({"current_path": "/" + "a" * 2048}, "current_path"),
        ({"position_x": "far"}, "position_x"),
        ({"connected_container": "00000000-0000-4000-8000-000000000000"}, "connected_container"),
    ],
)
def test_bad_preview_input_is_400(owner_client, project, payload, field):
    body = assert_error(
        owner_client.post(nested(project, "previews"), payload), 400, "validation_error"
    )
    assert field in body["fields"]


def test_prj_35_preview_of_another_projects_container_is_400(client_for, user, project):
    elsewhere = ContainerFactory(project=ProjectFactory(owner=user))
    preview = BrowserPreviewFactory(project=project)
    response = client_for(user).patch(
        nested(project, "previews", preview), {"connected_container": str(elsewhere.pk)}
    )
    assert_error(response, 400, "validation_error")
    assert BrowserPreview.objects.get(pk=preview.pk).connected_container is None
