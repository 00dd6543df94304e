"""Project files and assets (docs/spec/API.md §9.2)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers

from projects.assets import asset_filename
from projects.models import ProjectAsset, ProjectFile
from projects.serializers.fields import already_exists
from projects.validators import (
    validate_absolute_directory,
    validate_file_content,
    validate_file_name,
    validate_relative_path,
)


class ProjectFileSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = ProjectFile
        fields = ["id", "file_path", "size_bytes", "version", "updated_at"]
        read_only_fields = fields


class ProjectFileSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProjectFile
        fields = ["id", "file_path", "content", "size_bytes", "version", "created_at", "updated_at"]
        read_only_fields = fields


def file_path_field(**kwargs):
    return serializers.CharField(
        max_length=1024, trim_whitespace=False, validators=[validate_relative_path], **kwargs
    )


def file_content_field(**kwargs):
    # Content is stored byte for byte: no trimming.
    return serializers.CharField(
        allow_blank=True, trim_whitespace=False, validators=[validate_file_content], **kwargs
    )


class FilePathUniqueMixin(serializers.Serializer):
    def check_path_is_free(self, file_path):
        clashes = ProjectFile.objects.filter(project=self.context["project"], file_path=file_path)
        if self.instance is not None:
            clashes = clashes.exclude(pk=self.instance.pk)
        if clashes.exists():
            raise already_exists("file_path", "A file with this path already exists.")


class ProjectFileCreateSerializer(FilePathUniqueMixin):
    file_path = file_path_field()
    content = file_content_field()

    def validate(self, attrs):
        self.check_path_is_free(attrs["file_path"])
        return attrs


class ProjectFileUpsertSerializer(serializers.Serializer):
    file_path = file_path_field()
    content = file_content_field()
    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False)


class ProjectFileUpdateSerializer(FilePathUniqueMixin):
    file_path = file_path_field(required=False)
    content = file_content_field(required=False)
    version = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False)

    def validate(self, attrs):
        if "file_path" in attrs:
            self.check_path_is_free(attrs["file_path"])
        return attrs


class ProjectAssetSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProjectAsset
        fields = [
            "id",
            "filename",
            "directory",
            "file_type",
            "file_size",
            "mime_type",
            "width",
            "height",
            "created_at",
        ]
        read_only_fields = fields


class AssetPathUniqueMixin(serializers.Serializer):
    def check_path_is_free(self, directory, filename):
        """PRJ-52: one file name per directory of a project."""
        clashes = ProjectAsset.objects.filter(
            project=self.context["project"], directory=directory, filename=filename
        )
        if self.instance is not None:
            clashes = clashes.exclude(pk=self.instance.pk)
        if clashes.exists():
            raise already_exists("filename", "This directory already has a file of this name.")


class ProjectAssetUploadSerializer(AssetPathUniqueMixin):
    file = serializers.FileField(allow_empty_file=True)
    directory = serializers.CharField(
        max_length=512,
        default="/public",
        trim_whitespace=False,
        validators=[validate_absolute_directory],
    )

    def validate_file(self, upload):
        filename = asset_filename(upload.name)
        if len(filename) > ProjectAsset._meta.get_field("filename").max_length:
            raise serializers.ValidationError("The file name is longer than 255 characters.")
        try:
            validate_file_name(filename)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None
        return upload

    def validate(self, attrs):
        attrs["filename"] = asset_filename(attrs["file"].name)
        self.check_path_is_free(attrs["directory"], attrs["filename"])
        return attrs


class ProjectAssetUpdateSerializer(AssetPathUniqueMixin, serializers.ModelSerializer):
    class Meta:
        model = ProjectAsset
        fields = ["filename", "directory"]
        validators = []

    def validate(self, attrs):
        directory = attrs.get("directory", self.instance.directory)
        filename = attrs.get("filename", self.instance.filename)
        self.check_path_is_free(directory, filename)
        return attrs
