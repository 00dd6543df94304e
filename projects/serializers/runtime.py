"""Snapshots and deployments (docs/spec/API.md §9.2)."""

from rest_framework import serializers

from config.validators import JsonValidator, validate_public_https_url
from projects.models import (
    SUBDOMAIN_RE,
    DatabaseProvider,
    Deployment,
    DeploymentEnvironment,
    DeploymentErrorPhase,
    DeploymentProvider,
    DeploymentStatus,
    DomainStatus,
    ProjectDatabase,
    ProjectDomain,
    ProjectSnapshot,
    SnapshotStatus,
)
from projects.serializers.fields import (
    MAX_BIGINT,
    ProjectContainerField,
    ProjectDeploymentField,
    ProjectSnapshotField,
    request_choice_field,
)
from projects.validators import validate_provider_metadata


class ProjectSnapshotSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProjectSnapshot
        fields = [
            "id",
            "snapshot_type",
            "status",
            "label",
            "snapshot_name",
            "size_bytes",
            "ready_at",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ProjectSnapshotWriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProjectSnapshot
        fields = ["label"]


class SnapshotStatusReportSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[SnapshotStatus.READY, SnapshotStatus.ERROR])
    snapshot_name = serializers.CharField(max_length=255, required=False)
    size_bytes = serializers.IntegerField(min_value=0, max_value=MAX_BIGINT, required=False)


class DeploymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Deployment
        fields = [
            "id",
            "provider",
            "status",
            "container",
            "credential",
            "triggered_by",
            "deployment_url",
            "provider_deployment_id",
            "error",
            "deployment_metadata",
            "environment",
            "version",
            "snapshot",
            "started_at",
            "completed_at",
            "build_duration_ms",
            "error_phase",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class DeploymentCreateSerializer(serializers.Serializer):
    provider = request_choice_field(DeploymentProvider)
    container = ProjectContainerField(required=False, allow_null=True)
    environment = request_choice_field(DeploymentEnvironment, required=False)
    snapshot = ProjectSnapshotField(required=False, allow_null=True)


class DeploymentStatusReportSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[DeploymentStatus.DEPLOYING, DeploymentStatus.DEPLOYED, DeploymentStatus.FAILED]
    )
    deployment_url = serializers.URLField(
        max_length=500, required=False, validators=[validate_public_https_url]
    )
    provider_deployment_id = serializers.CharField(max_length=255, required=False)
    error = serializers.CharField(max_length=10_000, required=False)
    error_phase = request_choice_field(DeploymentErrorPhase, required=False)
    deployment_metadata = serializers.JSONField(required=False, validators=[JsonValidator()])

    def validate(self, attrs):
        if attrs["status"] == DeploymentStatus.FAILED and not attrs.get("error"):
            raise serializers.ValidationError({"error": ["A failed deployment needs its error."]})
        if attrs["status"] == DeploymentStatus.DEPLOYED and not attrs.get("deployment_url"):
            raise serializers.ValidationError(
                {"deployment_url": ["A deployed deployment needs its URL."]}
            )
        return attrs


class ProjectDomainSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProjectDomain
        fields = [
            "id",
            "subdomain",
            "full_domain",
            "deployment",
            "dns_status",
            "ssl_status",
            "provider_record_id",
            "claimed_by",
            "claimed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ProjectDomainClaimSerializer(serializers.Serializer):
    subdomain = serializers.RegexField(
        SUBDOMAIN_RE,
        max_length=63,
        error_messages={
            "invalid": "Use one DNS label: lowercase letters, digits and inner hyphens."
        },
    )


class DomainStatusReportSerializer(serializers.Serializer):
    dns_status = serializers.ChoiceField(choices=DomainStatus.choices, required=False)
    ssl_status = serializers.ChoiceField(choices=DomainStatus.choices, required=False)
    provider_record_id = serializers.CharField(max_length=255, required=False)
    deployment = ProjectDeploymentField(required=False)


class ProjectDatabaseSerializer(serializers.ModelSerializer):
    """PRJ-120: never the connection string; whether one is set, from its stored last four."""

    connection_string_set = serializers.SerializerMethodField()

    class Meta:
        model = ProjectDatabase
        fields = [
            "id",
            "provider",
            "container",
            "connection_string_set",
            "host",
            "database_name",
            "role_name",
            "branch_name",
            "is_active",
            "metadata",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_connection_string_set(self, database) -> bool:
        return bool(database.connection_string_last4)


class ProjectDatabaseCreateSerializer(serializers.Serializer):
    provider = request_choice_field(DatabaseProvider)
    connection_string = serializers.CharField(max_length=4096, write_only=True)
    host = serializers.CharField(max_length=255, required=False, allow_blank=True)
    database_name = serializers.CharField(max_length=63)
    role_name = serializers.CharField(max_length=63, required=False, allow_blank=True)
    branch_name = serializers.CharField(max_length=255, required=False, allow_blank=True)
    container = ProjectContainerField(required=False, allow_null=True)
    metadata = serializers.JSONField(
        required=False, validators=[JsonValidator(rules=(validate_provider_metadata,))]
    )
