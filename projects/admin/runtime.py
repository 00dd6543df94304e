"""Snapshots and deployments: what only the runtime changes is read-only."""

from django.contrib import admin

from projects.admin.base import ProjectsModelAdmin
from projects.models import Deployment, ProjectSnapshot


@admin.register(ProjectSnapshot)
class ProjectSnapshotAdmin(ProjectsModelAdmin):
    list_display = (
        "project",
        "snapshot_type",
        "status",
        "label",
        "size_bytes",
        "created_at",
        "ready_at",
    )
    list_filter = ("snapshot_type", "status")
    list_select_related = ("project",)
    ordering = ("-created_at",)
    fields = (
        "id",
        "project",
        "label",
        "snapshot_type",
        "status",
        "snapshot_name",
        "size_bytes",
        "created_by",
        "created_at",
        "ready_at",
        "updated_at",
    )
    readonly_fields = tuple(f for f in fields if f != "label")

    def has_add_permission(self, request):
        return False


@admin.register(Deployment)
class DeploymentAdmin(ProjectsModelAdmin):
    """Read-only: deployments move only through the runtime's reports (PRJ-71)."""

    list_display = (
        "project",
        "provider",
        "status",
        "deployment_url",
        "triggered_by",
        "created_at",
        "completed_at",
    )
    list_filter = ("provider", "status", "created_at")
    list_select_related = ("project", "triggered_by")
    ordering = ("-created_at",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
