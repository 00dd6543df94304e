"""Deployment versions and project domains (EXTENSIONS.md §4; PRJ-100 to PRJ-104)."""

import pytest
from django.db import IntegrityError, transaction

from config.exceptions import NotAllowed
from projects import services
from projects.errors import SubdomainTaken
from projects.models import Deployment, DomainStatus, ProjectDomain
from tests.helpers import assert_error
from tests.projects.factories import (
    DeploymentCredentialFactory,
    DeploymentFactory,
    ProjectDomainFactory,
    ProjectFactory,
    ProjectSnapshotFactory,
)

pytestmark = pytest.mark.django_db


def domain_url(project, action=""):
    return f"/api/v1/projects/{project.pk}/domain/{action}"


# --- PRJ-100: deployment versions ------------------------------------------------------------


def test_prj_100_versions_count_up_per_project(owner_client, project, user):
    DeploymentCredentialFactory(user=user)
    url = f"/api/v1/projects/{project.pk}/deployments/"
    versions = []
    for _ in range(3):
        response = owner_client.post(url, {"provider": "vercel", "environment": "preview"})
        assert response.status_code == 201, response.content
        versions.append(response.json()["version"])
    other = ProjectFactory(owner=user)
    first_elsewhere = owner_client.post(
        f"/api/v1/projects/{other.pk}/deployments/", {"provider": "vercel"}
    )
    assert versions == [1, 2, 3]
    assert first_elsewhere.json()["version"] == 1


def test_prj_100_the_version_is_unique_per_project_in_the_database(project):
    DeploymentFactory(project=project, version=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        DeploymentFactory(project=project, version=1)
    DeploymentFactory(version=1)  # another project's 1 is its own


def test_prj_100_a_refused_create_gives_its_version_back(owner_client, project, user):
    DeploymentCredentialFactory(user=user)
    url = f"/api/v1/projects/{project.pk}/deployments/"
    assert owner_client.post(url, {"provider": "vercel"}).status_code == 201
    assert_error(owner_client.post(url, {"provider": "vercel"}), 409, "deployment_in_progress")
    preview = owner_client.post(url, {"provider": "vercel", "environment": "preview"})
    assert preview.json()["version"] == 2


def test_prj_72_previews_build_side_by_side_production_does_not(project, user):
    DeploymentCredentialFactory(user=user)
    for _ in range(2):
        services.deployment_create(
            actor=user, project=project, provider="vercel", environment="preview"
        )
    services.deployment_create(actor=user, project=project, provider="vercel")
    assert Deployment.objects.filter(project=project).count() == 3


def test_prj_100_snapshot_must_be_the_projects(owner_client, project, user):
    DeploymentCredentialFactory(user=user)
    url = f"/api/v1/projects/{project.pk}/deployments/"
    foreign = ProjectSnapshotFactory()
    body = assert_error(
        owner_client.post(url, {"provider": "vercel", "snapshot": str(foreign.pk)}),
        400,
        "validation_error",
    )
    assert "snapshot" in body["fields"]
    own = ProjectSnapshotFactory(project=project)
    response = owner_client.post(url, {"provider": "vercel", "snapshot": str(own.pk)})
    assert response.json()["snapshot"] == str(own.pk)


def test_prj_100_reports_time_the_build_and_name_the_failed_phase(project, user, service_account):
    DeploymentCredentialFactory(user=user)
    deployment = services.deployment_create(actor=user, project=project, provider="vercel")
    services.deployment_report_status(
        actor=service_account, deployment=deployment, status="deploying"
    )
    assert deployment.started_at is not None and deployment.build_duration_ms is None
    services.deployment_report_status(
        actor=service_account,
        deployment=deployment,
        status="failed",
        error="npm ci failed",
        error_phase="build",
    )
    assert deployment.error_phase == "build"
    assert deployment.build_duration_ms is not None and deployment.build_duration_ms >= 0
    assert deployment.completed_at >= deployment.started_at


def test_prj_100_a_deployment_never_started_has_no_build_time(project):
    deployment = DeploymentFactory(project=project)
    services.deployment_report_status(
        actor=None, deployment=deployment, status="failed", error="quota", error_phase="upload"
    )
    assert deployment.build_duration_ms is None


def test_prj_71_only_the_runtime_reports_deployments(project, user):
    deployment = DeploymentFactory(project=project)
    with pytest.raises(NotAllowed):
        services.deployment_report_status(actor=user, deployment=deployment, status="deploying")


def test_prj_100_status_report_takes_the_error_phase(client_for, service_account, project):
    deployment = DeploymentFactory(project=project)
    response = client_for(service_account).post(
        f"/api/v1/projects/{project.pk}/deployments/{deployment.pk}/status/",
        {"status": "failed", "error": "no DNS", "error_phase": "dns"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["error_phase"] == "dns"


# --- PRJ-101 to PRJ-104: domains -------------------------------------------------------------


def test_prj_101_claim_then_read_then_move(owner_client, project, user):
    assert_error(owner_client.get(domain_url(project)), 404, "not_found")
    created = owner_client.put(domain_url(project), {"subdomain": "recipes"})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["subdomain"], body["full_domain"]) == ("recipes", "recipes.apps.localhost")
    assert (body["dns_status"], body["ssl_status"]) == ("pending", "pending")
    assert body["claimed_by"] == str(user.pk)
    assert owner_client.get(domain_url(project)).json()["id"] == body["id"]
    ProjectDomain.objects.filter(pk=body["id"]).update(dns_status="active")
    moved = owner_client.put(domain_url(project), {"subdomain": "recipe-box"})
    assert moved.status_code == 200
    assert moved.json()["id"] == body["id"]
    assert (moved.json()["full_domain"], moved.json()["dns_status"]) == (
        "recipe-box.apps.localhost",
        "pending",
    )


def test_prj_101_claiming_the_same_label_again_changes_nothing(owner_client, project):
    first = owner_client.put(domain_url(project), {"subdomain": "same"}).json()
    again = owner_client.put(domain_url(project), {"subdomain": "same"})
    assert again.status_code == 200
    assert again.json()["claimed_at"] == first["claimed_at"]


def test_prj_101_the_full_domain_follows_the_setting(owner_client, project, settings):
    settings.PROJECT_DOMAIN_ROOT = "studio-apps.example.com"
    response = owner_client.put(domain_url(project), {"subdomain": "shop"})
    assert response.json()["full_domain"] == "shop.studio-apps.example.com"


@pytest.mark.parametrize(
    "label",
    ["Upper", "-lead", "trail-", "dots.in", "under_score", "", "a" * 64, "ünï", "sp ace"],
)
def test_prj_101_a_subdomain_is_one_lowercase_dns_label(owner_client, project, label):
    body = assert_error(
        owner_client.put(domain_url(project), {"subdomain": label}), 400, "validation_error"
    )
    assert "subdomain" in body["fields"]


def test_prj_101_the_database_refuses_a_label_that_is_not_one(project):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProjectDomainFactory(project=project, subdomain="Not-A-Label")


@pytest.mark.parametrize("label", ["www", "api", "admin"])
def test_prj_101_reserved_labels_are_refused(owner_client, project, label):
    body = assert_error(
        owner_client.put(domain_url(project), {"subdomain": label}), 400, "validation_error"
    )
    assert body["fields"] == {"subdomain": ["This subdomain is reserved."]}


def test_prj_102_a_taken_subdomain_is_409(owner_client, project):
    ProjectDomainFactory(subdomain="taken")
    body = assert_error(
        owner_client.put(domain_url(project), {"subdomain": "taken"}), 409, "already_exists"
    )
    assert "subdomain" in body["fields"]


def test_prj_102_a_race_past_the_check_meets_the_constraint(project, user, monkeypatch):
    ProjectDomainFactory(subdomain="raced")
    # The check saw nothing (the other claim had not committed): the constraint answers.
    monkeypatch.setattr(
        "projects.services.domains.ProjectDomain.objects.filter",
        _skipping_first_check(ProjectDomain.objects.filter),
    )
    with pytest.raises(SubdomainTaken):
        services.domain_claim(actor=user, project=project, subdomain="raced")


def _skipping_first_check(filter_):
    calls = []

    def filter_once_empty(*args, **kwargs):
        calls.append(kwargs)
        if len(calls) == 1:
            return ProjectDomain.objects.none()
        return filter_(*args, **kwargs)

    return filter_once_empty


def test_prj_103_release_frees_the_subdomain(owner_client, project, client_for, other_user):
    owner_client.put(domain_url(project), {"subdomain": "freed"})
    assert owner_client.delete(domain_url(project)).status_code == 204
    assert_error(owner_client.get(domain_url(project)), 404, "not_found")
    theirs = ProjectFactory(owner=other_user)
    response = client_for(other_user).put(domain_url(theirs), {"subdomain": "freed"})
    assert response.status_code == 201


def test_prj_103_another_users_domain_is_a_404(client_for, other_user):
    domain = ProjectDomainFactory()
    stranger = client_for(other_user)
    assert_error(stranger.get(domain_url(domain.project)), 404, "not_found")
    assert_error(stranger.delete(domain_url(domain.project)), 404, "not_found")
    assert_error(stranger.put(domain_url(domain.project), {"subdomain": "mine"}), 404, "not_found")
    assert ProjectDomain.objects.filter(pk=domain.pk).exists()


def test_prj_104_the_runtime_reports_dns_and_tls(client_for, service_account):
    domain = ProjectDomainFactory()
    deployment = DeploymentFactory(project=domain.project, deployed=True)
    response = client_for(service_account).post(
        domain_url(domain.project, "status/"),
        {
            "dns_status": "active",
            "ssl_status": "failed",
            "provider_record_id": "rec_123",
            "deployment": str(deployment.pk),
        },
    )
    assert response.status_code == 200, response.content
    domain.refresh_from_db()
    assert (domain.dns_status, domain.ssl_status, domain.provider_record_id) == (
        DomainStatus.ACTIVE,
        DomainStatus.FAILED,
        "rec_123",
    )
    assert domain.deployment == deployment


def test_prj_104_the_owner_may_not_report(owner_client, project):
    ProjectDomainFactory(project=project)
    response = owner_client.post(domain_url(project, "status/"), {"dns_status": "active"})
    assert_error(response, 403, "permission_denied")


def test_prj_104_a_deployment_of_another_project_is_refused(client_for, service_account):
    domain = ProjectDomainFactory()
    response = client_for(service_account).post(
        domain_url(domain.project, "status/"), {"deployment": str(DeploymentFactory().pk)}
    )
    body = assert_error(response, 400, "validation_error")
    assert "deployment" in body["fields"]


def test_prj_104_no_domain_is_a_404_for_the_runtime(client_for, service_account, project):
    response = client_for(service_account).post(
        domain_url(project, "status/"), {"dns_status": "active"}
    )
    assert_error(response, 404, "not_found")
