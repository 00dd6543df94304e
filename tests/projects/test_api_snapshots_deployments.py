"""API §9.2: snapshots (PRJ-60 … PRJ-63) and deployments (PRJ-70 … PRJ-72)."""

import pytest

from projects.models import Deployment, ProjectSnapshot
from tests.helpers import assert_error, assert_refused
from tests.projects.factories import (
    ContainerFactory,
    DeploymentCredentialFactory,
    DeploymentFactory,
    ProjectFactory,
    ProjectSnapshotFactory,
)

pytestmark = pytest.mark.django_db


def nested(project, kind, row=None, action=None):
    path = f"/api/v1/projects/{project.pk}/{kind}/"
    if row is not None:
        path += f"{row.pk}/"
    if action:
        path += f"{action}/"
    return path


# --- snapshots -------------------------------------------------------------------------------


def test_create_snapshot_is_manual_and_pending(owner_client, project, user):
    refused = owner_client.post(
        nested(project, "snapshots"), {"label": "before refactor", "status": "ready"}
    )
    assert_refused(refused, "status")
    response = owner_client.post(nested(project, "snapshots"), {"label": "before refactor"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["snapshot_type"], body["status"], body["label"]) == (
        "manual",
        "pending",
        "before refactor",
    )
    assert body["created_by"] == str(user.pk)


def test_bad_snapshot_label_is_400(owner_client, project):
    body = assert_error(
        owner_client.post(nested(project, "snapshots"), {"label": "l" * 256}),
        400,
        "validation_error",
    )
    assert "label" in body["fields"]


def test_prj_61_snapshot_limit_reached_is_409(owner_client, project, settings):
    settings.PROJECT_MAX_SNAPSHOTS = 1
    ProjectSnapshotFactory(project=project)
    response = owner_client.post(nested(project, "snapshots"), {})
    assert_error(response, 409, "snapshot_limit_reached")


def test_list_hides_deleted_snapshots_unless_asked(owner_client, project):
    ProjectSnapshotFactory(project=project, label="old", status="deleted")
    ProjectSnapshotFactory(project=project, label="new", ready=True)
    body = owner_client.get(nested(project, "snapshots")).json()
    assert [row["label"] for row in body["results"]] == ["new"]
    body = owner_client.get(nested(project, "snapshots"), {"status": "deleted"}).json()
    assert [row["label"] for row in body["results"]] == ["old"]
    assert_error(
        owner_client.get(nested(project, "snapshots"), {"snapshot_type": "auto"}),
        400,
        "validation_error",
    )


def test_patch_changes_only_the_label(owner_client, project):
    snapshot = ProjectSnapshotFactory(project=project)
    url = nested(project, "snapshots", snapshot)
    assert_refused(owner_client.patch(url, {"label": "renamed", "status": "ready"}), "status")
    response = owner_client.patch(url, {"label": "renamed"})
    assert response.status_code == 200
    snapshot.refresh_from_db()
    assert (snapshot.label, snapshot.status) == ("renamed", "pending")


def test_prj_63_delete_marks_deleted_and_refuses_pending(owner_client, project):
    ready = ProjectSnapshotFactory(project=project, ready=True)
    pending = ProjectSnapshotFactory(project=project)
    assert owner_client.delete(nested(project, "snapshots", ready)).status_code == 204
    assert ProjectSnapshot.objects.get(pk=ready.pk).status == "deleted"
    response = owner_client.delete(nested(project, "snapshots", pending))
    assert_error(response, 409, "invalid_state_transition")


def test_prj_62_restore_is_202_in_a_hibernated_project(client_for, user):
    project = ProjectFactory(owner=user, hibernated=True)
    snapshot = ProjectSnapshotFactory(project=project, ready=True)
    response = client_for(user).post(nested(project, "snapshots", snapshot, "restore"))
    assert (response.status_code, response.json()["status"]) == (202, "restoring")


def test_prj_62_restore_in_an_active_project_is_409(owner_client, project):
    snapshot = ProjectSnapshotFactory(project=project, ready=True)
    response = owner_client.post(nested(project, "snapshots", snapshot, "restore"))
    assert_error(response, 409, "invalid_state_transition")


def test_runtime_reports_snapshot_status(client_for, service_account, project):
    snapshot = ProjectSnapshotFactory(project=project)
    client = client_for(service_account)
    url = nested(project, "snapshots", snapshot, "status")
    response = client.post(url, {"status": "ready", "snapshot_name": "snap-7", "size_bytes": 50})
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["snapshot_name"]) == ("ready", "snap-7")
    assert response.json()["ready_at"] is not None
    assert_error(client.post(url, {"status": "error"}), 409, "invalid_state_transition")
    for bad in ({"status": "deleted"}, {"status": "ready", "size_bytes": -1}, {}):
        assert_error(client.post(url, bad), 400, "validation_error")


# --- deployments -----------------------------------------------------------------------------


def test_create_deployment_is_pending_with_the_credential(owner_client, project, user):
    credential = DeploymentCredentialFactory(user=user)
    container = ContainerFactory(project=project)
    body = {"provider": "vercel", "container": str(container.pk)}
    url = nested(project, "deployments")
    assert_refused(owner_client.post(url, {**body, "status": "deployed"}), "status")
    response = owner_client.post(url, body)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["credential"], body["container"]) == (
        "pending",
        str(credential.pk),
        str(container.pk),
    )
    assert body["triggered_by"] == str(user.pk)
    assert body["completed_at"] is None


def test_prj_70_missing_credential_is_400(owner_client, project):
    response = owner_client.post(nested(project, "deployments"), {"provider": "netlify"})
    assert_error(response, 400, "missing_credential")


def test_prj_70_container_of_another_project_is_400(client_for, user, other_user, project):
    DeploymentCredentialFactory(user=user)
    mine_elsewhere = ContainerFactory(project=ProjectFactory(owner=user))
    theirs = ContainerFactory(project=ProjectFactory(owner=other_user))
    for container in (mine_elsewhere, theirs):
        response = client_for(user).post(
            nested(project, "deployments"), {"provider": "vercel", "container": str(container.pk)}
        )
        body = assert_error(response, 400, "validation_error")
        assert "container" in body["fields"]
    assert not Deployment.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"provider": "supabase"}, "provider"),
        ({}, "provider"),
        ({"provider": "vercel", "container": "x"}, "container"),
    ],
)
def test_bad_deployment_input_is_400(owner_client, project, user, payload, field):
    DeploymentCredentialFactory(user=user)
    body = assert_error(
        owner_client.post(nested(project, "deployments"), payload), 400, "validation_error"
    )
    assert field in body["fields"]


def test_prj_72_second_deployment_in_progress_is_409(owner_client, project, user):
    DeploymentCredentialFactory(user=user)
    DeploymentFactory(project=project, deploying=True)
    response = owner_client.post(nested(project, "deployments"), {"provider": "vercel"})
    assert_error(response, 409, "deployment_in_progress")


def test_deployments_are_read_only_for_the_owner(owner_client, project):
    deployment = DeploymentFactory(project=project)
    assert_error(
        owner_client.patch(nested(project, "deployments", deployment), {"status": "deployed"}),
        405,
        "method_not_allowed",
    )
    assert_error(
        owner_client.delete(nested(project, "deployments", deployment)), 405, "method_not_allowed"
    )


def test_deployment_list_filters_newest_first(owner_client, project):
    older = DeploymentFactory(project=project, provider="netlify", deployed=True)
    newer = DeploymentFactory(project=project, provider="vercel")
    body = owner_client.get(nested(project, "deployments")).json()
    assert [row["id"] for row in body["results"]] == [str(newer.pk), str(older.pk)]
    body = owner_client.get(nested(project, "deployments"), {"status": "deployed"}).json()
    assert [row["id"] for row in body["results"]] == [str(older.pk)]
    assert_error(
        owner_client.get(nested(project, "deployments"), {"provider": "heroku"}),
        400,
        "validation_error",
    )


def test_prj_71_runtime_reports_progress(client_for, service_account, project):
    deployment = DeploymentFactory(project=project)
    client = client_for(service_account)
    url = nested(project, "deployments", deployment, "status")
    assert client.post(url, {"status": "deploying"}).status_code == 200
    response = client.post(
        url,
        {
            "status": "deployed",
            "deployment_url": "https://app.example.com",
            "provider_deployment_id": "dpl_1",
            "deployment_metadata": {"region": "fra1"},
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["deployment_url"], body["provider_deployment_id"]) == (
        "deployed",
        "https://app.example.com",
        "dpl_1",
    )
    assert body["completed_at"] is not None
    assert_error(
        client.post(url, {"status": "failed", "error": "late"}), 409, "invalid_state_transition"
    )


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"status": "failed"}, "error"),
        ({"status": "failed", "error": ""}, "error"),
        ({"status": "deployed"}, "deployment_url"),
        ({"status": "deployed", "deployment_url": "http://app.example.com"}, "deployment_url"),
        ({"status": "deployed", "deployment_url": "https://127.0.0.1"}, "deployment_url"),
        ({"status": "pending"}, "status"),
        ({"status": "deploying", "deployment_metadata": [1]}, "deployment_metadata"),
        ({"status": "deploying", "provider_deployment_id": "x" * 256}, "provider_deployment_id"),
    ],
)
def test_bad_deployment_report_is_400(client_for, service_account, project, payload, field):
    deployment = DeploymentFactory(project=project, deploying=True)
    response = client_for(service_account).post(
        nested(project, "deployments", deployment, "status"), payload
    )
    body = assert_error(response, 400, "validation_error")
    assert field in body["fields"]
    assert Deployment.objects.get(pk=deployment.pk).status == "deploying"
