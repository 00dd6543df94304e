"""Containers, connections and previews (docs/spec/API.md §9.2)."""

from rest_framework import serializers

from config.validators import JsonValidator
from projects.models import (
    BrowserPreview,
    ConnectorType,
    Container,
    ContainerConnection,
    ContainerStatus,
    ContainerType,
    DeploymentMode,
)
from projects.serializers.fields import ProjectContainerField, already_exists
from projects.validators import connection_config_errors, environment_errors


class ContainerBaseSerializer(serializers.Serializer):
    """The marketplace base a container was built from. Declared field by field: projects
    never imports the marketplace (DATA_MODEL.md 1.7). Views select_related("base")."""

    id = serializers.UUIDField(read_only=True)
    slug = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)


class ContainerSerializer(serializers.ModelSerializer):
    effective_port = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="`internal_port`, else `port`, else 3000; null for a service without a port.",
    )
    secret_names = serializers.ListField(child=serializers.CharField(), read_only=True)
    base = ContainerBaseSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Container
        fields = [
            "id",
            "name",
            "container_name",
            "container_type",
            "service_slug",
            "deployment_mode",
            "directory",
            "port",
            "internal_port",
            "effective_port",
            "environment_vars",
            "external_endpoint",
            "status",
            "base",
            "is_primary",
            "position_x",
            "position_y",
            "secret_names",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ContainerWriteMixin(serializers.Serializer):
    secrets = serializers.JSONField(
        write_only=True,
        required=False,
        validators=[JsonValidator()],
        help_text="Merged into the stored secrets: a string sets a name, null removes it.",
    )

    def validate_secrets(self, value):
        errors = environment_errors(value, allow_null=True)
        if errors:
            raise serializers.ValidationError(errors.get("", errors))
        return value

    def check_name_is_free(self, name):
        clashes = Container.objects.filter(project=self.context["project"], name=name)
        if self.instance is not None:
            clashes = clashes.exclude(pk=self.instance.pk)
        if clashes.exists():
            raise already_exists("name", "This project already has a container with this name.")


class ContainerCreateSerializer(ContainerWriteMixin, serializers.ModelSerializer):
    class Meta:
        model = Container
        fields = [
            "name",
            "container_type",
            "service_slug",
            "deployment_mode",
            "directory",
            "port",
            "internal_port",
            "environment_vars",
            "external_endpoint",
            "is_primary",
            "position_x",
            "position_y",
            "secrets",
        ]
        validators = []

    def validate(self, attrs):
        errors = {}
        if attrs.get("container_type") == ContainerType.SERVICE and not attrs.get("service_slug"):
            errors["service_slug"] = ["A service container needs its service_slug."]
        if attrs.get("deployment_mode") == DeploymentMode.EXTERNAL and not attrs.get(
            "external_endpoint"
        ):
            errors["external_endpoint"] = ["An external container needs its endpoint."]
        if errors:
            raise serializers.ValidationError(errors)
        self.check_name_is_free(attrs["name"])
        return attrs


class ContainerUpdateSerializer(ContainerWriteMixin, serializers.ModelSerializer):
    class Meta:
        model = Container
        fields = [
            "name",
            "directory",
            "port",
            "internal_port",
            "environment_vars",
            "external_endpoint",
            "is_primary",
            "position_x",
            "position_y",
            "secrets",
        ]
        validators = []

    def validate(self, attrs):
        external = self.instance.deployment_mode == DeploymentMode.EXTERNAL
        if external and attrs.get("external_endpoint") == "":
            raise serializers.ValidationError(
                {"external_endpoint": ["An external container needs its endpoint."]}
            )
        if "name" in attrs:
            self.check_name_is_free(attrs["name"])
        return attrs


class ContainerStatusReportSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[ContainerStatus.RUNNING, ContainerStatus.FAILED, ContainerStatus.STOPPED]
    )


class ContainerConnectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContainerConnection
        fields = [
            "id",
            "source_container",
            "target_container",
            "connector_type",
            "config",
            "label",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


def validate_env_config(connector_type, config):
    errors = connection_config_errors(connector_type, config)
    if errors:
        raise serializers.ValidationError(errors)


def check_connection_is_free(source_id, target_id, connector_type, *, exclude=None):
    clashes = ContainerConnection.objects.filter(
        source_container_id=source_id, target_container_id=target_id, connector_type=connector_type
    ).exclude(pk=exclude)
    if clashes.exists():
        raise already_exists(
            "connector_type", "These containers are already connected with this type."
        )


class ContainerConnectionCreateSerializer(serializers.ModelSerializer):
    source_container = ProjectContainerField()
    target_container = ProjectContainerField()

    class Meta:
        model = ContainerConnection
        fields = ["source_container", "target_container", "connector_type", "config", "label"]
        validators = []

    def validate(self, attrs):
        source, target = attrs["source_container"], attrs["target_container"]
        connector_type = attrs.get("connector_type", ConnectorType.ENV_INJECTION)
        validate_env_config(connector_type, attrs.get("config", {}))
        if source.pk == target.pk:
            raise serializers.ValidationError(
                {"target_container": ["A container cannot connect to itself."]}
            )
        check_connection_is_free(source.pk, target.pk, connector_type)
        return attrs


class ContainerConnectionUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContainerConnection
        fields = ["connector_type", "config", "label"]
        validators = []

    def validate(self, attrs):
        connection = self.instance
        connector_type = attrs.get("connector_type", connection.connector_type)
        validate_env_config(connector_type, attrs.get("config", connection.config))
        if connector_type != connection.connector_type:
            check_connection_is_free(
                connection.source_container_id,
                connection.target_container_id,
                connector_type,
                exclude=connection.pk,
            )
        return attrs


class BrowserPreviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = BrowserPreview
        fields = [
            "id",
            "connected_container",
            "position_x",
            "position_y",
            "current_path",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class BrowserPreviewWriteSerializer(serializers.ModelSerializer):
    connected_container = ProjectContainerField(required=False, allow_null=True)

    class Meta:
        model = BrowserPreview
        fields = ["connected_container", "position_x", "position_y", "current_path"]
