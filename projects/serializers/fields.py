"""Fields and helpers shared by the projects serializers."""

from rest_framework import serializers

from config.exceptions import AlreadyExists
from projects.models import Container, Deployment, Project, ProjectSnapshot

MAX_BIGINT = 2**63 - 1
MAX_TOKEN_LENGTH = 4096


def already_exists(field, message):
    return AlreadyExists(fields={field: [message]})


def request_choice_field(choices, **kwargs):
    """A request's choice field over `choices`' values.

    Values without labels give the request enum a schema component of its own, apart from
    the response's (which carries the labels). Three `provider` enums share one field name;
    this keeps drf-spectacular's enum naming unambiguous without a settings entry.
    """
    return serializers.ChoiceField(choices=choices.values, **kwargs)


class ProjectContainerField(serializers.PrimaryKeyRelatedField):
    """A container of the project in the serializer's context, and no other."""

    def __init__(self, **kwargs):
        super().__init__(pk_field=serializers.UUIDField(), **kwargs)

    def get_queryset(self):
        return Container.objects.filter(project=self.context["project"]).only("id", "project_id")


class ProjectSnapshotField(ProjectContainerField):
    """A snapshot of the project in the serializer's context, and no other."""

    def get_queryset(self):
        return ProjectSnapshot.objects.filter(project=self.context["project"]).only(
            "id", "project_id"
        )


class ProjectDeploymentField(ProjectContainerField):
    """A deployment of the project in the serializer's context, and no other."""

    def get_queryset(self):
        return Deployment.objects.filter(project=self.context["project"]).only("id", "project_id")


class OwnProjectField(serializers.PrimaryKeyRelatedField):
    """One of the caller's own projects (PRJ-80)."""

    def __init__(self, **kwargs):
        super().__init__(pk_field=serializers.UUIDField(), **kwargs)

    def get_queryset(self):
        return Project.objects.visible_to(self.context["request"].user).only("id", "owner_id")
