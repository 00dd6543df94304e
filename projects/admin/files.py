"""Project files (saved through the file services) and assets (metadata only)."""

from django import forms
from django.contrib import admin

from config.admin import DeclaredSearchMixin
from projects import services
from projects.admin.base import ProjectsModelAdmin, adopt
from projects.models import ProjectAsset, ProjectFile


class ProjectFileForm(forms.ModelForm):
    class Meta:
        model = ProjectFile
        fields = ("project", "file_path", "content")
        widgets = {
            "content": forms.Textarea(
                attrs={"rows": 30, "cols": 120, "style": "font-family: monospace"}
            )
        }


@admin.register(ProjectFile)
class ProjectFileAdmin(DeclaredSearchMixin, ProjectsModelAdmin):
    form = ProjectFileForm
    list_display = ("file_path", "project", "size_bytes", "version", "updated_at")
    list_select_related = ("project",)
    search_fields = ("file_path", "project__slug")
    search_help_text = "File path prefix or exact project slug."
    search_lookups = {"file_path__startswith": None, "project__slug": str.lower}
    raw_id_fields = ("project",)
    ordering = ("-updated_at",)
    readonly_fields = ("id", "size_bytes", "version", "created_at", "updated_at")

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content")

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is None else ("project", *self.readonly_fields)

    def save_model(self, request, obj, form, change):
        """PRJ-42: saving goes through the file services, so `version` and `size_bytes` move."""
        if change:
            changed = {
                f: getattr(obj, f) for f in ("file_path", "content") if f in form.changed_data
            }
            if changed:
                services.file_update(actor=request.user, file=obj, **changed)
            return None
        created, _ = services.file_upsert(
            actor=request.user, project=obj.project, file_path=obj.file_path, content=obj.content
        )
        return adopt(obj, created)


@admin.register(ProjectAsset)
class ProjectAssetAdmin(ProjectsModelAdmin):
    """Uploads come through the API, which checks the bytes; here only the name moves."""

    list_display = ("filename", "directory", "project", "file_type", "file_size", "mime_type")
    list_filter = ("file_type",)
    list_select_related = ("project",)
    search_fields = ("filename",)
    ordering = ("-created_at",)
    fields = (
        "id",
        "project",
        "directory",
        "filename",
        "file",
        "file_type",
        "mime_type",
        "file_size",
        "width",
        "height",
        "created_at",
        "updated_at",
    )
    readonly_fields = tuple(f for f in fields if f not in ("directory", "filename"))

    def has_add_permission(self, request):
        return False
