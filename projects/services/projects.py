"""Project services: creation, deletion, the environment state machine, activity (PRJ-1 to 8)."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from config.exceptions import InvalidStateTransition, NotFound, require
from projects import conf
from projects.models import (
    Container,
    ContainerStatus,
    DeploymentMode,
    EnvironmentStatus,
    Project,
    SnapshotStatus,
    SnapshotType,
)
from projects.permissions import user_can_run_project, user_can_work_on
from projects.services.locks import lock_project
from projects.services.snapshots import snapshot_create
from projects.signals import environment_status_changed

# PRJ-4: for each target state, the states it may be reached from.
ENVIRONMENT_SOURCES = {
    EnvironmentStatus.STOPPING: (EnvironmentStatus.ACTIVE, EnvironmentStatus.ERROR),
    EnvironmentStatus.HIBERNATED: (EnvironmentStatus.STOPPING,),
    EnvironmentStatus.STARTING: (EnvironmentStatus.HIBERNATED, EnvironmentStatus.ERROR),
    EnvironmentStatus.ACTIVE: (EnvironmentStatus.STARTING,),
    EnvironmentStatus.ERROR: (EnvironmentStatus.STOPPING, EnvironmentStatus.STARTING),
}
UNDELETABLE_STATES = (EnvironmentStatus.STOPPING, EnvironmentStatus.STARTING)
ACTIVITY_RESOLUTION = timedelta(seconds=60)


def project_create(
    *,
    actor,
    owner,
    name,
    description="",
    has_git_repo=False,
    git_remote_url="",
    architecture_diagram="",
    settings=None,
):
    """PRJ-2: an `active` project with its slug and network name (PRJ-1)."""
    now = timezone.now()
    project = Project(
        owner=owner,
        name=name,
        description=description,
        has_git_repo=has_git_repo,
        git_remote_url=git_remote_url,
        architecture_diagram=architecture_diagram,
        settings=settings if settings is not None else {},
        environment_status=EnvironmentStatus.ACTIVE,
        environment_status_changed_at=now,
        last_activity=now,
    )
    with transaction.atomic():
        project.save()
    return project


def project_delete(*, actor, project):
    """PRJ-8: refused while the runtime is stopping or starting the project."""
    require(user_can_work_on(actor, project, "projects.delete_project"))
    with transaction.atomic():
        status = lock_project(project.pk)
        if status in UNDELETABLE_STATES:
            raise InvalidStateTransition(
                f"A project cannot be deleted while it is {status}; try again in a moment."
            )
        project.delete()


def project_environment_transition(*, project, to, actor, archive_size_bytes=None, snapshot=None):
    """PRJ-4, PRJ-5: moves the project's environment to `to`, with the side effects.

    `archive_size_bytes` and `snapshot` (a dict of `snapshot_name`, `size_bytes`, `label`) are
    what the runtime reports with `hibernated`. With no actor the move is the platform's own
    (the idle and stuck sweeps).
    """
    require(actor is None or user_can_run_project(actor, project))
    now = timezone.now()
    changes = {"environment_status": to, "environment_status_changed_at": now, "updated_at": now}
    if to == EnvironmentStatus.HIBERNATED:
        changes["hibernated_at"] = now
        if archive_size_bytes is not None:
            changes["s3_archive_size_bytes"] = archive_size_bytes
    elif to == EnvironmentStatus.ACTIVE:
        changes.update(hibernated_at=None, last_activity=now)
    with transaction.atomic():
        # The lock tells the signal which state the project left; the UPDATE stays
        # conditional, so the rule holds in the statement that changes the row.
        old = lock_project(project.pk)
        moved = Project.objects.filter(
            pk=project.pk, environment_status__in=ENVIRONMENT_SOURCES[to]
        ).update(**changes)
        if not moved:
            raise InvalidStateTransition(
                f"The project is already {to}."
                if old == to
                else f"A project that is {old} cannot become {to}."
            )
        if to == EnvironmentStatus.HIBERNATED:
            Container.objects.filter(
                project=project, deployment_mode=DeploymentMode.CONTAINER
            ).exclude(status=ContainerStatus.STOPPED).update(
                status=ContainerStatus.STOPPED, updated_at=now
            )
            if snapshot is not None:
                snapshot_create(
                    actor=actor,
                    project=project,
                    snapshot_type=SnapshotType.HIBERNATION,
                    status=SnapshotStatus.READY,
                    **snapshot,
                )
        project.refresh_from_db()
        environment_status_changed.send(sender=Project, project=project, old=old, new=to)
    return project


def project_touch(*, actor, project, now=None):
    """PRJ-7: records activity at most once a minute, and only while the project is active.

    `updated_at` is left alone: activity is telemetry, not an edit of the project. With no actor
    the touch is the consequence of another service's act (a message posted), checked there.
    """
    require(actor is None or user_can_run_project(actor, project))
    now = now or timezone.now()
    return bool(
        Project.objects.filter(pk=project.pk, environment_status=EnvironmentStatus.ACTIVE)
        .filter(Q(last_activity__isnull=True) | Q(last_activity__lt=now - ACTIVITY_RESOLUTION))
        .update(last_activity=now)
    )


def _transition_each(project_ids, to):
    """Moves each project through the transition service in its own transaction; a project a
    user moved in the meantime is skipped, not an error."""
    moved = 0
    for project in Project.objects.filter(pk__in=project_ids).iterator():
        try:
            project_environment_transition(project=project, to=to, actor=None)
        except (InvalidStateTransition, NotFound):
            continue
        moved += 1
    return moved


def projects_hibernate_idle(*, now=None):
    """PRJ-6: `active` projects idle for PROJECT_IDLE_MINUTES start stopping."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=conf.get("PROJECT_IDLE_MINUTES"))
    idle = Project.objects.filter(
        environment_status=EnvironmentStatus.ACTIVE, last_activity__lt=cutoff
    ).values_list("pk", flat=True)
    return _transition_each(list(idle), EnvironmentStatus.STOPPING)


def projects_fail_stuck(*, now=None):
    """PRJ-6: projects stopping or starting for longer than PROJECT_STUCK_MINUTES → `error`."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=conf.get("PROJECT_STUCK_MINUTES"))
    stuck = Project.objects.filter(
        environment_status__in=UNDELETABLE_STATES, environment_status_changed_at__lt=cutoff
    ).values_list("pk", flat=True)
    return _transition_each(list(stuck), EnvironmentStatus.ERROR)
