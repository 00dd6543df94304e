"""DeploymentCredential, GitProviderCredential and ConnectorCredential (DATA_MODEL.md §3.9,
§3.10, §3.12)."""

from django.db import models
from django.db.models import Q
from django_cryptography.fields import encrypt

from accounts.models import token_digest
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


class ConnectorKind(models.TextChoices):
    GOOGLE_DRIVE = "google_drive"
    SLACK = "slack"
    NOTION = "notion"
    GITHUB_APP = "github_app", "GitHub app"
    COMPOSIO = "composio"


class ConnectorStatus(models.TextChoices):
    PENDING = "pending"
    ACTIVE = "active"
    NEEDS_REAUTH = "needs_reauth", "Needs reauthorization"
    REVOKED = "revoked"


@audited()
class ConnectorCredential(SecretFieldsModel, BaseModel):
    """A user's link to an outside tool for their agents (PRJ-110 to PRJ-113)."""

    user = models.ForeignKey(
        "accounts.User",
        on_delete=models.CASCADE,
        related_name="connector_credentials",
        db_index=False,
    )
    connector_type = models.CharField(max_length=12, choices=ConnectorKind)
    account_label = models.CharField(max_length=255)
    access_token = encrypt(models.TextField())
    access_token_last4 = models.CharField(max_length=4, blank=True)
    refresh_token = encrypt(models.TextField(null=True, blank=True))
    refresh_token_last4 = models.CharField(max_length=4, blank=True)
    token_expires_at = models.DateTimeField(null=True, blank=True)
    scope = models.CharField(max_length=500, blank=True)
    # PRJ-111: how the runtime finds the row by the token it was handed, never by plaintext.
    # Every connector has a token, so every row has a digest (hence not null).
    token_digest = models.CharField(max_length=64, editable=False)
    endpoint_url = encrypt(models.TextField(blank=True))
    endpoint_url_last4 = models.CharField(max_length=4, blank=True)
    metadata = models.JSONField(
        default=dict, blank=True, validators=[JsonValidator(rules=(validate_provider_metadata,))]
    )
    enabled_tools = models.JSONField(
        default=list, blank=True, validators=[JsonValidator(kind=list)]
    )
    status = models.CharField(
        max_length=12, choices=ConnectorStatus, default=ConnectorStatus.PENDING
    )
    is_default = models.BooleanField(default=False)

    secret_fields = ("access_token", "refresh_token", "endpoint_url")
    objects = OwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(connector_type__in=ConnectorKind.values),
                name="projects_connector_connector_type_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ConnectorStatus.values),
                name="projects_connector_status_valid",
            ),
            models.UniqueConstraint(
                fields=["user", "connector_type", "account_label"],
                name="projects_connector_unique",
            ),
            models.UniqueConstraint(
                fields=["user", "connector_type"],
                condition=Q(is_default=True),
                name="projects_connector_one_default",
            ),
            models.UniqueConstraint(
                fields=["token_digest"], name="projects_connector_token_digest_unique"
            ),
        ]

    def save(self, *args, **kwargs):
        self.token_digest = token_digest(self.access_token)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "access_token" in update_fields:
            kwargs["update_fields"] = {*update_fields, "token_digest"}
        super().save(*args, **kwargs)

    def __str__(self):
        return f"{self.get_connector_type_display()}: {self.account_label}"
