"""Deployment and git provider credentials: masked, never decrypted on a list page."""

from django.contrib import admin

from config.admin import DeclaredSearchMixin
from config.encryption import masked
from projects.admin.base import ProjectsModelAdmin
from projects.models import (
    ConnectorCredential,
    DeploymentCredential,
    GitProviderCredential,
    ProjectDatabase,
)


class CredentialAdmin(DeclaredSearchMixin, ProjectsModelAdmin):
    """Tokens are never in a form and never decrypted: only `•••• last4` is shown."""

    list_select_related = ("user",)
    search_fields = ("user__email",)
    search_help_text = "Exact user email."
    search_lookups = {"user__email": str.lower}
    ordering = ("-updated_at",)

    def get_queryset(self, request):
        return super().get_queryset(request).defer(*self.model.secret_fields)

    def has_add_permission(self, request):
        return False


class OAuthTokensAdmin(CredentialAdmin):
    """A user's own OAuth link (an access and a refresh token), shown read-only and masked."""

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="access token")
    def access_token_masked(self, credential):
        return masked(credential.access_token_last4)

    @admin.display(description="refresh token")
    def refresh_token_masked(self, credential):
        return masked(credential.refresh_token_last4)


@admin.register(DeploymentCredential)
class DeploymentCredentialAdmin(CredentialAdmin):
    list_display = ("user", "provider", "project", "access_token", "updated_at")
    list_filter = ("provider",)
    list_select_related = ("user", "project")
    fields = (
        "id",
        "user",
        "provider",
        "project",
        "access_token",
        "provider_metadata",
        "created_at",
        "updated_at",
    )
    readonly_fields = tuple(f for f in fields if f != "provider_metadata")

    @admin.display(description="access token")
    def access_token(self, credential):
        return masked(credential.access_token_encrypted_last4)


@admin.register(GitProviderCredential)
class GitProviderCredentialAdmin(OAuthTokensAdmin):
    list_display = (
        "user",
        "provider",
        "provider_username",
        "access_token_masked",
        "refresh_token_masked",
        "token_expires_at",
        "updated_at",
    )
    list_filter = ("provider",)
    fields = (
        "id",
        "user",
        "provider",
        "provider_username",
        "provider_email",
        "provider_user_id",
        "scope",
        "access_token_masked",
        "refresh_token_masked",
        "token_expires_at",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields


@admin.register(ConnectorCredential)
class ConnectorCredentialAdmin(OAuthTokensAdmin):
    """PRJ-113: tokens and the endpoint masked; read-only (the user's own link)."""

    list_display = (
        "user",
        "connector_type",
        "account_label",
        "status",
        "is_default",
        "access_token_masked",
        "updated_at",
    )
    list_filter = ("connector_type", "status", "is_default")
    fields = (
        "id",
        "user",
        "connector_type",
        "account_label",
        "status",
        "is_default",
        "access_token_masked",
        "refresh_token_masked",
        "endpoint_url_masked",
        "token_expires_at",
        "scope",
        "metadata",
        "enabled_tools",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    @admin.display(description="endpoint URL")
    def endpoint_url_masked(self, connector):
        return masked(connector.endpoint_url_last4)


@admin.register(ProjectDatabase)
class ProjectDatabaseAdmin(CredentialAdmin):
    """PRJ-120: the connection string masked; read-only (the owner's or the runtime's)."""

    list_display = (
        "project",
        "provider",
        "database_name",
        "branch_name",
        "is_active",
        "connection_string_masked",
        "updated_at",
    )
    list_filter = ("provider", "is_active")
    list_select_related = ("project",)
    search_fields = ("project__owner__email",)
    search_help_text = "Exact owner email."
    search_lookups = {"project__owner__email": str.lower}
    raw_id_fields = ("project", "container")
    fields = (
        "id",
        "project",
        "container",
        "provider",
        "connection_string_masked",
        "host",
        "database_name",
        "role_name",
        "branch_name",
        "is_active",
        "metadata",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="connection string")
    def connection_string_masked(self, database):
        return masked(database.connection_string_last4)
