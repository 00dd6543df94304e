"""Containers, connections and previews."""

from django.contrib import admin

from config.admin import DeclaredSearchMixin
from projects import services
from projects.admin.base import ProjectsModelAdmin, adopt
from projects.models import BrowserPreview, Container, ContainerConnection

CONTAINER_WRITABLE = sorted(services.CONTAINER_FIELDS)


@admin.register(Container)
class ContainerAdmin(DeclaredSearchMixin, ProjectsModelAdmin):
    list_display = (
        "name",
        "project",
        "container_type",
        "deployment_mode",
        "status",
        "effective_port",
        "is_primary",
    )
    list_filter = ("container_type", "deployment_mode", "status")
    list_select_related = ("project",)
    search_fields = ("container_name", "project__slug")
    search_help_text = "Container name prefix or exact project slug."
    search_lookups = {"container_name__startswith": str.lower, "project__slug": str.lower}
    autocomplete_fields = ("project",)
    ordering = ("-created_at",)
    exclude = ("encrypted_secrets",)
    readonly_fields = (
        "id",
        "container_name",
        "status",
        "effective_port",
        "secret_names",
        "created_at",
        "updated_at",
    )
    create_only = ("project", "container_type", "service_slug", "deployment_mode")

    def get_queryset(self, request):
        return super().get_queryset(request).defer("encrypted_secrets")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        return (*self.create_only, *self.readonly_fields)

    @admin.display(description="secret names")
    def secret_names(self, container):
        return ", ".join(container.secret_names) or "(none)"

    def save_model(self, request, obj, form, change):
        if change:
            changed = [field for field in form.changed_data if field in CONTAINER_WRITABLE]
            services.container_update(
                actor=request.user,
                container=obj,
                **{field: getattr(obj, field) for field in changed},
            )
            return None
        fields = (*self.create_only[1:], *CONTAINER_WRITABLE)
        created = services.container_create(
            actor=request.user,
            project=obj.project,
            **{field: getattr(obj, field) for field in fields},
        )
        return adopt(obj, created)


@admin.register(ContainerConnection)
class ContainerConnectionAdmin(ProjectsModelAdmin):
    list_display = ("project", "source_container", "target_container", "connector_type", "label")
    list_filter = ("connector_type",)
    list_select_related = ("project", "source_container", "target_container")
    raw_id_fields = ("project", "source_container", "target_container")
    ordering = ("-created_at",)
    readonly_fields = ("id", "created_at", "updated_at")


@admin.register(BrowserPreview)
class BrowserPreviewAdmin(ProjectsModelAdmin):
    list_display = ("project", "connected_container", "current_path")
    list_select_related = ("project", "connected_container")
    raw_id_fields = ("project", "connected_container")
    ordering = ("-created_at",)
    readonly_fields = ("id", "created_at", "updated_at")
