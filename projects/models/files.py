"""ProjectFile and ProjectAsset (DATA_MODEL.md §3.5, §3.6)."""

from django.db import models, transaction
from django.db.models import Q
from django.db.models.lookups import Exact
from django.db.models.signals import post_delete
from django.dispatch import receiver

from config.audit import audited
from config.models import BaseModel
from projects.models.common import OctetLength, valid_path_condition
from projects.validators import (
    ABSOLUTE_DIRECTORY_RE,
    DOT_SEGMENT_RE,
    PATH_SEGMENT_RE,
    validate_absolute_directory,
    validate_file_content,
    validate_file_name,
    validate_relative_path,
)


@audited()
class ProjectFile(BaseModel):
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="files", db_index=False
    )
    file_path = models.CharField(max_length=1024, validators=[validate_relative_path])
    content = models.TextField(blank=True, validators=[validate_file_content])
    size_bytes = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "file_path"], name="projects_file_path_unique"
            ),
            models.CheckConstraint(
                condition=Q(version__gte=1), name="projects_file_version_positive"
            ),
            models.CheckConstraint(
                condition=valid_path_condition("file_path"), name="projects_file_path_valid"
            ),
            models.CheckConstraint(
                condition=Exact(models.F("size_bytes"), OctetLength("content")),
                name="projects_file_size_matches_content",
            ),
        ]

    def __str__(self):
        return self.file_path


class AssetFileType(models.TextChoices):
    IMAGE = "image"
    VIDEO = "video"
    FONT = "font"
    DOCUMENT = "document"
    OTHER = "other"


def asset_upload_path(asset, filename):
    """Stored by id, so renaming an asset touches only its metadata (§3.6)."""
    return f"projects/{asset.project_id}/assets/{asset.id}"


@audited()
class ProjectAsset(BaseModel):
    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="assets", db_index=False
    )
    filename = models.CharField(max_length=255, validators=[validate_file_name])
    directory = models.CharField(
        max_length=512, default="/public", validators=[validate_absolute_directory]
    )
    file = models.FileField(upload_to=asset_upload_path, max_length=1024)
    file_type = models.CharField(max_length=10, choices=AssetFileType)
    file_size = models.BigIntegerField()
    mime_type = models.CharField(max_length=127)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(file_type__in=AssetFileType.values),
                name="projects_asset_file_type_valid",
            ),
            models.UniqueConstraint(
                fields=["project", "directory", "filename"], name="projects_asset_path_unique"
            ),
            models.CheckConstraint(
                condition=Q(file_size__gte=0), name="projects_asset_size_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(width__isnull=True, height__isnull=True)
                | Q(file_type=AssetFileType.IMAGE, width__gt=0, height__gt=0),
                name="projects_asset_dimensions_only_images",
            ),
            models.CheckConstraint(
                condition=Q(directory__regex=ABSOLUTE_DIRECTORY_RE)
                & ~Q(directory__regex=DOT_SEGMENT_RE),
                name="projects_asset_directory_valid",
            ),
            models.CheckConstraint(
                condition=Q(filename__regex=rf"^{PATH_SEGMENT_RE}$") & ~Q(filename__in=[".", ".."]),
                name="projects_asset_filename_valid",
            ),
        ]

    def __str__(self):
        return self.path

    @property
    def path(self):
        return f"{self.directory.rstrip('/')}/{self.filename}"


@receiver(post_delete, sender=ProjectAsset, dispatch_uid="projects_asset_remove_stored_file")
def remove_stored_file(sender, instance, **kwargs):
    """PRJ-53: the stored bytes go once the row's deletion (direct or cascaded) has committed,
    so a rolled-back delete never leaves a row without its file."""
    name, storage = instance.file.name, instance.file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name), robust=True)
