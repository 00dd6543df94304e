"""The canvas: Container, ContainerConnection, BrowserPreview (DATA_MODEL.md §3.2 to §3.4)."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django_cryptography.fields import encrypt

from config.audit import audited
from config.models import BaseModel
from config.validators import JsonValidator, validate_public_https_url
from projects.models.common import random_suffix, save_with_generated_name, valid_path_condition
from projects.validators import (
    CONTAINER_NAME_RE,
    PREVIEW_PATH_RE,
    connection_config_errors,
    validate_environment_vars,
    validate_preview_path,
    validate_relative_path,
)


class ContainerType(models.TextChoices):
    BASE = "base"
    SERVICE = "service"


class DeploymentMode(models.TextChoices):
    CONTAINER = "container"
    EXTERNAL = "external"


class ContainerStatus(models.TextChoices):
    STOPPED = "stopped"
    STARTING = "starting"
    RUNNING = "running"
    FAILED = "failed"
    CONNECTED = "connected"


PORT_VALIDATORS = [MinValueValidator(1), MaxValueValidator(65535)]
DEFAULT_PORT = 3000


def port_in_range(field_name):
    return Q(**{f"{field_name}__isnull": True}) | Q(**{f"{field_name}__range": (1, 65535)})


@audited()
class Container(BaseModel):
    """One service of a project. `base` (→ marketplace.MarketplaceBase) arrives with the
    marketplace app's migration; until then every container is a custom one."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="containers", db_index=False
    )
    name = models.CharField(
        max_length=63,
        validators=[
            RegexValidator(CONTAINER_NAME_RE, "Lower-case letters, digits and inner hyphens.")
        ],
    )
    directory = models.CharField(max_length=255, blank=True, validators=[validate_relative_path])
    container_name = models.CharField(max_length=63, unique=True, editable=False)
    port = models.PositiveIntegerField(null=True, blank=True, validators=PORT_VALIDATORS)
    internal_port = models.PositiveIntegerField(null=True, blank=True, validators=PORT_VALIDATORS)
    environment_vars = models.JSONField(
        default=dict, blank=True, validators=[JsonValidator(rules=(validate_environment_vars,))]
    )
    encrypted_secrets = encrypt(
        models.JSONField(
            default=dict, blank=True, validators=[JsonValidator(rules=(validate_environment_vars,))]
        )
    )
    container_type = models.CharField(
        max_length=10, choices=ContainerType, default=ContainerType.BASE
    )
    service_slug = models.CharField(max_length=50, blank=True)
    # The one key against the app dependency flow (DATA_MODEL.md 1.7): projects code never
    # imports marketplace; marketplace services build containers from bases.
    base = models.ForeignKey(
        "marketplace.MarketplaceBase",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="containers",
    )
    deployment_mode = models.CharField(
        max_length=10, choices=DeploymentMode, default=DeploymentMode.CONTAINER
    )
    external_endpoint = models.URLField(
        max_length=500, blank=True, validators=[validate_public_https_url]
    )
    status = models.CharField(
        max_length=10, choices=ContainerStatus, default=ContainerStatus.STOPPED
    )
    is_primary = models.BooleanField(default=False)
    position_x = models.FloatField(default=0)
    position_y = models.FloatField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(container_type__in=ContainerType.values),
                name="projects_container_container_type_valid",
            ),
            models.CheckConstraint(
                condition=Q(deployment_mode__in=DeploymentMode.values),
                name="projects_container_deployment_mode_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ContainerStatus.values),
                name="projects_container_status_valid",
            ),
            models.UniqueConstraint(
                fields=["project", "name"], name="projects_container_name_unique"
            ),
            models.UniqueConstraint(
                fields=["project"],
                condition=Q(is_primary=True),
                name="projects_container_one_primary",
            ),
            models.CheckConstraint(
                condition=port_in_range("port") & port_in_range("internal_port"),
                name="projects_container_ports_in_range",
            ),
            models.CheckConstraint(
                condition=~Q(container_type=ContainerType.SERVICE) | ~Q(service_slug=""),
                name="projects_container_service_has_slug",
            ),
            models.CheckConstraint(
                condition=~Q(deployment_mode=DeploymentMode.EXTERNAL) | ~Q(external_endpoint=""),
                name="projects_container_external_has_endpoint",
            ),
            models.CheckConstraint(
                condition=(
                    Q(deployment_mode=DeploymentMode.EXTERNAL, status=ContainerStatus.CONNECTED)
                    | (
                        ~Q(deployment_mode=DeploymentMode.EXTERNAL)
                        & ~Q(status=ContainerStatus.CONNECTED)
                    )
                ),
                name="projects_container_connected_iff_external",
            ),
            models.CheckConstraint(
                condition=Q(name__regex=CONTAINER_NAME_RE), name="projects_container_name_valid"
            ),
            models.CheckConstraint(
                condition=valid_path_condition("directory", blank=True),
                name="projects_container_directory_valid",
            ),
        ]

    def __str__(self):
        return self.container_name or self.name

    def save(self, *args, **kwargs):
        """Gives a new container its Docker/K8s name, `<project slug>-<name>` (§3.2)."""
        if not self._state.adding or self.container_name:
            return super().save(*args, **kwargs)
        wanted = f"{self.project.slug}-{self.name}"[:63].rstrip("-")

        def generate(attempt):
            # The plain name first; a random suffix only after a clash.
            suffix = f"-{random_suffix()}" if attempt else ""
            self.container_name = f"{wanted[: 63 - len(suffix)].rstrip('-')}{suffix}"

        return save_with_generated_name(self, generate, {"container_name"}, *args, **kwargs)

    def validate_constraints(self, exclude=None):
        # PRJ-24: making a container primary clears the others (the services do it under the
        # project lock), so a second primary is not an input error here; the constraint
        # still refuses it in the database.
        super().validate_constraints(exclude={*(exclude or ()), "is_primary"})

    @property
    def effective_port(self):
        return effective_port(self.container_type, self.internal_port, self.port)

    @property
    def secret_names(self):
        return secret_names(self.encrypted_secrets)

    @staticmethod
    def initial_status(deployment_mode):
        """External containers are `connected` for life; the others start `stopped`."""
        if deployment_mode == DeploymentMode.EXTERNAL:
            return ContainerStatus.CONNECTED
        return ContainerStatus.STOPPED


def effective_port(container_type, internal_port, port):
    """PRJ-20: the one place the port fallback is written (also for `.values()` rows). The
    3000 default is a dev server's; a service (a database, a queue) has no such default, so
    one without a port has none (`None`)."""
    fallback = None if container_type == ContainerType.SERVICE else DEFAULT_PORT
    return internal_port or port or fallback


def secret_names(secrets):
    """What the API shows of a container's secrets: their names, never their values."""
    return sorted(secrets or {})


class ConnectorType(models.TextChoices):
    ENV_INJECTION = "env_injection"
    HTTP_API = "http_api"
    DATABASE = "database"
    MESSAGE_QUEUE = "message_queue"
    WEBSOCKET = "websocket"
    CACHE = "cache"
    DEPENDS_ON = "depends_on"


@audited()
class ContainerConnection(BaseModel):
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="container_connections"
    )
    source_container = models.ForeignKey(
        "projects.Container",
        on_delete=models.CASCADE,
        related_name="connections_from",
        db_index=False,
    )
    target_container = models.ForeignKey(
        "projects.Container", on_delete=models.CASCADE, related_name="connections_to"
    )
    connector_type = models.CharField(
        max_length=20, choices=ConnectorType, default=ConnectorType.ENV_INJECTION
    )
    config = models.JSONField(
        default=dict, blank=True, validators=[JsonValidator(max_bytes=16 * 1024)]
    )
    label = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(connector_type__in=ConnectorType.values),
                name="projects_connection_connector_type_valid",
            ),
            models.CheckConstraint(
                condition=~Q(source_container=models.F("target_container")),
                name="projects_connection_not_self",
            ),
            models.UniqueConstraint(
                fields=["source_container", "target_container", "connector_type"],
                name="projects_connection_unique",
            ),
        ]

    def __str__(self):
        return f"{self.source_container_id} → {self.target_container_id} ({self.connector_type})"

    def clean(self):
        """PRJ-30, PRJ-31 for forms (admin); the API's serializers check the same."""
        super().clean()
        ends = {
            "source_container": self.source_container_id,
            "target_container": self.target_container_id,
        }
        foreign = set(
            Container.objects.filter(pk__in=ends.values())
            .exclude(project_id=self.project_id)
            .values_list("pk", flat=True)
        )
        errors = {
            field: ["Choose a container of this project."]
            for field, container_id in ends.items()
            if container_id in foreign
        }
        config_errors = connection_config_errors(self.connector_type, self.config)
        if config_errors:
            errors["config"] = [f"{path}: {m[0]}" for path, m in config_errors.items()]
        if errors:
            raise ValidationError(errors)


@audited()
class BrowserPreview(BaseModel):
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="browser_previews"
    )
    connected_container = models.ForeignKey(
        "projects.Container",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="browser_previews",
    )
    position_x = models.FloatField(default=0)
    position_y = models.FloatField(default=0)
    current_path = models.CharField(
        max_length=2048, default="/", validators=[validate_preview_path]
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(current_path__regex=PREVIEW_PATH_RE),
                name="projects_preview_current_path_valid",
            ),
        ]

    def __str__(self):
        return f"Preview {self.current_path}"

    def clean(self):
        """PRJ-35 for forms (admin); the API's serializer scopes the container the same way."""
        super().clean()
        container = self.connected_container
        if container is not None and container.project_id != self.project_id:
            raise ValidationError({"connected_container": ["Choose a container of this project."]})
