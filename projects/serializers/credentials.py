"""Deployment, git provider and connector credentials, with write-only tokens (docs/spec/API.md
§9.2)."""

from rest_framework import serializers

from config.fields import UtcDateTimeField
from config.validators import JsonValidator, validate_public_https_url
from projects.models import (
    ConnectorCredential,
    ConnectorKind,
    ConnectorStatus,
    CredentialProvider,
    DeploymentCredential,
    GitProvider,
    GitProviderCredential,
)
from projects.serializers.fields import (
    MAX_TOKEN_LENGTH,
    OwnProjectField,
    already_exists,
    request_choice_field,
)
from projects.validators import validate_provider_metadata


def token_field(**kwargs):
    return serializers.CharField(write_only=True, max_length=MAX_TOKEN_LENGTH, **kwargs)


class DeploymentCredentialSerializer(serializers.ModelSerializer):
    """Never the token: `access_token_set` from the stored last four (nothing is decrypted)."""

    access_token_set = serializers.SerializerMethodField()

    class Meta:
        model = DeploymentCredential
        fields = [
            "id",
            "provider",
            "project",
            "provider_metadata",
            "access_token_set",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_access_token_set(self, credential) -> bool:
        return bool(credential.access_token_encrypted_last4)


class DeploymentCredentialCreateSerializer(serializers.ModelSerializer):
    provider = request_choice_field(CredentialProvider)
    project = OwnProjectField(required=False, allow_null=True)
    access_token = token_field(source="access_token_encrypted")

    class Meta:
        model = DeploymentCredential
        fields = ["provider", "project", "access_token", "provider_metadata"]
        validators = []

    def validate(self, attrs):
        clashes = DeploymentCredential.objects.filter(
            user=self.context["request"].user,
            provider=attrs["provider"],
            project=attrs.get("project"),
        )
        if clashes.exists():
            raise already_exists(
                "provider", "There is already a credential for this provider and scope."
            )
        return attrs


class DeploymentCredentialUpdateSerializer(serializers.ModelSerializer):
    access_token = token_field(source="access_token_encrypted", required=False)

    class Meta:
        model = DeploymentCredential
        fields = ["access_token", "provider_metadata"]


class GitProviderCredentialSerializer(serializers.ModelSerializer):
    access_token_set = serializers.SerializerMethodField()
    refresh_token_set = serializers.SerializerMethodField()

    class Meta:
        model = GitProviderCredential
        fields = [
            "id",
            "provider",
            "access_token_set",
            "refresh_token_set",
            "token_expires_at",
            "scope",
            "provider_username",
            "provider_email",
            "provider_user_id",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_access_token_set(self, credential) -> bool:
        return bool(credential.access_token_last4)

    def get_refresh_token_set(self, credential) -> bool:
        return bool(credential.refresh_token_last4)


GIT_CREDENTIAL_WRITE_FIELDS = [
    "access_token",
    "refresh_token",
    "token_expires_at",
    "scope",
    "provider_username",
    "provider_email",
    "provider_user_id",
]


class GitProviderCredentialCreateSerializer(serializers.ModelSerializer):
    provider = request_choice_field(GitProvider)
    access_token = token_field()
    refresh_token = token_field(required=False, allow_null=True)
    token_expires_at = UtcDateTimeField(required=False, allow_null=True)

    class Meta:
        model = GitProviderCredential
        fields = ["provider", *GIT_CREDENTIAL_WRITE_FIELDS]
        validators = []

    def validate(self, attrs):
        """PRJ-90: one credential per user and provider."""
        user = self.context["request"].user
        if GitProviderCredential.objects.filter(user=user, provider=attrs["provider"]).exists():
            raise already_exists("provider", "There is already a credential for this provider.")
        return attrs


class GitProviderCredentialUpdateSerializer(serializers.ModelSerializer):
    access_token = token_field(required=False)
    refresh_token = token_field(required=False, allow_null=True)
    token_expires_at = UtcDateTimeField(required=False, allow_null=True)

    class Meta:
        model = GitProviderCredential
        fields = GIT_CREDENTIAL_WRITE_FIELDS


class ConnectorCredentialSerializer(serializers.ModelSerializer):
    """PRJ-113: never a token or the endpoint; whether each is set, from the stored last four."""

    access_token_set = serializers.SerializerMethodField()
    has_refresh_token = serializers.SerializerMethodField()
    endpoint_url_set = serializers.SerializerMethodField()

    class Meta:
        model = ConnectorCredential
        fields = [
            "id",
            "connector_type",
            "account_label",
            "access_token_set",
            "has_refresh_token",
            "endpoint_url_set",
            "token_expires_at",
            "scope",
            "metadata",
            "enabled_tools",
            "status",
            "is_default",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_access_token_set(self, connector) -> bool:
        return bool(connector.access_token_last4)

    def get_has_refresh_token(self, connector) -> bool:
        return bool(connector.refresh_token_last4)

    def get_endpoint_url_set(self, connector) -> bool:
        return bool(connector.endpoint_url_last4)


class ConnectorCredentialUpdateSerializer(serializers.Serializer):
    account_label = serializers.CharField(max_length=255, required=False)
    access_token = token_field(required=False)
    refresh_token = token_field(required=False, allow_null=True)
    token_expires_at = UtcDateTimeField(required=False, allow_null=True)
    scope = serializers.CharField(max_length=500, required=False, allow_blank=True)
    endpoint_url = serializers.URLField(
        max_length=2000,
        required=False,
        allow_blank=True,
        write_only=True,
        validators=[validate_public_https_url],
    )
    metadata = serializers.JSONField(
        required=False, validators=[JsonValidator(rules=(validate_provider_metadata,))]
    )
    enabled_tools = serializers.ListField(
        child=serializers.CharField(max_length=128), max_length=200, required=False
    )
    status = serializers.ChoiceField(choices=ConnectorStatus.choices, required=False)
    is_default = serializers.BooleanField(required=False)


class ConnectorCredentialCreateSerializer(ConnectorCredentialUpdateSerializer):
    connector_type = serializers.ChoiceField(choices=ConnectorKind.choices)
    account_label = serializers.CharField(max_length=255)
    access_token = token_field()
