"""Snapshot services: creation with rotation, restore and the status machine (PRJ-60 to PRJ-63)."""

from datetime import timedelta

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from config.exceptions import InvalidStateTransition, require
from projects import conf
from projects.errors import SnapshotAlreadyRestoring, SnapshotLimitReached
from projects.models import EnvironmentStatus, ProjectSnapshot, SnapshotStatus, SnapshotType
from projects.permissions import user_can_report_runtime_state, user_can_work_on
from projects.services.locks import lock_project

# PRJ-60: for each target status, the statuses it may be reached from.
SNAPSHOT_SOURCES = {
    SnapshotStatus.READY: (SnapshotStatus.PENDING, SnapshotStatus.RESTORING),
    SnapshotStatus.ERROR: (SnapshotStatus.PENDING, SnapshotStatus.RESTORING),
    SnapshotStatus.RESTORING: (SnapshotStatus.READY,),
    SnapshotStatus.DELETED: (SnapshotStatus.READY, SnapshotStatus.ERROR),
}


def snapshot_create(
    *,
    actor,
    project,
    snapshot_type=SnapshotType.MANUAL,
    status=SnapshotStatus.PENDING,
    label="",
    snapshot_name="",
    size_bytes=None,
):
    """PRJ-61: at most PROJECT_MAX_SNAPSHOTS live snapshots; the oldest `ready` ones make room.

    Under the project lock, so concurrent creations cannot overshoot the limit.
    """
    now = timezone.now()
    with transaction.atomic():
        lock_project(project.pk)
        live = ProjectSnapshot.objects.filter(project=project).exclude(
            status=SnapshotStatus.DELETED
        )
        surplus = live.count() + 1 - conf.get("PROJECT_MAX_SNAPSHOTS")
        if surplus > 0:
            oldest_ready = list(
                live.filter(status=SnapshotStatus.READY)
                .order_by("created_at", "id")
                .values_list("pk", flat=True)[:surplus]
            )
            if len(oldest_ready) < surplus:
                raise SnapshotLimitReached()
            ProjectSnapshot.objects.filter(pk__in=oldest_ready).update(
                status=SnapshotStatus.DELETED, updated_at=now
            )
        return ProjectSnapshot.objects.create(
            project=project,
            created_by=actor if snapshot_type == SnapshotType.MANUAL else None,
            snapshot_type=snapshot_type,
            status=status,
            label=label,
            snapshot_name=snapshot_name,
            size_bytes=size_bytes,
            ready_at=now if status == SnapshotStatus.READY else None,
        )


def _move_snapshot(snapshot, to, **changes):
    moved = ProjectSnapshot.objects.filter(pk=snapshot.pk, status__in=SNAPSHOT_SOURCES[to]).update(
        status=to, updated_at=timezone.now(), **changes
    )
    if not moved:
        raise InvalidStateTransition(f"This snapshot cannot become {to} from its status.")
    snapshot.refresh_from_db()
    return snapshot


def snapshot_restore(*, actor, snapshot):
    """PRJ-62: a `ready` snapshot of a hibernated project, one restore at a time."""
    require(user_can_work_on(actor, snapshot.project, "projects.change_projectsnapshot"))
    with transaction.atomic():
        if lock_project(snapshot.project_id) != EnvironmentStatus.HIBERNATED:
            raise InvalidStateTransition("Hibernate the project before restoring a snapshot.")
        restoring = ProjectSnapshot.objects.filter(
            project_id=snapshot.project_id, status=SnapshotStatus.RESTORING
        )
        if restoring.exists():
            raise SnapshotAlreadyRestoring()
        return _move_snapshot(snapshot, SnapshotStatus.RESTORING)


def snapshot_delete(*, actor, snapshot):
    """PRJ-63: the row is kept as `deleted`; pending and restoring snapshots stay."""
    require(user_can_work_on(actor, snapshot.project, "projects.delete_projectsnapshot"))
    with transaction.atomic():
        return _move_snapshot(snapshot, SnapshotStatus.DELETED)


def snapshot_report_status(*, actor, snapshot, status, snapshot_name=None, size_bytes=None):
    """The runtime's report (PRJ-60): `ready` (first readiness sets `ready_at`) or `error`."""
    require(user_can_report_runtime_state(actor))
    changes = {}
    if status == SnapshotStatus.READY:
        changes["ready_at"] = Coalesce(F("ready_at"), Value(timezone.now()))
    if snapshot_name is not None:
        changes["snapshot_name"] = snapshot_name
    if size_bytes is not None:
        changes["size_bytes"] = size_bytes
    with transaction.atomic():
        return _move_snapshot(snapshot, status, **changes)


def snapshots_purge_deleted(*, now=None):
    """PRJ-63: rows `deleted` for longer than SNAPSHOT_PURGE_DAYS go for good."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=conf.get("SNAPSHOT_PURGE_DAYS"))
    with transaction.atomic():
        deleted, _ = ProjectSnapshot.objects.filter(
            status=SnapshotStatus.DELETED, updated_at__lt=cutoff
        ).delete()
    return deleted
