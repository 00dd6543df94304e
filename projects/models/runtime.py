"""ProjectSnapshot, Deployment and ProjectDomain (DATA_MODEL.md §3.7, §3.8, §3.11)."""

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


class DeploymentEnvironment(models.TextChoices):
    PREVIEW = "preview"
    PRODUCTION = "production"


class DeploymentErrorPhase(models.TextChoices):
    UPLOAD = "upload"
    BUILD = "build"
    DEPLOY = "deploy"
    DNS = "dns", "DNS"


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
    environment = models.CharField(
        max_length=10,
        choices=DeploymentEnvironment,
        default=DeploymentEnvironment.PRODUCTION,
        db_default=DeploymentEnvironment.PRODUCTION,
    )
    # PRJ-100: allocated under the project row's lock; null only on rows made before versions.
    version = models.PositiveIntegerField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    build_duration_ms = models.PositiveIntegerField(null=True, blank=True)
    error_phase = models.CharField(
        max_length=6, choices=DeploymentErrorPhase, blank=True, default="", db_default=""
    )
    snapshot = models.ForeignKey(
        "projects.ProjectSnapshot",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deployments",
        db_index=False,
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(provider__in=DeploymentProvider.values),
                name="projects_deployment_provider_valid",
            ),
            models.CheckConstraint(
                condition=Q(environment__in=DeploymentEnvironment.values),
                name="projects_deployment_environment_valid",
            ),
            models.CheckConstraint(
                condition=Q(error_phase__in=["", *DeploymentErrorPhase.values]),
                name="projects_deployment_error_phase_valid",
            ),
            # Partial, so the migration could build it CONCURRENTLY on the live table.
            models.UniqueConstraint(
                fields=["project", "version"],
                condition=Q(version__isnull=False),
                name="projects_deployment_version_unique",
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
            # PRJ-72: production only; previews (one per branch) may build side by side.
            models.UniqueConstraint(
                fields=["project", "provider"],
                condition=Q(
                    status__in=DEPLOYMENT_IN_PROGRESS,
                    environment=DeploymentEnvironment.PRODUCTION,
                ),
                name="projects_deployment_one_in_progress",
            ),
        ]
        indexes = [
            models.Index(fields=["project", "created_at"]),
            # The admin home's failed deployments of the past week.
            models.Index(fields=["status", "created_at"]),
            # SET_NULL when a snapshot is purged reads its deployments.
            models.Index(
                fields=["snapshot"],
                condition=Q(snapshot__isnull=False),
                name="projects_deployment_snapshot",
            ),
        ]

    def __str__(self):
        version = f" v{self.version}" if self.version else ""
        return f"{self.provider} deployment{version} ({self.status})"


class DomainStatus(models.TextChoices):
    PENDING = "pending"
    ACTIVE = "active"
    FAILED = "failed"


# PRJ-101: one lowercase DNS label (RFC 1035 letters, digits, inner hyphens).
SUBDOMAIN_RE = r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"


@audited()
class ProjectDomain(BaseModel):
    """A project's subdomain of the platform's domain (PRJ-101 to PRJ-104)."""

    project = models.OneToOneField(
        "projects.Project", on_delete=models.CASCADE, related_name="domain"
    )
    subdomain = models.CharField(max_length=63)
    full_domain = models.CharField(max_length=253)
    # null: the project's current production deployment.
    deployment = models.ForeignKey(
        "projects.Deployment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="domains",
    )
    dns_status = models.CharField(max_length=7, choices=DomainStatus, default=DomainStatus.PENDING)
    ssl_status = models.CharField(max_length=7, choices=DomainStatus, default=DomainStatus.PENDING)
    provider_record_id = models.CharField(max_length=255, blank=True)
    claimed_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    claimed_at = models.DateTimeField()

    class Meta:
        permissions = [("release_domain", "Can release a project's domain")]
        constraints = [
            models.CheckConstraint(
                condition=Q(subdomain__regex=SUBDOMAIN_RE),
                name="projects_domain_subdomain_label",
            ),
            models.CheckConstraint(
                condition=Q(dns_status__in=DomainStatus.values),
                name="projects_domain_dns_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(ssl_status__in=DomainStatus.values),
                name="projects_domain_ssl_status_valid",
            ),
            models.UniqueConstraint(fields=["subdomain"], name="projects_domain_subdomain_unique"),
            models.UniqueConstraint(
                fields=["full_domain"], name="projects_domain_full_domain_unique"
            ),
        ]

    def __str__(self):
        return self.full_domain
