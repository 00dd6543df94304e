"""Deployment services: creation with its credential and version, and the status machine
(PRJ-70 to PRJ-72, PRJ-100)."""

from django.db import transaction
from django.db.models import Case, F, IntegerField, Max, Q, Value, When
from django.db.models.functions import Cast, Extract
from django.utils import timezone

from config.exceptions import DomainError, InvalidStateTransition, require
from projects.errors import DeploymentInProgress, MissingCredential
from projects.models import (
    DEPLOYMENT_COMPLETED,
    DEPLOYMENT_IN_PROGRESS,
    Deployment,
    DeploymentCredential,
    DeploymentEnvironment,
    DeploymentStatus,
)
from projects.permissions import user_can_report_runtime_state, user_can_work_on
from projects.services.locks import lock_project

# PRJ-71: for each target status, the statuses it may be reached from.
DEPLOYMENT_SOURCES = {
    DeploymentStatus.DEPLOYING: (DeploymentStatus.PENDING,),
    DeploymentStatus.DEPLOYED: (DeploymentStatus.DEPLOYING,),
    DeploymentStatus.FAILED: (DeploymentStatus.PENDING, DeploymentStatus.DEPLOYING),
}


def deployment_credential_for(project, provider):
    """PRJ-70: the owner's credential scoped to this project, else the owner's default."""
    return (
        DeploymentCredential.objects.filter(user_id=project.owner_id, provider=provider)
        .filter(Q(project=project) | Q(project__isnull=True))
        .order_by(F("project").asc(nulls_last=True))
        .only("pk")
        .first()
    )


def deployment_create(
    *,
    actor,
    project,
    provider,
    container=None,
    environment=DeploymentEnvironment.PRODUCTION,
    snapshot=None,
):
    """PRJ-70, PRJ-72, PRJ-100: a `pending` deployment with the project's next version.

    The version is the project's highest plus one, read under the project row's lock, so
    concurrent creates take turns and none skips or repeats a number; a create refused later
    in the transaction gives its number back. A production deployment is one in progress per
    project and provider: the check gives the common case a clear answer, and two creates racing
    past it meet the partial unique index, which answers with the same 409.
    """
    require(user_can_work_on(actor, project, "projects.add_deployment"))
    if container is not None and container.project_id != project.pk:
        raise DomainError(fields={"container": ["Choose a container of this project."]})
    if snapshot is not None and snapshot.project_id != project.pk:
        raise DomainError(fields={"snapshot": ["Choose a snapshot of this project."]})
    credential = deployment_credential_for(project, provider)
    if credential is None:
        raise MissingCredential()
    with transaction.atomic():
        lock_project(project.pk)
        deployments = Deployment.objects.filter(project=project)
        if environment == DeploymentEnvironment.PRODUCTION and (
            deployments.filter(
                provider=provider,
                environment=environment,
                status__in=DEPLOYMENT_IN_PROGRESS,
            ).exists()
        ):
            raise DeploymentInProgress()
        latest = deployments.aggregate(latest=Max("version"))["latest"] or 0
        return Deployment.objects.create(
            project=project,
            provider=provider,
            environment=environment,
            version=latest + 1,
            container=container,
            snapshot=snapshot,
            credential=credential,
            triggered_by=actor,
        )


def deployment_report_status(
    *,
    actor,
    deployment,
    status,
    deployment_url=None,
    provider_deployment_id=None,
    error=None,
    error_phase=None,
    deployment_metadata=None,
):
    """The runtime's report (PRJ-71, PRJ-100): `deploying` sets `started_at`; `deployed` and
    `failed` set `completed_at` and, after a start, `build_duration_ms`. With no actor the
    report is the platform's own (the demo data)."""
    require(actor is None or user_can_report_runtime_state(actor))
    now = timezone.now()
    changes = {"status": status, "updated_at": now}
    if status == DeploymentStatus.DEPLOYING:
        changes["started_at"] = now
    if status in DEPLOYMENT_COMPLETED:
        changes["completed_at"] = now
        changes["build_duration_ms"] = Case(
            When(
                started_at__isnull=False,
                then=Cast(Extract(Value(now) - F("started_at"), "epoch") * 1000, IntegerField()),
            ),
            default=None,
        )
    optional = {
        "deployment_url": deployment_url,
        "provider_deployment_id": provider_deployment_id,
        "error": error,
        "error_phase": error_phase,
        "deployment_metadata": deployment_metadata,
    }
    changes.update({field: value for field, value in optional.items() if value is not None})
    with transaction.atomic():
        moved = Deployment.objects.filter(
            pk=deployment.pk, status__in=DEPLOYMENT_SOURCES[status]
        ).update(**changes)
        if not moved:
            raise InvalidStateTransition(f"This deployment cannot become {status} from its status.")
    deployment.refresh_from_db()
    return deployment
