"""Deployment services: creation with its credential and the status machine (PRJ-70 to PRJ-72)."""

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from config.exceptions import DomainError, InvalidStateTransition, require
from projects.errors import DeploymentInProgress, MissingCredential
from projects.models import (
    DEPLOYMENT_COMPLETED,
    DEPLOYMENT_IN_PROGRESS,
    Deployment,
    DeploymentCredential,
    DeploymentStatus,
)
from projects.permissions import user_can_work_on

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


def deployment_create(*, actor, project, provider, container=None):
    """PRJ-70, PRJ-72: a `pending` deployment, one in progress per project and provider.

    The check gives the common case a clear answer; two creates racing past it meet the
    partial unique index, which the API answers with the same 409 (DeploymentInProgress).
    """
    require(user_can_work_on(actor, project, "projects.add_deployment"))
    if container is not None and container.project_id != project.pk:
        raise DomainError(fields={"container": ["Choose a container of this project."]})
    credential = deployment_credential_for(project, provider)
    if credential is None:
        raise MissingCredential()
    in_progress = Deployment.objects.filter(
        project=project, provider=provider, status__in=DEPLOYMENT_IN_PROGRESS
    )
    if in_progress.exists():
        raise DeploymentInProgress()
    with transaction.atomic():
        return Deployment.objects.create(
            project=project,
            provider=provider,
            container=container,
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
    deployment_metadata=None,
):
    """The runtime's report (PRJ-71); `deployed` and `failed` set `completed_at`."""
    now = timezone.now()
    changes = {"status": status, "updated_at": now}
    if status in DEPLOYMENT_COMPLETED:
        changes["completed_at"] = now
    optional = {
        "deployment_url": deployment_url,
        "provider_deployment_id": provider_deployment_id,
        "error": error,
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
