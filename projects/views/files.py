"""projects/{pid}/files/ and assets/ (the one multipart route)."""

from django.db.models.functions import Lower
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.status import HTTP_200_OK, HTTP_201_CREATED

from projects import conf, filters, services
from projects.models import ProjectAsset, ProjectFile
from projects.serializers.files import (
    ProjectAssetSerializer,
    ProjectAssetUpdateSerializer,
    ProjectAssetUploadSerializer,
    ProjectFileCreateSerializer,
    ProjectFileSerializer,
    ProjectFileSummarySerializer,
    ProjectFileUpdateSerializer,
    ProjectFileUpsertSerializer,
)
from projects.views.base import PlainWritesMixin, ProjectChildViewSet, write_schemas

# Multipart framing around the file itself: a file a little over ASSET_MAX_BYTES still reaches
# the size rule (400, PRJ-50); a body far over it is refused unread (413).
MULTIPART_ALLOWANCE = 1024 * 1024


@write_schemas(
    ProjectFileSerializer,
    create=ProjectFileCreateSerializer,
    update=ProjectFileUpdateSerializer,
)
class ProjectFileViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, ProjectChildViewSet
):
    model = ProjectFile
    serializer_class = ProjectFileSerializer
    write_serializers = {
        "create": ProjectFileCreateSerializer,
        "partial_update": ProjectFileUpdateSerializer,
        "upsert": ProjectFileUpsertSerializer,
    }
    filterset_class = filters.ProjectFileFilter

    def scoped_queryset(self, queryset):
        if self.action == "list":
            return queryset.defer("content").order_by("file_path", "id")
        return queryset

    def get_serializer_class(self):
        if self.action == "list":
            return ProjectFileSummarySerializer
        return super().get_serializer_class()

    def create(self, request, *args, **kwargs):
        data = self.validated(ProjectFileCreateSerializer)
        file = services.file_create(actor=request.user, project=self.project, **data)
        return self.read(file, HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        file = self.get_object()
        data = self.validated(ProjectFileUpdateSerializer, instance=file)
        services.file_update(actor=request.user, file=file, **data)
        return self.read(file)

    @extend_schema(
        request=ProjectFileUpsertSerializer,
        responses={201: ProjectFileSerializer, 200: ProjectFileSerializer},
    )
    @action(detail=False, methods=["post"])
    def upsert(self, request, **kwargs):
        """Creates or updates the file at a path in one statement (PRJ-42)."""
        data = self.validated(ProjectFileUpsertSerializer)
        file, created = services.file_upsert(actor=request.user, project=self.project, **data)
        return self.read(file, HTTP_201_CREATED if created else HTTP_200_OK)


@write_schemas(
    ProjectAssetSerializer,
    create={"multipart/form-data": ProjectAssetUploadSerializer},
    update=ProjectAssetUpdateSerializer,
)
class ProjectAssetViewSet(PlainWritesMixin, ProjectChildViewSet):
    model = ProjectAsset
    serializer_class = ProjectAssetSerializer
    write_serializers = {
        "create": ProjectAssetUploadSerializer,
        "partial_update": ProjectAssetUpdateSerializer,
    }
    filterset_class = filters.ProjectAssetFilter

    @property
    def max_body_size(self):
        if self.request.method == "POST":
            return conf.get("ASSET_MAX_BYTES") + MULTIPART_ALLOWANCE
        return None

    def get_parsers(self):
        # Called while DRF wraps the request, so `self.request` is still Django's (or None while
        # the schema is generated). The upload is the one multipart route of the API.
        if getattr(self.request, "method", None) == "POST":
            return [MultiPartParser()]
        return super().get_parsers()

    def scoped_queryset(self, queryset):
        return queryset.order_by(Lower("filename"), "id")

    def create(self, request, *args, **kwargs):
        data = self.validated(ProjectAssetUploadSerializer)
        asset = services.asset_upload(
            actor=request.user,
            project=self.project,
            upload=data["file"],
            filename=data["filename"],
            directory=data["directory"],
        )
        return self.read(asset, HTTP_201_CREATED)

    @extend_schema(responses={(200, "*/*"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request, **kwargs):
        """The stored bytes, as an attachment that browsers must not sniff or render."""
        asset = self.get_object()
        response = FileResponse(
            asset.file.open("rb"),
            as_attachment=True,
            filename=asset.filename,
            content_type=asset.mime_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        return response
