"""ProjectDatabase (DATA_MODEL.md §3.13)."""

from django.db import models
from django.db.models import Q
from django_cryptography.fields import encrypt

from config.audit import audited
from config.encryption import SecretFieldsModel
from config.models import BaseModel
from config.validators import JsonValidator
from projects.validators import validate_provider_metadata


class DatabaseProvider(models.TextChoices):
    NEON = "neon"
    SUPABASE = "supabase"
    POSTGRES = "postgres", "PostgreSQL"


@audited()
class ProjectDatabase(SecretFieldsModel, BaseModel):
    """A database a project's app uses: provisioned by the runtime (a Neon or Supabase branch)
    or brought by the owner (PRJ-120 to PRJ-122)."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="databases"
    )
    container = models.ForeignKey(
        "projects.Container",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="databases",
    )
    provider = models.CharField(max_length=8, choices=DatabaseProvider)
    connection_string = encrypt(models.TextField())
    connection_string_last4 = models.CharField(max_length=4, blank=True)
    host = models.CharField(max_length=255, blank=True)
    database_name = models.CharField(max_length=63)
    role_name = models.CharField(max_length=63, blank=True)
    branch_name = models.CharField(max_length=255, blank=True)
    is_active = models.BooleanField(default=True)
    metadata = models.JSONField(
        default=dict, blank=True, validators=[JsonValidator(rules=(validate_provider_metadata,))]
    )

    secret_fields = ("connection_string",)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(provider__in=DatabaseProvider.values),
                name="projects_database_provider_valid",
            ),
            models.UniqueConstraint(
                fields=["project", "provider", "database_name"],
                condition=Q(is_active=True),
                name="projects_database_active_unique",
            ),
        ]

    def __str__(self):
        return f"{self.get_provider_display()} database {self.database_name}"
