"""API §9.2, projects: CRUD, filters, actions and the runtime's environment reports."""

import re

import pytest
from django.utils import timezone

from projects.models import EnvironmentStatus, Project, ProjectSnapshot
from projects.selectors import RECENT_CHATS, with_canvas
from projects.serializers.project import ProjectDetailSerializer
from tests.chat.factories import ChatFactory
from tests.helpers import assert_error, assert_refused
from tests.marketplace.factories import BaseFactory
from tests.projects.factories import (
    ContainerConnectionFactory,
    ContainerFactory,
    ProjectFactory,
)
from tests.rendering import served

pytestmark = pytest.mark.django_db

LIST_FIELDS = {
    "id",
    "name",
    "slug",
    "description",
    "has_git_repo",
    "git_remote_url",
    "settings",
    "network_name",
    "environment_status",
    "environment_status_changed_at",
    "last_activity",
    "hibernated_at",
    "s3_archive_size_bytes",
    "created_at",
    "updated_at",
}
DETAIL_FIELDS = LIST_FIELDS | {"architecture_diagram", "containers", "connections", "recent_chats"}


def url(project=None, action=None):
    path = "/api/v1/projects/"
    if project is not None:
        path += f"{project.pk}/"
    if action:
        path += f"{action}/"
    return path


# --- create ----------------------------------------------------------------------------------


def test_prj_2_create_returns_the_detail_with_generated_names(owner_client, user):
    response = owner_client.post(
        url(),
        {
            "name": "  Recipe Box  ",
            "description": "Family recipes",
            "settings": {"preview_mode": "split"},
            "git_remote_url": "https://github.com/ada/recipes",
            "has_git_repo": True,
            "architecture_diagram": "graph LR; a-->b",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == DETAIL_FIELDS
    assert body["name"] == "Recipe Box"
    assert re.fullmatch(r"recipe-box-[0-9a-z]{6}", body["slug"])
    assert body["network_name"] == f"tesslate-{body['slug']}"
    assert body["environment_status"] == "active"
    assert body["last_activity"] is not None
    assert body["containers"] == [] and body["connections"] == []
    assert body["created_at"].endswith("Z")
    assert Project.objects.get(pk=body["id"]).owner == user


def test_r3_create_refuses_privileged_and_unknown_fields(owner_client, user, other_user):
    sent = {
        "owner": str(other_user.pk),
        "slug": "chosen-slug",
        "network_name": "evil",
        "environment_status": "hibernated",
        "s3_archive_size_bytes": 5,
        "whatever": 1,
    }
    assert_refused(owner_client.post(url(), {"name": "Mine", **sent}), *sent)
    assert not Project.objects.exists()
    response = owner_client.post(url(), {"name": "Mine"})
    assert response.status_code == 201
    project = Project.objects.get(pk=response.json()["id"])
    assert project.owner == user
    assert project.slug.startswith("mine-")
    assert project.network_name == f"tesslate-{project.slug}"
    assert project.environment_status == EnvironmentStatus.ACTIVE
    assert project.s3_archive_size_bytes is None


BAD_PROJECT_INPUT = [
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({"name": "n" * 101}, "name"),
    ({"name": None}, "name"),
    ({"name": "ok", "description": "d" * 10_001}, "description"),
    ({"name": "ok", "has_git_repo": "maybe"}, "has_git_repo"),
    ({"name": "ok", "git_remote_url": "http://github.com/a/b"}, "git_remote_url"),
    ({"name": "ok", "git_remote_url": "https://tok:en@github.com/a/b"}, "git_remote_url"),
    ({"name": "ok", "git_remote_url": "https://github.com/a/b?token=x"}, "git_remote_url"),
    ({"name": "ok", "git_remote_url": "https://github.com/a/b#frag"}, "git_remote_url"),
    ({"name": "ok", "git_remote_url": "https://10.0.0.1/a.git"}, "git_remote_url"),
    ({"name": "ok", "git_remote_url": "https://localhost/a.git"}, "git_remote_url"),
    ({"name": "ok", "git_remote_url": "not a url"}, "git_remote_url"),
    ({"name": "ok", "git_remote_url": "https://x.com/" + "a" * 500}, "git_remote_url"),
    ({"name": "ok", "settings": ["not", "an", "object"]}, "settings"),
    ({"name": "ok", "settings": {"big": "x" * 70_000}}, "settings"),
    ({"name": "ok", "architecture_diagram": "é" * 60_000}, "architecture_diagram"),
]


@pytest.mark.parametrize(("payload", "field"), BAD_PROJECT_INPUT)
def test_bad_project_input_is_a_400_naming_the_field(owner_client, payload, field):
    response = owner_client.post(url(), payload)
    body = assert_error(response, 400, "validation_error")
    assert field in body["fields"]
    assert not Project.objects.exists()


@pytest.mark.parametrize(("payload", "field"), BAD_PROJECT_INPUT)
def test_bad_project_patch_changes_nothing(owner_client, project, payload, field):
    before = Project.objects.values().get(pk=project.pk)
    payload = {key: value for key, value in payload.items() if key != "name" or field == "name"}
    response = owner_client.patch(url(project), payload)
    body = assert_error(response, 400, "validation_error")
    assert field in body["fields"]
    assert Project.objects.values().get(pk=project.pk) == before


# --- read, update, delete --------------------------------------------------------------------


def test_detail_has_containers_and_connections(owner_client, project):
    connection = ContainerConnectionFactory(project=project)
    response = owner_client.get(url(project))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == DETAIL_FIELDS
    assert {c["id"] for c in body["containers"]} == {
        str(connection.source_container_id),
        str(connection.target_container_id),
    }
    assert body["connections"][0]["id"] == str(connection.pk)


def test_w3_detail_is_the_serializers_json(owner_client, user):
    """The detail is built from `.values()` rows without its serializers (W3's lean path):
    every kind of value, null and not, must come out as ProjectDetailSerializer writes it."""
    project = ProjectFactory(
        owner=user,
        settings={"theme": {"dark": True}, "ratio": 1.5},
        last_activity=timezone.now(),
        s3_archive_size_bytes=2**40,
    )
    web = ContainerFactory(
        project=project,
        name="web",
        base=BaseFactory(),
        port=8080,
        internal_port=3001,
        environment_vars={"NODE_ENV": "production"},
        encrypted_secrets={"STRIPE_KEY": "sk_live_1", "DB_PASSWORD": "hunter2"},
        position_x=12.5,
    )
    db = ContainerFactory(project=project, name="db", external=True)
    ContainerConnectionFactory(
        project=project, source_container=web, target_container=db, config={"port": 5432}
    )
    for _ in range(RECENT_CHATS + 2):
        ChatFactory(project=project)
    expected = ProjectDetailSerializer(with_canvas(Project.objects.all()).get(pk=project.pk))
    body = owner_client.get(url(project)).json()
    assert body == served(expected.data)
    assert [c["secret_names"] for c in body["containers"]] == [[], ["DB_PASSWORD", "STRIPE_KEY"]]
    assert len(body["recent_chats"]) == RECENT_CHATS


def test_r2_another_users_project_is_404_for_every_verb(client_for, other_user, project):
    client = client_for(other_user)
    for method, action in [
        ("get", None),
        ("patch", None),
        ("delete", None),
        ("post", "hibernate"),
        ("post", "wake"),
        ("post", "activity"),
    ]:
        response = getattr(client, method)(url(project, action), {"name": "stolen"})
        assert_error(response, 404, "not_found")
    project.refresh_from_db()
    assert project.name != "stolen"


def test_patch_renames_but_refuses_the_slug_and_lifecycle_fields(owner_client, project):
    slug = project.slug
    refused = owner_client.patch(
        url(project), {"name": "Renamed", "environment_status": "hibernated", "slug": "x"}
    )
    assert_refused(refused, "environment_status", "slug")
    response = owner_client.patch(url(project), {"name": "Renamed"})
    assert response.status_code == 200
    assert response.json()["name"] == "Renamed"
    project.refresh_from_db()
    assert (project.slug, project.environment_status) == (slug, EnvironmentStatus.ACTIVE)


def test_put_is_not_offered(owner_client, project):
    assert_error(owner_client.put(url(project), {"name": "x"}), 405, "method_not_allowed")


def test_delete_removes_the_project(owner_client, project):
    assert owner_client.delete(url(project)).status_code == 204
    assert not Project.objects.filter(pk=project.pk).exists()


@pytest.mark.parametrize("trait", ["stopping", "starting"])
def test_prj_8_delete_while_stopping_or_starting_is_409(client_for, user, trait):
    project = ProjectFactory(owner=user, **{trait: True})
    assert_error(client_for(user).delete(url(project)), 409, "invalid_state_transition")
    assert Project.objects.filter(pk=project.pk).exists()


def test_malformed_id_is_not_found(owner_client):
    assert_error(owner_client.get("/api/v1/projects/not-a-uuid/"), 404, "not_found")


# --- list, filters, search, ordering ---------------------------------------------------------


def names(response):
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


def test_list_holds_only_own_projects_newest_update_first(client_for, user, other_user):
    first = ProjectFactory(owner=user, name="First")
    ProjectFactory(owner=user, name="Second")
    ProjectFactory(owner=other_user, name="Theirs")
    first.save()  # touches updated_at
    response = client_for(user).get(url())
    assert names(response) == ["First", "Second"]
    assert set(response.json()["results"][0]) == LIST_FIELDS
    assert response.json()["count"] == 2


def test_list_filters_search_and_ordering(client_for, user):
    ProjectFactory(owner=user, name="Alpha app", has_git_repo=True)
    ProjectFactory(owner=user, name="beta", hibernated=True)
    gamma = ProjectFactory(owner=user, name="Gamma")
    client = client_for(user)
    assert names(client.get(url(), {"environment_status": "hibernated"})) == ["beta"]
    assert names(client.get(url(), {"has_git_repo": "true"})) == ["Alpha app"]
    assert names(client.get(url(), {"has_git_repo": "False", "ordering": "name"})) == [
        "beta",
        "Gamma",
    ]
    assert names(client.get(url(), {"search": "ALP"})) == ["Alpha app"]
    assert names(client.get(url(), {"search": gamma.slug})) == ["Gamma"]
    assert names(client.get(url(), {"search": "app"})) == []  # a prefix, not a substring
    assert names(client.get(url(), {"ordering": "-name"})) == ["Gamma", "beta", "Alpha app"]


@pytest.mark.parametrize(
    "params",
    [
        {"environment_status": "paused"},
        {"has_git_repo": "maybe"},
        {"ordering": "owner"},
        {"ordering": "name,-password"},
        {"search": "s" * 101},
    ],
)
def test_bad_list_parameters_are_400(owner_client, params):
    assert_error(owner_client.get(url(), params), 400, "validation_error")


def test_page_size_is_capped(client_for, user):
    ProjectFactory.create_batch(3, owner=user)
    body = client_for(user).get(url(), {"page_size": 1000}).json()
    assert body["count"] == 3 and len(body["results"]) == 3


# --- actions ---------------------------------------------------------------------------------


def test_hibernate_and_wake_are_202_with_the_new_state(owner_client, project):
    response = owner_client.post(url(project, "hibernate"))
    assert response.status_code == 202
    assert response.json()["environment_status"] == "stopping"
    again = assert_error(
        owner_client.post(url(project, "hibernate")), 409, "invalid_state_transition"
    )
    assert again["message"] == "The project is already stopping."
    woken = assert_error(owner_client.post(url(project, "wake")), 409, "invalid_state_transition")
    assert woken["message"] == "A project that is stopping cannot become starting."
    Project.objects.filter(pk=project.pk).update(environment_status="error")
    response = owner_client.post(url(project, "wake"))
    assert response.status_code == 202
    assert response.json()["environment_status"] == "starting"


def test_prj_7_activity_is_204(owner_client, project):
    Project.objects.filter(pk=project.pk).update(last_activity=None)
    assert owner_client.post(url(project, "activity")).status_code == 204
    project.refresh_from_db()
    assert project.last_activity is not None


def test_prj_4_runtime_reports_hibernation_with_archive_and_snapshot(
    client_for, service_account, user
):
    project = ProjectFactory(owner=user, stopping=True)
    ContainerFactory(project=project, running=True)
    response = client_for(service_account).post(
        url(project, "environment"),
        {
            "status": "hibernated",
            "s3_archive_size_bytes": 2048,
            "snapshot": {"snapshot_name": "snap-1", "size_bytes": 10},
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["environment_status"] == "hibernated"
    assert body["s3_archive_size_bytes"] == 2048
    assert body["hibernated_at"] is not None
    assert body["containers"][0]["status"] == "stopped"
    assert ProjectSnapshot.objects.get(project=project).snapshot_name == "snap-1"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"status": "stopping"}, "status"),
        ({"status": "starting"}, "status"),
        ({"status": "active", "s3_archive_size_bytes": 1}, "s3_archive_size_bytes"),
        ({"status": "error", "snapshot": {"snapshot_name": "x"}}, "snapshot"),
        ({"status": "hibernated", "s3_archive_size_bytes": -1}, "s3_archive_size_bytes"),
        ({"status": "hibernated", "snapshot": {}}, "snapshot.snapshot_name"),
        (
            {"status": "hibernated", "snapshot": {"snapshot_name": "x", "size_bytes": -2}},
            "snapshot.size_bytes",
        ),
    ],
)
def test_environment_report_bad_input(client_for, service_account, user, payload, field):
    project = ProjectFactory(owner=user, stopping=True)
    response = client_for(service_account).post(url(project, "environment"), payload)
    body = assert_error(response, 400, "validation_error")
    assert field in body["fields"]
    assert Project.objects.get(pk=project.pk).environment_status == "stopping"


def test_environment_report_outside_the_machine_is_409(client_for, service_account, project):
    response = client_for(service_account).post(url(project, "environment"), {"status": "active"})
    assert_error(response, 409, "invalid_state_transition")


def test_r4_owner_cannot_report_runtime_state(owner_client, project):
    response = owner_client.post(url(project, "environment"), {"status": "error"})
    assert_error(response, 403, "permission_denied")
    assert Project.objects.get(pk=project.pk).environment_status == "active"
