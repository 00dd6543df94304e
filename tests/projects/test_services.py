"""The projects services against the database: state machines and their side effects (PRJ-*)."""

from datetime import timedelta
from itertools import product
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, connection
from django.utils import timezone

from config.exceptions import DomainError, InvalidStateTransition, StaleVersion
from projects import services
from projects.errors import (
    DeploymentInProgress,
    MissingCredential,
    ProjectNotActive,
    SnapshotAlreadyRestoring,
    SnapshotLimitReached,
)
from projects.models import (
    BrowserPreview,
    Container,
    ContainerConnection,
    ContainerStatus,
    Deployment,
    DeploymentStatus,
    EnvironmentStatus,
    Project,
    ProjectAsset,
    ProjectSnapshot,
    SnapshotStatus,
    SnapshotType,
)
from projects.signals import environment_status_changed
from tests.projects.factories import (
    BrowserPreviewFactory,
    ContainerConnectionFactory,
    ContainerFactory,
    DeploymentCredentialFactory,
    DeploymentFactory,
    ProjectAssetFactory,
    ProjectFactory,
    ProjectFileFactory,
    ProjectSnapshotFactory,
)

pytestmark = pytest.mark.django_db

ENV = EnvironmentStatus
PRJ_4_ALLOWED = {
    (ENV.ACTIVE, ENV.STOPPING),
    (ENV.STOPPING, ENV.HIBERNATED),
    (ENV.STOPPING, ENV.ERROR),
    (ENV.HIBERNATED, ENV.STARTING),
    (ENV.STARTING, ENV.ACTIVE),
    (ENV.STARTING, ENV.ERROR),
    (ENV.ERROR, ENV.STARTING),
    (ENV.ERROR, ENV.STOPPING),
}


def project_in(status, **kwargs):
    extra = {"hibernated_at": timezone.now()} if status == ENV.HIBERNATED else {}
    return ProjectFactory(environment_status=status, **extra, **kwargs)


# --- PRJ-4, PRJ-5 environment ----------------------------------------------------------------


@pytest.mark.parametrize(("source", "target"), list(product(ENV.values, ENV.values)))
def test_prj_4_only_the_table_s_transitions_happen(source, target):
    project = project_in(source)
    before = Project.objects.values().get(pk=project.pk)
    if (source, target) in PRJ_4_ALLOWED:
        services.project_environment_transition(project=project, to=target, actor=None)
        assert Project.objects.get(pk=project.pk).environment_status == target
    else:
        with pytest.raises(InvalidStateTransition):
            services.project_environment_transition(project=project, to=target, actor=None)
        assert Project.objects.values().get(pk=project.pk) == before


def test_prj_5_every_transition_stamps_the_change_and_signals_inside_the_transaction():
    project = project_in(ENV.ACTIVE)
    seen = []

    def receiver(sender, project, old, new, **kwargs):
        seen.append((project.environment_status, old, new, connection.in_atomic_block))

    environment_status_changed.connect(receiver)
    try:
        before = timezone.now()
        services.project_environment_transition(project=project, to=ENV.STOPPING, actor=None)
    finally:
        environment_status_changed.disconnect(receiver)
    project.refresh_from_db()
    assert project.environment_status_changed_at >= before
    assert project.updated_at >= before
    assert seen == [(ENV.STOPPING, ENV.ACTIVE, ENV.STOPPING, True)]


def test_prj_5_entering_hibernated_records_archive_stops_containers_and_keeps_the_snapshot():
    project = project_in(ENV.STOPPING)
    running = ContainerFactory(project=project, running=True)
    external = ContainerFactory(project=project, external=True)
    services.project_environment_transition(
        project=project,
        to=ENV.HIBERNATED,
        actor=None,
        archive_size_bytes=1234,
        snapshot={"snapshot_name": "snap-9", "size_bytes": 99, "label": "nightly"},
    )
    project.refresh_from_db()
    assert project.hibernated_at is not None
    assert project.s3_archive_size_bytes == 1234
    assert Container.objects.get(pk=running.pk).status == ContainerStatus.STOPPED
    assert Container.objects.get(pk=external.pk).status == ContainerStatus.CONNECTED
    snapshot = ProjectSnapshot.objects.get(project=project)
    assert snapshot.snapshot_type == SnapshotType.HIBERNATION
    assert snapshot.status == SnapshotStatus.READY
    assert (snapshot.snapshot_name, snapshot.size_bytes, snapshot.label) == (
        "snap-9",
        99,
        "nightly",
    )
    assert snapshot.ready_at is not None and snapshot.created_by is None


def test_prj_5_entering_active_clears_hibernated_at_and_touches_activity():
    project = project_in(ENV.STARTING, last_activity=timezone.now() - timedelta(days=3))
    Project.objects.filter(pk=project.pk).update(hibernated_at=timezone.now())
    services.project_environment_transition(project=project, to=ENV.ACTIVE, actor=None)
    project.refresh_from_db()
    assert project.hibernated_at is None
    assert timezone.now() - project.last_activity < timedelta(seconds=5)


def test_prj_5_a_refused_transition_sends_no_signal():
    project = project_in(ENV.HIBERNATED)
    seen = []
    environment_status_changed.connect(seen.append)
    try:
        with pytest.raises(InvalidStateTransition):
            services.project_environment_transition(project=project, to=ENV.STOPPING, actor=None)
    finally:
        environment_status_changed.disconnect(seen.append)
    assert seen == []


# --- PRJ-2, PRJ-6, PRJ-7, PRJ-8 --------------------------------------------------------------


def test_prj_2_creation_is_active_with_activity_and_network(user):
    project = services.project_create(actor=user, owner=user, name="New thing")
    assert project.environment_status == ENV.ACTIVE
    assert project.last_activity is not None
    assert project.network_name == f"tesslate-{project.slug}"


def test_prj_6_idle_job_moves_only_idle_active_projects(settings):
    settings.PROJECT_IDLE_MINUTES = 60
    old = timezone.now() - timedelta(minutes=61)
    idle = project_in(ENV.ACTIVE, last_activity=old)
    busy = project_in(ENV.ACTIVE)
    hibernated = project_in(ENV.HIBERNATED, last_activity=old)
    assert services.projects_hibernate_idle() == 1
    statuses = dict(Project.objects.values_list("pk", "environment_status"))
    assert statuses == {
        idle.pk: ENV.STOPPING,
        busy.pk: ENV.ACTIVE,
        hibernated.pk: ENV.HIBERNATED,
    }


def test_prj_6_stuck_job_fails_projects_stopping_or_starting_over_ten_minutes(capsys):
    long_ago = timezone.now() - timedelta(minutes=11)
    stuck_stop = project_in(ENV.STOPPING, environment_status_changed_at=long_ago)
    stuck_start = project_in(ENV.STARTING, environment_status_changed_at=long_ago)
    fresh = project_in(ENV.STOPPING)
    call_command("fail_stuck_projects")
    statuses = dict(Project.objects.values_list("pk", "environment_status"))
    assert statuses[stuck_stop.pk] == statuses[stuck_start.pk] == ENV.ERROR
    assert statuses[fresh.pk] == ENV.STOPPING
    assert "Marked 2 project(s)" in capsys.readouterr().out


def test_prj_6_idle_job_command_reports(settings, capsys):
    settings.PROJECT_IDLE_MINUTES = 1
    project_in(ENV.ACTIVE, last_activity=timezone.now() - timedelta(minutes=5))
    call_command("hibernate_idle_projects")
    assert "Hibernating 1 project(s)" in capsys.readouterr().out


def test_prj_7_touch_writes_at_most_once_a_minute_and_only_while_active():
    now = timezone.now()
    project = project_in(ENV.ACTIVE, last_activity=now - timedelta(seconds=30))
    assert services.project_touch(actor=project.owner, project=project, now=now) is False
    assert services.project_touch(
        actor=project.owner, project=project, now=now + timedelta(seconds=31)
    )
    hibernated = project_in(ENV.HIBERNATED, last_activity=now - timedelta(days=1))
    assert services.project_touch(actor=hibernated.owner, project=hibernated, now=now) is False


def test_prj_7_touch_leaves_updated_at_alone():
    project = project_in(ENV.ACTIVE, last_activity=timezone.now() - timedelta(hours=1))
    updated_at = Project.objects.get(pk=project.pk).updated_at
    services.project_touch(actor=project.owner, project=project)
    assert Project.objects.get(pk=project.pk).updated_at == updated_at


@pytest.mark.parametrize("status", [ENV.STOPPING, ENV.STARTING])
def test_prj_8_delete_is_refused_while_stopping_or_starting(status):
    project = project_in(status)
    with pytest.raises(InvalidStateTransition):
        services.project_delete(actor=project.owner, project=project)
    assert Project.objects.filter(pk=project.pk).exists()


def test_prj_8_delete_cascades_to_everything_under_the_project(django_capture_on_commit_callbacks):
    project = project_in(ENV.HIBERNATED)
    connection_ = ContainerConnectionFactory(project=project)
    BrowserPreviewFactory(project=project, connected_container=connection_.source_container)
    ProjectFileFactory(project=project)
    asset = ProjectAssetFactory(project=project)
    ProjectSnapshotFactory(project=project)
    DeploymentFactory(project=project)
    DeploymentCredentialFactory(user=project.owner, project=project)
    stored = Path(asset.file.path)
    with django_capture_on_commit_callbacks(execute=True):
        services.project_delete(actor=project.owner, project=project)
    for model in (Container, ContainerConnection, BrowserPreview, ProjectAsset, Deployment):
        assert not model.objects.exists(), model
    assert not project.owner.deployment_credentials.exists()
    assert not stored.exists()


# --- PRJ-21 … PRJ-25 containers --------------------------------------------------------------

CS = ContainerStatus
OWNER_MOVES = {(CS.STOPPED, CS.STARTING), (CS.FAILED, CS.STARTING)} | {
    (source, CS.STOPPED) for source in (CS.RUNNING, CS.STARTING, CS.FAILED)
}
SERVICE_MOVES = {
    (CS.STARTING, CS.RUNNING),
    (CS.STARTING, CS.FAILED),
    (CS.RUNNING, CS.FAILED),
} | {(source, CS.STOPPED) for source in (CS.RUNNING, CS.STARTING, CS.FAILED)}
NOT_CONNECTED = [s for s in CS.values if s != CS.CONNECTED]


@pytest.mark.parametrize(
    ("source", "target"), list(product(NOT_CONNECTED, [CS.STARTING, CS.STOPPED]))
)
def test_prj_21_owner_start_and_stop(source, target):
    container = ContainerFactory(status=source)
    move = services.container_start if target == CS.STARTING else services.container_stop
    if (source, target) in OWNER_MOVES:
        assert move(actor=container.project.owner, container=container).status == target
    else:
        with pytest.raises(InvalidStateTransition):
            move(actor=container.project.owner, container=container)
        assert Container.objects.get(pk=container.pk).status == source


@pytest.mark.parametrize(
    ("source", "target"), list(product(NOT_CONNECTED, [CS.RUNNING, CS.FAILED, CS.STOPPED]))
)
def test_prj_21_runtime_reports(source, target, service_account):
    container = ContainerFactory(status=source)
    if (source, target) in SERVICE_MOVES:
        services.container_report_status(actor=service_account, container=container, status=target)
        assert Container.objects.get(pk=container.pk).status == target
    else:
        with pytest.raises(InvalidStateTransition):
            services.container_report_status(
                actor=service_account, container=container, status=target
            )


@pytest.mark.parametrize("target", [CS.RUNNING, CS.FAILED, CS.STOPPED])
def test_prj_21_external_containers_never_change_status(target, service_account):
    container = ContainerFactory(external=True)
    with pytest.raises(InvalidStateTransition):
        services.container_report_status(actor=service_account, container=container, status=target)


def test_prj_21_external_containers_are_created_connected(project):
    container = services.container_create(
        actor=None,
        project=project,
        name="db",
        deployment_mode="external",
        external_endpoint="https://db.example.com",
    )
    assert container.status == CS.CONNECTED


@pytest.mark.parametrize("status", [ENV.STOPPING, ENV.HIBERNATED, ENV.STARTING, ENV.ERROR])
def test_prj_22_start_and_stop_need_an_active_project(status):
    container = ContainerFactory(project=project_in(status))
    with pytest.raises(ProjectNotActive):
        services.container_start(actor=container.project.owner, container=container)
    running = ContainerFactory(project=container.project, running=True)
    with pytest.raises(ProjectNotActive):
        services.container_stop(actor=running.project.owner, container=running)


def test_connection_create_defaults_to_env_injection_with_empty_config(project):
    source = ContainerFactory(project=project)
    target = ContainerFactory(project=project)
    connection_ = services.connection_create(
        actor=source.project.owner,
        project=project,
        source_container=source,
        target_container=target,
    )
    stored = ContainerConnection.objects.get(pk=connection_.pk)
    assert (stored.project_id, stored.source_container_id, stored.target_container_id) == (
        project.pk,
        source.pk,
        target.pk,
    )
    assert (stored.connector_type, stored.config, stored.label) == ("env_injection", {}, "")


def test_prj_23_secrets_merge_set_and_remove(project):
    container = services.container_create(
        actor=project.owner, project=project, name="api", secrets={"A": "1", "B": "2"}
    )
    services.container_update(
        actor=container.project.owner, container=container, secrets={"B": None, "C": "3"}
    )
    assert Container.objects.get(pk=container.pk).encrypted_secrets == {"A": "1", "C": "3"}


def test_prj_23_secret_names_and_values_follow_the_rules(project, settings):
    container = ContainerFactory(project=project)
    with pytest.raises(DomainError) as caught:
        services.container_update(
            actor=container.project.owner, container=container, secrets={"1BAD": "x"}
        )
    assert "secrets.1BAD" in caught.value.fields
    too_many = {f"S{i}": "v" for i in range(201)}
    with pytest.raises(DomainError):
        services.container_update(
            actor=container.project.owner, container=container, secrets=too_many
        )
    assert Container.objects.get(pk=container.pk).encrypted_secrets == {}


def test_prj_24_making_a_container_primary_clears_the_others(project):
    first = services.container_create(actor=None, project=project, name="a", is_primary=True)
    second = services.container_create(actor=None, project=project, name="b", is_primary=True)
    assert not Container.objects.get(pk=first.pk).is_primary
    services.container_update(actor=first.project.owner, container=first, is_primary=True)
    primaries = list(Container.objects.filter(is_primary=True).values_list("pk", flat=True))
    assert primaries == [first.pk]
    assert not Container.objects.get(pk=second.pk).is_primary


def test_prj_25_deleting_a_container_removes_its_edges_and_unlinks_the_rest(project):
    connection_ = ContainerConnectionFactory(project=project)
    container = connection_.target_container
    preview = BrowserPreviewFactory(project=project, connected_container=container)
    deployment = DeploymentFactory(project=project, container=container)
    container.delete()
    assert not ContainerConnection.objects.exists()
    assert BrowserPreview.objects.get(pk=preview.pk).connected_container is None
    assert Deployment.objects.get(pk=deployment.pk).container is None


# --- PRJ-41 … PRJ-43 files -------------------------------------------------------------------


def test_prj_42_upsert_creates_then_updates_with_a_new_version(project):
    file, created = services.file_upsert(
        actor=project.owner, project=project, file_path="a.txt", content="one"
    )
    assert created and file.version == 1 and file.size_bytes == 3
    again, created = services.file_upsert(
        actor=project.owner, project=project, file_path="a.txt", content="twö", version=1
    )
    assert not created and again.pk == file.pk
    assert (again.version, again.content, again.size_bytes) == (2, "twö", 4)


def test_prj_42_upsert_with_a_stale_version_changes_nothing(project):
    file = ProjectFileFactory(project=project, file_path="a.txt", content="one")
    with pytest.raises(StaleVersion):
        services.file_upsert(
            actor=project.owner, project=project, file_path="a.txt", content="x", version=7
        )
    file.refresh_from_db()
    assert (file.content, file.version) == ("one", 1)


def test_prj_41_content_over_the_limit_is_refused(project, settings):
    settings.PROJECT_FILE_MAX_BYTES = 4
    with pytest.raises(DomainError) as caught:
        services.file_create(actor=project.owner, project=project, file_path="a", content="ééé")
    assert "content" in caught.value.fields


def test_file_update_is_optimistic(project):
    file = ProjectFileFactory(project=project, content="one")
    services.file_update(actor=file.project.owner, file=file, content="two", version=1)
    with pytest.raises(StaleVersion):
        services.file_update(actor=file.project.owner, file=file, content="three", version=1)
    file.refresh_from_db()
    assert (file.content, file.version) == ("two", 2)
    services.file_update(actor=file.project.owner, file=file, file_path="renamed.txt")
    file.refresh_from_db()
    assert (file.file_path, file.version, file.content) == ("renamed.txt", 3, "two")


# --- PRJ-50 … PRJ-53 assets ------------------------------------------------------------------


def test_prj_53_deleting_an_asset_removes_the_bytes_after_commit(
    project, django_capture_on_commit_callbacks
):
    asset = services.asset_upload(
        actor=project.owner,
        project=project,
        upload=SimpleUploadedFile("a.txt", b"hello"),
        filename="a.txt",
        directory="/public",
    )
    stored = Path(asset.file.path)
    assert stored.read_bytes() == b"hello"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        asset.delete()
    assert stored.exists()  # not before the commit
    for callback in callbacks:
        callback()
    assert not stored.exists()


def test_prj_53_a_failed_insert_leaves_no_stored_bytes(project, settings):
    ProjectAssetFactory(project=project, filename="a.txt", directory="/public")
    with pytest.raises(IntegrityError):
        services.asset_upload(
            actor=project.owner,
            project=project,
            upload=SimpleUploadedFile("a.txt", b"hello"),
            filename="a.txt",
            directory="/public",
        )
    stored = list(Path(settings.MEDIA_ROOT).rglob("*"))
    assert len([p for p in stored if p.is_file()]) == 1


# --- PRJ-60 … PRJ-63 snapshots ---------------------------------------------------------------

SS = SnapshotStatus
PRJ_60_ALLOWED = {
    (SS.PENDING, SS.READY),
    (SS.PENDING, SS.ERROR),
    (SS.RESTORING, SS.READY),
    (SS.RESTORING, SS.ERROR),
}


@pytest.mark.parametrize(("source", "target"), list(product(SS.values, [SS.READY, SS.ERROR])))
def test_prj_60_runtime_reports(source, target, service_account):
    now = timezone.now()
    ready_at = now - timedelta(days=1) if source in (SS.READY, SS.RESTORING) else None
    snapshot = ProjectSnapshotFactory(status=source, ready_at=ready_at)
    if (source, target) in PRJ_60_ALLOWED:
        services.snapshot_report_status(
            actor=service_account, snapshot=snapshot, status=target, snapshot_name="s", size_bytes=5
        )
        snapshot.refresh_from_db()
        assert (snapshot.status, snapshot.snapshot_name, snapshot.size_bytes) == (target, "s", 5)
        if target == SS.READY:
            # The first readiness sets ready_at; a finished restore keeps it.
            assert snapshot.ready_at == (ready_at or snapshot.ready_at)
            assert snapshot.ready_at is not None
    else:
        with pytest.raises(InvalidStateTransition):
            services.snapshot_report_status(actor=service_account, snapshot=snapshot, status=target)


@pytest.mark.parametrize("source", SS.values)
def test_prj_63_delete_marks_ready_and_error_snapshots_deleted_and_keeps_the_row(source):
    ready_at = timezone.now() if source in (SS.READY, SS.RESTORING) else None
    snapshot = ProjectSnapshotFactory(status=source, ready_at=ready_at)
    if source in (SS.READY, SS.ERROR):
        services.snapshot_delete(actor=snapshot.project.owner, snapshot=snapshot)
        assert ProjectSnapshot.objects.get(pk=snapshot.pk).status == SS.DELETED
    else:
        with pytest.raises(InvalidStateTransition):
            services.snapshot_delete(actor=snapshot.project.owner, snapshot=snapshot)


def test_prj_63_purge_removes_rows_deleted_over_thirty_days_ago(capsys):
    old = ProjectSnapshotFactory(status=SS.DELETED)
    recent = ProjectSnapshotFactory(status=SS.DELETED)
    live = ProjectSnapshotFactory(ready=True)
    ProjectSnapshot.objects.filter(pk__in=[old.pk, live.pk]).update(
        updated_at=timezone.now() - timedelta(days=31)
    )
    call_command("purge_deleted_snapshots")
    assert "Purged 1 snapshot(s)" in capsys.readouterr().out
    assert set(ProjectSnapshot.objects.values_list("pk", flat=True)) == {recent.pk, live.pk}


def test_prj_61_a_sixth_snapshot_rotates_out_the_oldest_ready_one(project):
    ready = [ProjectSnapshotFactory(project=project, ready=True) for _ in range(3)]
    ProjectSnapshotFactory.create_batch(2, project=project)  # pending
    created = services.snapshot_create(actor=project.owner, project=project, label="new")
    statuses = dict(ProjectSnapshot.objects.values_list("pk", "status"))
    assert statuses[ready[0].pk] == SS.DELETED
    assert statuses[ready[1].pk] == statuses[ready[2].pk] == SS.READY
    assert statuses[created.pk] == SS.PENDING
    assert created.created_by == project.owner
    live = ProjectSnapshot.objects.filter(project=project).exclude(status=SS.DELETED)
    assert live.count() == 5


def test_prj_61_with_nothing_to_rotate_creation_is_refused(project, settings):
    settings.PROJECT_MAX_SNAPSHOTS = 2
    ProjectSnapshotFactory(project=project)
    ProjectSnapshotFactory(project=project, restoring=True)
    with pytest.raises(SnapshotLimitReached):
        services.snapshot_create(actor=None, project=project)
    assert ProjectSnapshot.objects.filter(project=project).count() == 2


def test_prj_62_restore_needs_a_ready_snapshot_and_a_hibernated_project():
    snapshot = ProjectSnapshotFactory(project=project_in(ENV.HIBERNATED), ready=True)
    assert (
        services.snapshot_restore(actor=snapshot.project.owner, snapshot=snapshot).status
        == SS.RESTORING
    )
    active = ProjectSnapshotFactory(project=project_in(ENV.ACTIVE), ready=True)
    with pytest.raises(InvalidStateTransition):
        services.snapshot_restore(actor=active.project.owner, snapshot=active)
    pending = ProjectSnapshotFactory(project=project_in(ENV.HIBERNATED))
    with pytest.raises(InvalidStateTransition):
        services.snapshot_restore(actor=pending.project.owner, snapshot=pending)


def test_prj_62_one_restore_at_a_time():
    project = project_in(ENV.HIBERNATED)
    ProjectSnapshotFactory(project=project, restoring=True)
    second = ProjectSnapshotFactory(project=project, ready=True)
    with pytest.raises(SnapshotAlreadyRestoring) as caught:
        services.snapshot_restore(actor=second.project.owner, snapshot=second)
    assert caught.value.code == "invalid_state_transition"


# --- PRJ-70 … PRJ-72 deployments -------------------------------------------------------------


def test_prj_70_project_credential_wins_over_the_default(project):
    DeploymentCredentialFactory(user=project.owner, project=None)
    scoped = DeploymentCredentialFactory(user=project.owner, project=project)
    deployment = services.deployment_create(actor=project.owner, project=project, provider="vercel")
    assert deployment.credential_id == scoped.pk
    assert (deployment.status, deployment.triggered_by) == (DeploymentStatus.PENDING, project.owner)


def test_prj_70_the_default_credential_is_used_without_a_project_one(project):
    default = DeploymentCredentialFactory(user=project.owner, project=None)
    DeploymentCredentialFactory(user=project.owner, project=None, provider="netlify")
    deployment = services.deployment_create(actor=project.owner, project=project, provider="vercel")
    assert deployment.credential_id == default.pk


def test_prj_70_no_credential_of_the_owner_is_missing_credential(project, other_user):
    DeploymentCredentialFactory(user=other_user, project=None)
    DeploymentCredentialFactory(user=project.owner, provider="netlify")
    with pytest.raises(MissingCredential):
        services.deployment_create(actor=project.owner, project=project, provider="vercel")


def test_prj_72_one_deployment_in_progress_per_provider(project):
    DeploymentCredentialFactory(user=project.owner, provider="vercel")
    DeploymentCredentialFactory(user=project.owner, provider="netlify")
    services.deployment_create(actor=project.owner, project=project, provider="vercel")
    with pytest.raises(DeploymentInProgress):
        services.deployment_create(actor=project.owner, project=project, provider="vercel")
    services.deployment_create(actor=project.owner, project=project, provider="netlify")


DS = DeploymentStatus
PRJ_71_ALLOWED = {
    (DS.PENDING, DS.DEPLOYING),
    (DS.DEPLOYING, DS.DEPLOYED),
    (DS.DEPLOYING, DS.FAILED),
    (DS.PENDING, DS.FAILED),
}


@pytest.mark.parametrize(
    ("source", "target"), list(product(DS.values, [DS.DEPLOYING, DS.DEPLOYED, DS.FAILED]))
)
def test_prj_71_deployment_machine(source, target):
    completed = {"completed_at": timezone.now()} if source in (DS.DEPLOYED, DS.FAILED) else {}
    extra = {"deployment_url": "https://x.example.com", "error": "e"}
    deployment = DeploymentFactory(status=source, **completed, **extra)
    report = {"deployment_url": "https://app.example.com", "error": "boom"}
    if (source, target) in PRJ_71_ALLOWED:
        services.deployment_report_status(
            actor=None, deployment=deployment, status=target, **report
        )
        deployment.refresh_from_db()
        assert deployment.status == target
        assert (deployment.completed_at is not None) == (target in (DS.DEPLOYED, DS.FAILED))
    else:
        with pytest.raises(InvalidStateTransition):
            services.deployment_report_status(
                actor=None, deployment=deployment, status=target, **report
            )
