"""The app's wiring: the service permission migration, demo data, and the error mapping of
constraint races that only the database sees."""

import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import IntegrityError, transaction

from bench.demo import projects as demo
from config.exceptions import exception_handler
from config.roles import SERVICE_ACCOUNTS_GROUP
from projects import services
from projects.models import Deployment, Project, ProjectAsset
from projects.services import deployments
from tests.backoffice.helpers import domain_models
from tests.helpers import assert_error
from tests.projects.factories import DeploymentCredentialFactory, ProjectSnapshotFactory

pytestmark = pytest.mark.django_db


def test_acc_9_the_migration_grants_the_runtime_permission_to_service_accounts(service_account):
    group = Group.objects.get(name=SERVICE_ACCOUNTS_GROUP)
    permission = Permission.objects.get(
        content_type__app_label="projects", codename="report_runtime_state"
    )
    assert permission in group.permissions.all()
    assert service_account.has_perm("projects.report_runtime_state")


def test_demo_seed_is_idempotent_and_lively():
    from bench.demo import accounts as accounts_demo

    accounts_demo.seed(io.StringIO())
    demo.seed(io.StringIO())
    demo.seed(out := io.StringIO())
    assert "0 created" in out.getvalue()
    assert Project.objects.count() == 3
    statuses = set(Project.objects.values_list("environment_status", flat=True))
    assert statuses == {"active", "hibernated"}
    assert Deployment.objects.filter(status="deployed").exists()
    asset = ProjectAsset.objects.get()
    assert (asset.width, asset.height, asset.mime_type) == (64, 64, "image/png")


def test_prj_72_a_create_racing_past_the_check_is_still_deployment_in_progress(
    client_for, project, user, monkeypatch
):
    """Two creates that both pass the in-progress check meet the partial unique index; the
    API answers that race with the same 409 (DATA_MODEL.md §1.4)."""
    DeploymentCredentialFactory(user=user)
    services.deployment_create(actor=user, project=project, provider="vercel")
    monkeypatch.setattr(deployments, "DEPLOYMENT_IN_PROGRESS", ())  # the check sees nothing
    response = client_for(user).post(
        f"/api/v1/projects/{project.pk}/deployments/", {"provider": "vercel"}
    )
    assert_error(response, 409, "deployment_in_progress")
    assert Deployment.objects.count() == 1


def test_the_one_restoring_race_is_an_invalid_state_transition(project):
    ProjectSnapshotFactory(project=project, restoring=True)
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        ProjectSnapshotFactory(project=project, restoring=True)
    response = exception_handler(caught.value, {})
    assert response.status_code == 409
    assert response.data["code"] == "invalid_state_transition"


def test_every_model_has_a_factory_and_an_admin():
    """A guard for the next model: it needs a factory (tests) and an admin (staff)."""
    from django.contrib import admin

    from tests.projects import factories

    models = domain_models("projects")
    with_factory = {
        getattr(factories, name)._meta.model
        for name in dir(factories)
        if name.endswith("Factory") and name != "UserFactory"
    }
    assert models == with_factory
    assert models <= set(admin.site._registry)
