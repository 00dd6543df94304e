"""ProjectSnapshot and Deployment (DATA_MODEL.md §3.7, §3.8)."""

from django.db import models
from django.db.models import Q

from config.audit import audited
from config.models import BaseModel
from config.validators import JsonValidator, validate_public_https_url


class SnapshotType(models.TextChoices):
    HIBERNATION = "hibernation"
    MANUAL = "manual"


class SnapshotStatus(models.TextChoices):
    PENDING = "pending"
    READY = "ready"
    RESTORING = "restoring"
    ERROR = "error"
    DELETED = "deleted"


@audited()
class ProjectSnapshot(BaseModel):
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="snapshots", db_index=False
    )
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    snapshot_type = models.CharField(max_length=12, choices=SnapshotType)
    status = models.CharField(max_length=10, choices=SnapshotStatus, default=SnapshotStatus.PENDING)
    label = models.CharField(max_length=255, blank=True)
    snapshot_name = models.CharField(max_length=255, blank=True)
    size_bytes = models.BigIntegerField(null=True, blank=True)
    ready_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(snapshot_type__in=SnapshotType.values),
                name="projects_snapshot_snapshot_type_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=SnapshotStatus.values),
                name="projects_snapshot_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(size_bytes__isnull=True) | Q(size_bytes__gte=0),
                name="projects_snapshot_size_non_negative",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[SnapshotStatus.READY, SnapshotStatus.RESTORING])
                | Q(ready_at__isnull=False),
                name="projects_snapshot_ready_has_time",
            ),
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(status=SnapshotStatus.RESTORING),
                name="projects_snapshot_one_restoring",
            ),
        ]
        indexes = [models.Index(fields=["project", "created_at"])]

    def __str__(self):
        return self.label or self.snapshot_name or f"{self.snapshot_type} snapshot"


class DeploymentProvider(models.TextChoices):
    VERCEL = "vercel"
    NETLIFY = "netlify"
    CLOUDFLARE = "cloudflare"


class DeploymentStatus(models.TextChoices):
    PENDING = "pending"
    DEPLOYING = "deploying"
    DEPLOYED = "deployed"
    FAILED = "failed"


DEPLOYMENT_IN_PROGRESS = (DeploymentStatus.PENDING, DeploymentStatus.DEPLOYING)
DEPLOYMENT_COMPLETED = (DeploymentStatus.DEPLOYED, DeploymentStatus.FAILED)


@audited()
class Deployment(BaseModel):
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="deployments", db_index=False
    )
    triggered_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deployments",
    )
    container = models.ForeignKey(
        "projects.Container",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deployments",
    )
    credential = models.ForeignKey(
        "projects.DeploymentCredential",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deployments",
    )
    provider = models.CharField(max_length=12, choices=DeploymentProvider)
    status = models.CharField(
        max_length=10, choices=DeploymentStatus, default=DeploymentStatus.PENDING
    )
    deployment_url = models.URLField(
        max_length=500, blank=True, validators=[validate_public_https_url]
    )
    provider_deployment_id = models.CharField(max_length=255, blank=True)
    error = models.TextField(blank=True)
    deployment_metadata = models.JSONField(default=dict, blank=True, validators=[JsonValidator()])
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(provider__in=DeploymentProvider.values),
                name="projects_deployment_provider_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=DeploymentStatus.values),
                name="projects_deployment_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status=DeploymentStatus.FAILED) | ~Q(error=""),
                name="projects_deployment_failed_has_error",
            ),
            models.CheckConstraint(
                condition=~Q(status=DeploymentStatus.DEPLOYED) | ~Q(deployment_url=""),
                name="projects_deployment_deployed_has_url",
            ),
            models.CheckConstraint(
                condition=Q(status__in=DEPLOYMENT_COMPLETED, completed_at__isnull=False)
                | (~Q(status__in=DEPLOYMENT_COMPLETED) & Q(completed_at__isnull=True)),
                name="projects_deployment_completed_has_time",
            ),
            models.UniqueConstraint(
                fields=["project", "provider"],
                condition=Q(status__in=DEPLOYMENT_IN_PROGRESS),
                name="projects_deployment_one_in_progress",
            ),
        ]
        indexes = [
            models.Index(fields=["project", "created_at"]),
            # The admin home's failed deployments of the past week.
            models.Index(fields=["status", "created_at"]),
        ]

    def __str__(self):
        return f"{self.provider} deployment ({self.status})"
