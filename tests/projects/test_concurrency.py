"""Writes that must stay exact under concurrent requests (DATA_MODEL.md §1.7), against real
PostgreSQL with real threads: each thread has its own connection and transaction."""

import pytest

from config.exceptions import InvalidStateTransition, StaleVersion
from projects import services
from projects.errors import SnapshotLimitReached
from projects.models import (
    Container,
    Deployment,
    EnvironmentStatus,
    Project,
    ProjectDomain,
    ProjectFile,
    ProjectSnapshot,
    SnapshotStatus,
)
from projects.signals import environment_status_changed
from tests.concurrency import outcomes_in_threads
from tests.projects.factories import (
    ContainerFactory,
    DeploymentCredentialFactory,
    ProjectFactory,
    ProjectFileFactory,
    ProjectSnapshotFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8


def test_prj_4_concurrent_hibernates_move_the_project_once(user):
    project = ProjectFactory(owner=user)
    signals = []

    def record(sender, old, new, **kwargs):
        signals.append((old, new))

    environment_status_changed.connect(record)
    try:
        results = outcomes_in_threads(
            THREADS,
            lambda _: services.project_environment_transition(
                project=Project.objects.get(pk=project.pk),
                to=EnvironmentStatus.STOPPING,
                actor=user,
            ),
        )
    finally:
        environment_status_changed.disconnect(record)
    refused = [r for r in results if isinstance(r, InvalidStateTransition)]
    assert len(refused) == THREADS - 1, results
    assert signals == [(EnvironmentStatus.ACTIVE, EnvironmentStatus.STOPPING)]
    assert Project.objects.get(pk=project.pk).environment_status == EnvironmentStatus.STOPPING


def test_prj_72_concurrent_deploys_give_one_201_and_409s(client_for, user):
    project = ProjectFactory(owner=user)
    DeploymentCredentialFactory(user=user)
    clients = [client_for(user) for _ in range(THREADS)]
    url = f"/api/v1/projects/{project.pk}/deployments/"
    responses = outcomes_in_threads(THREADS, lambda i: clients[i].post(url, {"provider": "vercel"}))
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * (THREADS - 1)
    codes = {r.json()["code"] for r in responses if r.status_code == 409}
    assert codes == {"deployment_in_progress"}
    assert Deployment.objects.filter(project=project).count() == 1


def test_prj_42_concurrent_upserts_of_one_path_make_one_row(user):
    project = ProjectFactory(owner=user)
    results = outcomes_in_threads(
        THREADS,
        lambda i: services.file_upsert(
            actor=user, project=project, file_path="src/a.ts", content=f"v{i}"
        ),
    )
    assert sum(created for _, created in results) == 1, results
    file = ProjectFile.objects.get(project=project)
    assert file.version == THREADS


def test_optimistic_version_lets_exactly_one_writer_win(user):
    file = ProjectFileFactory(project=ProjectFactory(owner=user), content="base")
    results = outcomes_in_threads(
        THREADS,
        lambda i: services.file_update(
            actor=user, file=ProjectFile.objects.get(pk=file.pk), content=f"v{i}", version=1
        ),
    )
    stale = [r for r in results if isinstance(r, StaleVersion)]
    assert len(stale) == THREADS - 1, results
    file.refresh_from_db()
    assert file.version == 2
    assert file.content in {f"v{i}" for i in range(THREADS)}


def test_prj_24_concurrent_primaries_leave_exactly_one(user):
    project = ProjectFactory(owner=user)
    containers = ContainerFactory.create_batch(THREADS, project=project)
    results = outcomes_in_threads(
        THREADS,
        lambda i: services.container_update(actor=user, container=containers[i], is_primary=True),
    )
    assert not [r for r in results if isinstance(r, Exception)], results
    assert Container.objects.filter(project=project, is_primary=True).count() == 1


def test_prj_61_concurrent_snapshots_never_exceed_the_limit(user):
    project = ProjectFactory(owner=user)
    ProjectSnapshotFactory.create_batch(5, project=project, ready=True)
    results = outcomes_in_threads(
        THREADS, lambda _: services.snapshot_create(actor=user, project=project)
    )
    # Five ready snapshots make room for five new ones; then only pending ones are left.
    refused = [r for r in results if isinstance(r, SnapshotLimitReached)]
    assert len(refused) == THREADS - 5, results
    live = ProjectSnapshot.objects.filter(project=project).exclude(status=SnapshotStatus.DELETED)
    assert live.count() == 5
    assert live.filter(status=SnapshotStatus.PENDING).count() == 5


def test_prj_62_concurrent_restores_start_one(client_for, user):
    project = ProjectFactory(owner=user, hibernated=True)
    snapshots = ProjectSnapshotFactory.create_batch(THREADS, project=project, ready=True)
    clients = [client_for(user) for _ in range(THREADS)]
    responses = outcomes_in_threads(
        THREADS,
        lambda i: clients[i].post(
            f"/api/v1/projects/{project.pk}/snapshots/{snapshots[i].pk}/restore/"
        ),
    )
    assert sorted(r.status_code for r in responses) == [202] + [409] * (THREADS - 1)
    assert ProjectSnapshot.objects.filter(status=SnapshotStatus.RESTORING).count() == 1


def test_prj_100_twenty_concurrent_deployments_get_versions_1_to_20(client_for, user):
    project = ProjectFactory(owner=user)
    DeploymentCredentialFactory(user=user)
    clients = [client_for(user) for _ in range(20)]
    url = f"/api/v1/projects/{project.pk}/deployments/"
    responses = outcomes_in_threads(
        20, lambda i: clients[i].post(url, {"provider": "vercel", "environment": "preview"})
    )
    assert [response.status_code for response in responses] == [201] * 20
    versions = sorted(Deployment.objects.filter(project=project).values_list("version", flat=True))
    assert versions == list(range(1, 21))


def test_prj_102_twenty_concurrent_claims_of_one_subdomain_one_wins(client_for):
    projects = [ProjectFactory() for _ in range(20)]
    clients = [client_for(project.owner) for project in projects]
    responses = outcomes_in_threads(
        20,
        lambda i: clients[i].put(
            f"/api/v1/projects/{projects[i].pk}/domain/", {"subdomain": "contested"}
        ),
    )
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * 19
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"already_exists"}
    assert ProjectDomain.objects.filter(subdomain="contested").count() == 1
