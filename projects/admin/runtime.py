"""Snapshots, deployments and domains: what only the runtime changes is read-only."""

from django.contrib import admin

from config.admin import (
    DeclaredSearchMixin,
    RefuseCraftedActions,
    ViewOnlyMixin,
    service_action,
)
from projects import services
from projects.admin.base import ProjectsModelAdmin
from projects.models import Deployment, ProjectDomain, ProjectSnapshot
from projects.permissions import RELEASE_DOMAIN


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
        "version",
        "environment",
        "provider",
        "status",
        "deployment_url",
        "triggered_by",
        "created_at",
        "completed_at",
    )
    list_filter = ("provider", "environment", "status", "error_phase", "created_at")
    list_select_related = ("project", "triggered_by")
    ordering = ("-created_at",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def _search_lower(term):
    return term.strip().lower()


@admin.register(ProjectDomain)
class ProjectDomainAdmin(
    ViewOnlyMixin, RefuseCraftedActions, DeclaredSearchMixin, ProjectsModelAdmin
):
    """Read-only: the owner claims, the runtime reports (PRJ-101 to PRJ-104). Support releases
    a domain (an abuse takedown) through the same service as the owner's DELETE."""

    list_display = (
        "full_domain",
        "project",
        "dns_status",
        "ssl_status",
        "claimed_by",
        "claimed_at",
    )
    list_filter = ("dns_status", "ssl_status")
    list_select_related = ("project", "claimed_by")
    search_fields = ("subdomain",)  # shows the box; the search itself is below
    search_help_text = "Exact subdomain, exact full domain or exact owner email."
    search_lookups = {
        "subdomain": _search_lower,
        "full_domain": _search_lower,
        "project__owner__email": str.lower,
    }
    ordering = ("-claimed_at",)
    fields = (
        "id",
        "project",
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
    )
    readonly_fields = fields
    actions = ("release",)

    def has_release_permission(self, request):
        return request.user.has_perm(RELEASE_DOMAIN)

    release = service_action(
        services.domain_release,
        name="release",
        description="Release selected domains",
        done="Released",
        already="already released",
        row_keyword="domain",
        noun="domain",
        permission="release",
    )
