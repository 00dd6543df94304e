"""List filters, search and ordering of the projects API (docs/spec/API.md §6, §9.2).

Everything goes through django-filter forms, so a bad value (not a choice, not a UUID, not
true/false, an unknown ordering, a search over 100 characters) is a 400 and not silently
ignored. Orderings always end with `id`, so ties are stable.
"""

import django_filters
from django.db.models import Q

from config.filters import FilterSet, OrderingFilter, StrictBooleanFilter
from projects.models import (
    AssetFileType,
    ConnectorCredential,
    ConnectorKind,
    ConnectorStatus,
    Container,
    CredentialProvider,
    Deployment,
    DeploymentCredential,
    DeploymentProvider,
    DeploymentStatus,
    EnvironmentStatus,
    Project,
    ProjectAsset,
    ProjectFile,
    ProjectSnapshot,
    SnapshotStatus,
    SnapshotType,
)

SEARCH_MAX_LENGTH = 100


class ProjectFilter(FilterSet):
    environment_status = django_filters.ChoiceFilter(choices=EnvironmentStatus.choices)
    has_git_repo = StrictBooleanFilter()
    search = django_filters.CharFilter(
        method="filter_search",
        max_length=SEARCH_MAX_LENGTH,
        help_text="Name prefix (any case) or exact slug.",
    )
    ordering = OrderingFilter(
        fields=("name", "created_at", "updated_at", "last_activity"),
        case_insensitive=("name",),
        help_text="Default `-updated_at`.",
    )

    class Meta:
        model = Project
        fields = ["environment_status", "has_git_repo"]

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(name__istartswith=value) | Q(slug=value.lower()))


class ContainerFilter(FilterSet):
    ordering = OrderingFilter(fields=("name", "created_at"), help_text="Default `name`.")

    class Meta:
        model = Container
        fields = []


class ProjectFileFilter(FilterSet):
    path_prefix = django_filters.CharFilter(
        field_name="file_path", lookup_expr="startswith", max_length=1024
    )
    ordering = OrderingFilter(fields=("file_path", "updated_at"), help_text="Default `file_path`.")

    class Meta:
        model = ProjectFile
        fields = []


class ProjectAssetFilter(FilterSet):
    directory = django_filters.CharFilter(max_length=512)
    file_type = django_filters.ChoiceFilter(choices=AssetFileType.choices)
    ordering = OrderingFilter(
        fields=("filename", "created_at"),
        case_insensitive=("filename",),
        help_text="Default `filename`.",
    )

    class Meta:
        model = ProjectAsset
        fields = ["directory", "file_type"]


class ProjectSnapshotFilter(FilterSet):
    status = django_filters.ChoiceFilter(
        choices=SnapshotStatus.choices,
        help_text="Without it, `deleted` snapshots are left out.",
    )
    snapshot_type = django_filters.ChoiceFilter(choices=SnapshotType.choices)

    class Meta:
        model = ProjectSnapshot
        fields = ["status", "snapshot_type"]


class DeploymentFilter(FilterSet):
    provider = django_filters.ChoiceFilter(choices=DeploymentProvider.choices)
    status = django_filters.ChoiceFilter(choices=DeploymentStatus.choices)

    class Meta:
        model = Deployment
        fields = ["provider", "status"]


class DeploymentCredentialFilter(FilterSet):
    provider = django_filters.ChoiceFilter(choices=CredentialProvider.choices)
    project = django_filters.UUIDFilter(field_name="project_id")

    class Meta:
        model = DeploymentCredential
        fields = ["provider", "project"]


class ConnectorCredentialFilter(FilterSet):
    connector_type = django_filters.ChoiceFilter(choices=ConnectorKind.choices)
    status = django_filters.ChoiceFilter(choices=ConnectorStatus.choices)
    is_default = StrictBooleanFilter()

    class Meta:
        model = ConnectorCredential
        fields = ["connector_type", "status", "is_default"]
