"""Snapshots and deployments (docs/spec/API.md §9.2)."""

from rest_framework import serializers

from config.validators import JsonValidator, validate_public_https_url
from projects.models import (
    Deployment,
    DeploymentProvider,
    DeploymentStatus,
    ProjectSnapshot,
    SnapshotStatus,
)
from projects.serializers.fields import MAX_BIGINT, ProjectContainerField, request_choice_field


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
            "completed_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class DeploymentCreateSerializer(serializers.Serializer):
    provider = request_choice_field(DeploymentProvider)
    container = ProjectContainerField(required=False, allow_null=True)


class DeploymentStatusReportSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[DeploymentStatus.DEPLOYING, DeploymentStatus.DEPLOYED, DeploymentStatus.FAILED]
    )
    deployment_url = serializers.URLField(
        max_length=500, required=False, validators=[validate_public_https_url]
    )
    provider_deployment_id = serializers.CharField(max_length=255, required=False)
    error = serializers.CharField(max_length=10_000, required=False)
    deployment_metadata = serializers.JSONField(required=False, validators=[JsonValidator()])

    def validate(self, attrs):
        if attrs["status"] == DeploymentStatus.FAILED and not attrs.get("error"):
            raise serializers.ValidationError({"error": ["A failed deployment needs its error."]})
        if attrs["status"] == DeploymentStatus.DEPLOYED and not attrs.get("deployment_url"):
            raise serializers.ValidationError(
                {"deployment_url": ["A deployed deployment needs its URL."]}
            )
        return attrs
