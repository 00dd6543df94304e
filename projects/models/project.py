"""Project (DATA_MODEL.md §3.1)."""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone

from config.audit import audited
from config.models import BaseModel, contains_index
from config.validators import JsonValidator
from projects import conf
from projects.models.common import OctetLength, random_suffix, save_with_generated_name, slug_base
from projects.validators import validate_git_remote_url

DESCRIPTION_MAX_CHARS = 10_000
DIAGRAM_MAX_BYTES = 100 * 1024


class EnvironmentStatus(models.TextChoices):
    ACTIVE = "active"
    STOPPING = "stopping"
    HIBERNATED = "hibernated"
    STARTING = "starting"
    ERROR = "error"


class ProjectQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The projects `user` may see through the API: their own (DATA_MODEL.md §3)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(owner=user)


@audited()
class Project(BaseModel):
    owner = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="projects", db_index=False
    )
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=60, unique=True, editable=False)
    description = models.TextField(blank=True, max_length=DESCRIPTION_MAX_CHARS)
    has_git_repo = models.BooleanField(default=False)
    git_remote_url = models.URLField(
        max_length=500, blank=True, validators=[validate_git_remote_url]
    )
    architecture_diagram = models.TextField(blank=True)
    settings = models.JSONField(default=dict, blank=True, validators=[JsonValidator()])
    network_name = models.CharField(max_length=80, unique=True, editable=False)
    environment_status = models.CharField(
        max_length=12, choices=EnvironmentStatus, default=EnvironmentStatus.ACTIVE
    )
    environment_status_changed_at = models.DateTimeField(default=timezone.now)
    last_activity = models.DateTimeField(null=True, blank=True)
    hibernated_at = models.DateTimeField(null=True, blank=True)
    s3_archive_size_bytes = models.BigIntegerField(null=True, blank=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        permissions = [
            ("report_runtime_state", "Can report the runtime state of any project"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(environment_status__in=EnvironmentStatus.values),
                name="projects_project_environment_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(environment_status=EnvironmentStatus.HIBERNATED)
                | Q(hibernated_at__isnull=False),
                name="projects_project_hibernated_has_time",
            ),
            models.CheckConstraint(
                condition=Q(s3_archive_size_bytes__isnull=True) | Q(s3_archive_size_bytes__gte=0),
                name="projects_project_archive_size_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(name__regex=r"\S"), name="projects_project_name_not_blank"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("description"), DESCRIPTION_MAX_CHARS),
                name="projects_project_description_length",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(OctetLength("architecture_diagram"), DIAGRAM_MAX_BYTES),
                name="projects_project_diagram_size",
            ),
        ]
        indexes = [
            contains_index("name", "slug", name="projects_project_search"),
            models.Index(fields=["owner", "-updated_at"]),
            models.Index(fields=["environment_status", "last_activity"]),
            models.Index(fields=["environment_status", "environment_status_changed_at"]),
        ]

    def __str__(self):
        return f"{self.name} ({self.slug})"

    def save(self, *args, **kwargs):
        """Gives a new project its slug and network name (PRJ-1), retrying a clash."""
        if not self._state.adding or self.slug:
            if not self.network_name:
                self.network_name = self.network_name_for(self.slug)
            return super().save(*args, **kwargs)
        base = slug_base(self.name)

        def generate(attempt):
            self.slug = f"{base}-{random_suffix()}"
            self.network_name = self.network_name_for(self.slug)

        return save_with_generated_name(self, generate, {"slug", "network_name"}, *args, **kwargs)

    @staticmethod
    def network_name_for(slug):
        return f"{conf.get('PROJECT_NETWORK_PREFIX')}{slug}"[:80]
