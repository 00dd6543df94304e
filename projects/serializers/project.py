"""Projects and the runtime's environment reports (docs/spec/API.md §9.2)."""

from rest_framework import serializers

from projects.models import DIAGRAM_MAX_BYTES, EnvironmentStatus, Project
from projects.serializers.canvas import ContainerConnectionSerializer, ContainerSerializer
from projects.serializers.fields import MAX_BIGINT

PROJECT_FIELDS = [
    "id",
    "name",
    "slug",
    "description",
    "has_git_repo",
    "git_remote_url",
    "settings",
    "network_name",
    "environment_status",
    "environment_status_changed_at",
    "last_activity",
    "hibernated_at",
    "s3_archive_size_bytes",
    "created_at",
    "updated_at",
]


PROJECT_DETAIL_FIELDS = [*PROJECT_FIELDS, "architecture_diagram"]


class ProjectSerializer(serializers.ModelSerializer):
    """A project in a list: no diagram, no nested lists."""

    class Meta:
        model = Project
        fields = PROJECT_FIELDS
        read_only_fields = fields


class RecentChatSerializer(serializers.Serializer):
    """A chat as the project detail lists it (API.md 9.2); the chat app owns the model."""

    id = serializers.UUIDField(read_only=True)
    title = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    message_count = serializers.IntegerField(read_only=True)
    last_message_at = serializers.DateTimeField(read_only=True, allow_null=True)


class ProjectDetailSerializer(serializers.ModelSerializer):
    """One project with its canvas and its 5 most recent chats."""

    containers = ContainerSerializer(many=True, read_only=True)
    recent_chats = RecentChatSerializer(many=True, read_only=True)
    connections = ContainerConnectionSerializer(
        many=True, read_only=True, source="container_connections"
    )

    class Meta:
        model = Project
        fields = [
            *PROJECT_DETAIL_FIELDS,
            "containers",
            "connections",
            "recent_chats",
        ]
        read_only_fields = fields


class ProjectWriteSerializer(serializers.ModelSerializer):
    class Meta:
        model = Project
        fields = [
            "name",
            "description",
            "has_git_repo",
            "git_remote_url",
            "settings",
            "architecture_diagram",
        ]

    def validate_architecture_diagram(self, value):
        if len(value.encode()) > DIAGRAM_MAX_BYTES:
            raise serializers.ValidationError("Keep the diagram under 100 KiB.")
        return value


class SnapshotReportSerializer(serializers.Serializer):
    snapshot_name = serializers.CharField(max_length=255)
    size_bytes = serializers.IntegerField(min_value=0, max_value=MAX_BIGINT, required=False)
    label = serializers.CharField(max_length=255, required=False, allow_blank=True)


class EnvironmentReportSerializer(serializers.Serializer):
    """What the runtime reports about a project's environment (PRJ-4's runtime transitions)."""

    status = serializers.ChoiceField(
        choices=[EnvironmentStatus.HIBERNATED, EnvironmentStatus.ACTIVE, EnvironmentStatus.ERROR]
    )
    s3_archive_size_bytes = serializers.IntegerField(
        min_value=0, max_value=MAX_BIGINT, required=False
    )
    snapshot = SnapshotReportSerializer(required=False)

    def validate(self, attrs):
        if attrs["status"] != EnvironmentStatus.HIBERNATED:
            only_hibernated = ("s3_archive_size_bytes", "snapshot")
            errors = {f: ["Only with status hibernated."] for f in only_hibernated if f in attrs}
            if errors:
                raise serializers.ValidationError(errors)
        return attrs
