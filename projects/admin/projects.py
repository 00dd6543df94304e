"""Projects, with their containers, previews, snapshots and deployments inline."""

from django.contrib import admin, messages

from config.admin import (
    ALL_CASCADED,
    CascadeAdminMixin,
    DeclaredSearchMixin,
    contains,
    plural,
    report,
)
from config.exceptions import InvalidStateTransition
from projects import services
from projects.admin.base import LinkedReadOnlyInline, ProjectsModelAdmin, adopt
from projects.models import (
    BrowserPreview,
    Container,
    Deployment,
    EnvironmentStatus,
    ProjectSnapshot,
)


class ContainerInline(admin.TabularInline):
    """Short fields only; the Container page edits the rest (through the services)."""

    model = Container
    extra = 0
    show_change_link = True
    fields = ("name", "container_type", "deployment_mode", "status", "effective_port", "is_primary")
    readonly_fields = ("name", "container_type", "deployment_mode", "status", "effective_port")
    ordering = ("name",)

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).defer("encrypted_secrets")


class BrowserPreviewInline(LinkedReadOnlyInline):
    model = BrowserPreview
    fields = ("current_path", "connected_container", "position_x", "position_y")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("connected_container")


class SnapshotInline(LinkedReadOnlyInline):
    model = ProjectSnapshot
    fields = ("label", "snapshot_type", "status", "size_bytes", "created_at", "ready_at")
    readonly_fields = ("created_at",)
    ordering = ("-created_at",)


class DeploymentInline(LinkedReadOnlyInline):
    model = Deployment
    fields = ("provider", "status", "deployment_url", "triggered_by", "created_at", "completed_at")
    readonly_fields = ("created_at",)
    ordering = ("-created_at",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("triggered_by")


class ProjectAdmin(DeclaredSearchMixin, CascadeAdminMixin, ProjectsModelAdmin):
    """Registered by backoffice/admin.py, with the marketplace's project agents inline."""

    # Deleting a project takes all its rows (§1.9), chat history included.
    cascaded_models = ALL_CASCADED
    list_display = (
        "name",
        "slug",
        "owner",
        "environment_status",
        "last_activity",
        "hibernated_at",
        "created_at",
    )
    list_filter = ("environment_status", "has_git_repo")
    list_select_related = ("owner",)
    search_fields = ("slug", "name", "owner__email")
    search_help_text = (
        "Part of the name or slug (3 characters or more), a name prefix, or the owner's exact "
        "email."
    )
    search_lookups = {
        "slug": str.lower,
        "name__icontains": contains,
        "slug__icontains": contains,
        "name__istartswith": None,
        "owner__email": str.lower,
    }
    autocomplete_fields = ("owner",)
    ordering = ("-updated_at",)
    date_hierarchy = "created_at"
    readonly_fields = (
        "id",
        "slug",
        "network_name",
        "environment_status",
        "environment_status_changed_at",
        "hibernated_at",
        "s3_archive_size_bytes",
        "created_at",
        "updated_at",
    )
    fields = (
        "id",
        "owner",
        "name",
        "slug",
        "network_name",
        "description",
        "has_git_repo",
        "git_remote_url",
        "settings",
        "architecture_diagram",
        "environment_status",
        "environment_status_changed_at",
        "last_activity",
        "hibernated_at",
        "s3_archive_size_bytes",
        "created_at",
        "updated_at",
    )
    inlines = (ContainerInline, BrowserPreviewInline, SnapshotInline, DeploymentInline)
    actions = ("hibernate", "wake")

    def get_inlines(self, request, obj):
        # A new project has no children yet; they are added once it exists.
        return self.inlines if obj is not None else ()

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        fields = ("description", "has_git_repo", "git_remote_url", "settings")
        created = services.project_create(
            actor=request.user,
            owner=obj.owner,
            name=obj.name,
            architecture_diagram=obj.architecture_diagram,
            **{field: getattr(obj, field) for field in fields},
        )
        return adopt(obj, created)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Container:
            return super().save_formset(request, form, formset, change)
        formset.save(commit=False)
        for container, changed in formset.changed_objects:
            services.container_update(
                actor=request.user,
                container=container,
                **{field: getattr(container, field) for field in changed},
            )
        for container in formset.deleted_objects:
            container.delete()
        return None

    def has_delete_permission(self, request, obj=None):
        # PRJ-8: no delete button while the runtime is stopping or starting the project.
        if obj is not None and obj.environment_status in services.UNDELETABLE_STATES:
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        services.project_delete(actor=request.user, project=obj)

    def delete_queryset(self, request, queryset):
        refused = 0
        for project in queryset:
            try:
                services.project_delete(actor=request.user, project=project)
            except InvalidStateTransition:
                refused += 1
        if refused:
            self.message_user(
                request,
                f"Kept {plural(refused, 'project')} that are stopping or starting; delete "
                "them later.",
                messages.WARNING,
            )

    @admin.action(description="Hibernate selected projects", permissions=["change"])
    def hibernate(self, request, queryset):
        self._transition(
            request,
            queryset,
            "hibernate",
            to=EnvironmentStatus.STOPPING,
            already=(EnvironmentStatus.STOPPING, EnvironmentStatus.HIBERNATED),
        )

    @admin.action(description="Wake selected projects", permissions=["change"])
    def wake(self, request, queryset):
        self._transition(
            request,
            queryset,
            "wake",
            to=EnvironmentStatus.STARTING,
            already=(EnvironmentStatus.STARTING, EnvironmentStatus.ACTIVE),
        )

    def _transition(self, request, queryset, verb, *, to, already):
        """Asks the runtime to move each project (PRJ-4, PRJ-5): a project waits in `to` until
        the runtime reports the move done, so the message says who finishes it."""
        moved, skipped = 0, []
        for project in queryset.order_by("name"):
            try:
                services.project_environment_transition(project=project, to=to, actor=request.user)
            except InvalidStateTransition:
                status = project.environment_status
                skipped.append(
                    f"{project.name} ({'already ' if status in already else ''}{status})"
                )
            else:
                moved += 1
        done = (
            f"Asked the runtime to {verb} {plural(moved, 'project')} (each stays {to} until "
            "the runtime reports back)"
            if moved
            else f"No project to {verb}"
        )
        report(self, request, done, skipped)
