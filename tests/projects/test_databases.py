"""Project databases (EXTENSIONS.md §12; PRJ-120 to PRJ-122)."""

import pytest
from django.db import IntegrityError, transaction

from config.exceptions import NotAllowed
from projects import services
from projects.models import ProjectDatabase
from tests.helpers import assert_error
from tests.projects.factories import ContainerFactory, ProjectDatabaseFactory, ProjectFactory

pytestmark = pytest.mark.django_db

DSN = "postgresql://app:s3cret-pass@db.example.com:5432/recipes"


def url(project, row=None):
    path = f"/api/v1/projects/{project.pk}/databases/"
    return path if row is None else f"{path}{row.pk}/"


def byo(**fields):
    return {
        "provider": "postgres",
        "database_name": "recipes",
        "connection_string": DSN,
        "host": "db.example.com",
        **fields,
    }


def test_prj_120_owner_brings_a_database_and_reads_it_back_without_the_secret(
    owner_client, project
):
    response = owner_client.post(url(project), byo(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["provider"], body["connection_string_set"], body["is_active"]) == (
        "postgres",
        True,
        True,
    )
    assert "s3cret" not in response.content.decode()
    listed = owner_client.get(url(project)).json()["results"]
    assert [row["id"] for row in listed] == [body["id"]]
    stored = ProjectDatabase.objects.get(pk=body["id"])
    assert (stored.connection_string, stored.connection_string_last4) == (DSN, "ipes")


def test_prj_120_the_runtime_records_a_provisioned_branch(client_for, service_account, project):
    response = client_for(service_account).post(
        url(project),
        byo(provider="neon", branch_name="preview-42", role_name="app", database_name="neondb"),
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["branch_name"] == "preview-42"


def test_prj_120_another_users_project_is_a_404(client_for, other_user, project):
    stranger = client_for(other_user)
    row = ProjectDatabaseFactory(project=project)
    assert_error(stranger.get(url(project)), 404, "not_found")
    assert_error(stranger.post(url(project), byo(), format="json"), 404, "not_found")
    assert_error(stranger.get(url(project, row)), 404, "not_found")
    assert_error(stranger.delete(url(project, row)), 404, "not_found")


def test_prj_121_one_active_database_per_provider_and_name(owner_client, project):
    assert owner_client.post(url(project), byo(), format="json").status_code == 201
    body = assert_error(
        owner_client.post(url(project), byo(), format="json"), 409, "already_exists"
    )
    assert "database_name" in body["fields"]
    ProjectDatabase.objects.filter(project=project).update(is_active=False)
    assert owner_client.post(url(project), byo(), format="json").status_code == 201


def test_prj_121_the_database_holds_the_rule(project):
    ProjectDatabaseFactory(project=project, database_name="same")
    ProjectDatabaseFactory(project=project, database_name="same", is_active=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProjectDatabaseFactory(project=project, database_name="same")


def test_prj_121_the_container_must_be_the_projects(owner_client, project):
    foreign = ContainerFactory(project=ProjectFactory())
    body = assert_error(
        owner_client.post(url(project), byo(container=str(foreign.pk)), format="json"),
        400,
        "validation_error",
    )
    assert "container" in body["fields"]


def test_prj_121_metadata_takes_no_secret_keys(owner_client, project):
    body = assert_error(
        owner_client.post(url(project), byo(metadata={"password": "x"}), format="json"),
        400,
        "validation_error",
    )
    assert "metadata" in body["fields"]


def test_prj_122_owner_deletes(owner_client, project):
    row = ProjectDatabaseFactory(project=project)
    assert owner_client.delete(url(project, row)).status_code == 204
    assert not ProjectDatabase.objects.filter(pk=row.pk).exists()


def test_prj_122_services_check_the_actor(other_user, project):
    with pytest.raises(NotAllowed):
        services.database_create(
            actor=other_user,
            project=project,
            provider="postgres",
            database_name="x",
            connection_string=DSN,
        )
    row = ProjectDatabaseFactory(project=project)
    with pytest.raises(NotAllowed):
        services.database_delete(actor=other_user, database=row)
