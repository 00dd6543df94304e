"""DeploymentCredential and GitProviderCredential (DATA_MODEL.md §3.9, §3.10)."""

from django.db import models
from django.db.models import Q
from django_cryptography.fields import encrypt

from config.audit import audited
from config.encryption import SecretFieldsModel
from config.models import BaseModel
from config.validators import JsonValidator
from projects.validators import validate_provider_metadata


class CredentialProvider(models.TextChoices):
    VERCEL = "vercel"
    NETLIFY = "netlify"
    CLOUDFLARE = "cloudflare"
    SUPABASE = "supabase"


class OwnedQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A user's own credentials; never anyone else's."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)


@audited()
class DeploymentCredential(SecretFieldsModel, BaseModel):
    user = models.ForeignKey(
        "accounts.User",
        on_delete=models.CASCADE,
        related_name="deployment_credentials",
        db_index=False,
    )
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deployment_credentials",
    )
    provider = models.CharField(max_length=12, choices=CredentialProvider)
    access_token_encrypted = encrypt(models.TextField())
    access_token_encrypted_last4 = models.CharField(max_length=4, blank=True)
    provider_metadata = models.JSONField(
        default=dict, blank=True, validators=[JsonValidator(rules=(validate_provider_metadata,))]
    )

    secret_fields = ("access_token_encrypted",)
    objects = OwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(provider__in=CredentialProvider.values),
                name="projects_deploycred_provider_valid",
            ),
            models.UniqueConstraint(
                fields=["user", "provider", "project"],
                nulls_distinct=False,
                name="projects_deploycred_unique",
            ),
        ]

    def __str__(self):
        scope = "default" if self.project_id is None else "project"
        return f"{self.provider} credential ({scope})"


class GitProvider(models.TextChoices):
    GITHUB = "github"
    GITLAB = "gitlab"
    BITBUCKET = "bitbucket"


@audited()
class GitProviderCredential(SecretFieldsModel, BaseModel):
    user = models.ForeignKey(
        "accounts.User",
        on_delete=models.CASCADE,
        related_name="git_provider_credentials",
        db_index=False,
    )
    provider = models.CharField(max_length=10, choices=GitProvider)
    access_token = encrypt(models.TextField())
    access_token_last4 = models.CharField(max_length=4, blank=True)
    refresh_token = encrypt(models.TextField(null=True, blank=True))
    refresh_token_last4 = models.CharField(max_length=4, blank=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    scope = models.CharField(max_length=500, blank=True)
    provider_username = models.CharField(max_length=255)
    provider_email = models.EmailField(max_length=255, blank=True)
    provider_user_id = models.CharField(max_length=100, blank=True)

    secret_fields = ("access_token", "refresh_token")
    objects = OwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(provider__in=GitProvider.values),
                name="projects_gitcred_provider_valid",
            ),
            models.UniqueConstraint(
                fields=["user", "provider"], name="projects_gitcred_one_per_provider"
            ),
        ]

    def __str__(self):
        return f"{self.provider}: {self.provider_username}"
