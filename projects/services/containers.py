"""Container services: creation, edits, secrets and the status machine (PRJ-20 to PRJ-25), and
connections between containers (PRJ-30, PRJ-31)."""

from django.db import transaction
from django.utils import timezone

from config.exceptions import DomainError, InvalidStateTransition, require
from projects.errors import ProjectNotActive
from projects.models import (
    ConnectorType,
    Container,
    ContainerConnection,
    ContainerStatus,
    ContainerType,
    DeploymentMode,
    EnvironmentStatus,
)
from projects.permissions import (
    user_can_report_runtime_state,
    user_can_run_project,
    user_can_work_on,
)
from projects.services.locks import lock_project
from projects.validators import ENV_MAX_ENTRIES, environment_errors

# PRJ-21: for each target status, the statuses it may be reached from. External containers
# are `connected`, which is no source, so they never move.
CONTAINER_SOURCES = {
    ContainerStatus.STARTING: (ContainerStatus.STOPPED, ContainerStatus.FAILED),
    ContainerStatus.RUNNING: (ContainerStatus.STARTING,),
    ContainerStatus.FAILED: (ContainerStatus.STARTING, ContainerStatus.RUNNING),
    ContainerStatus.STOPPED: (
        ContainerStatus.RUNNING,
        ContainerStatus.STARTING,
        ContainerStatus.FAILED,
    ),
}
CONTAINER_FIELDS = {
    "name",
    "directory",
    "port",
    "internal_port",
    "environment_vars",
    "external_endpoint",
    "is_primary",
    "position_x",
    "position_y",
}


def _merge_secrets(current, changes):
    """PRJ-23: a name with a string is set, a name with null is removed."""
    errors = environment_errors(changes, allow_null=True)
    if errors:
        raise DomainError(
            fields={f"secrets.{name}" if name else "secrets": m for name, m in errors.items()}
        )
    merged = {**current, **changes}
    merged = {name: value for name, value in merged.items() if value is not None}
    if len(merged) > ENV_MAX_ENTRIES:
        raise DomainError(fields={"secrets": [f"Use at most {ENV_MAX_ENTRIES} secrets."]})
    return merged


def _clear_primary(project_id, keep_id=None):
    """PRJ-24, under the project lock so two containers cannot both become primary."""
    lock_project(project_id)
    Container.objects.filter(project_id=project_id, is_primary=True).exclude(pk=keep_id).update(
        is_primary=False, updated_at=timezone.now()
    )


def container_create(
    *,
    actor,
    project,
    name,
    container_type=ContainerType.BASE,
    service_slug="",
    deployment_mode=DeploymentMode.CONTAINER,
    directory="",
    port=None,
    internal_port=None,
    environment_vars=None,
    external_endpoint="",
    is_primary=False,
    position_x=0.0,
    position_y=0.0,
    secrets=None,
    base=None,
):
    """A container, custom or built from a marketplace `base` (which only marketplace services
    pass: projects code never imports the marketplace, DATA_MODEL.md 1.7); external ones are
    `connected` from the start (PRJ-21)."""
    container = Container(
        project=project,
        base=base,
        name=name,
        container_type=container_type,
        service_slug=service_slug,
        deployment_mode=deployment_mode,
        directory=directory,
        port=port,
        internal_port=internal_port,
        environment_vars=environment_vars or {},
        external_endpoint=external_endpoint,
        is_primary=is_primary,
        position_x=position_x,
        position_y=position_y,
        status=Container.initial_status(deployment_mode),
        encrypted_secrets=_merge_secrets({}, secrets or {}),
    )
    with transaction.atomic():
        if is_primary:
            _clear_primary(project.pk)
        container.save()
    return container


def connection_create(
    *,
    actor,
    project,
    source_container,
    target_container,
    connector_type=ConnectorType.ENV_INJECTION,
    config=None,
    label="",
):
    """A connection between two containers of `project`. Its rules (PRJ-30, PRJ-31) are field
    rules, checked by the caller's serializer or, for a workflow template, when the template
    was saved (MKT-18); the constraints back them."""
    with transaction.atomic():
        return ContainerConnection.objects.create(
            project=project,
            source_container=source_container,
            target_container=target_container,
            connector_type=connector_type,
            config=config if config is not None else {},
            label=label,
        )


def container_update(*, actor, container, secrets=None, **changes):
    """Edits the writable fields; `is_primary` (PRJ-24) and `secrets` (PRJ-23) follow their rules.

    The secrets column is encrypted, so it cannot be merged in SQL: the row is locked, read,
    merged and written back.
    """
    require(user_can_work_on(actor, container.project, "projects.change_container"))
    unknown = set(changes) - CONTAINER_FIELDS
    if unknown:
        raise TypeError(f"Not writable through container_update: {sorted(unknown)}")
    with transaction.atomic():
        if changes.get("is_primary"):
            _clear_primary(container.project_id, keep_id=container.pk)
        if secrets:
            current = (
                Container.objects.select_for_update()
                .values_list("encrypted_secrets", flat=True)
                .get(pk=container.pk)
            )
            changes["encrypted_secrets"] = _merge_secrets(current, secrets)
        for field, value in changes.items():
            setattr(container, field, value)
        container.save(update_fields=[*changes, "updated_at"])
    return container


def _move_container(container, to):
    moved = Container.objects.filter(pk=container.pk, status__in=CONTAINER_SOURCES[to]).update(
        status=to, updated_at=timezone.now()
    )
    if not moved:
        raise InvalidStateTransition(f"This container cannot become {to} from its status.")
    container.refresh_from_db()
    return container


def _owner_container_move(container, to):
    """PRJ-22: the owner starts and stops containers only while the project is active."""
    with transaction.atomic():
        if lock_project(container.project_id) != EnvironmentStatus.ACTIVE:
            raise ProjectNotActive()
        return _move_container(container, to)


def container_start(*, actor, container):
    require(user_can_run_project(actor, container.project, "projects.change_container"))
    return _owner_container_move(container, ContainerStatus.STARTING)


def container_stop(*, actor, container):
    require(user_can_run_project(actor, container.project, "projects.change_container"))
    return _owner_container_move(container, ContainerStatus.STOPPED)


def container_report_status(*, actor, container, status):
    """The runtime's report (PRJ-21): `running`, `failed` or `stopped`. With no actor the report
    is the platform's own (the demo data)."""
    require(actor is None or user_can_report_runtime_state(actor))
    with transaction.atomic():
        return _move_container(container, status)
