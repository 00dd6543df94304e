"""projects/{pid}/containers/, connections/ and previews/."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.status import HTTP_201_CREATED, HTTP_202_ACCEPTED

from projects import filters, services
from projects.models import BrowserPreview, Container, ContainerConnection
from projects.serializers.canvas import (
    BrowserPreviewSerializer,
    BrowserPreviewWriteSerializer,
    ContainerConnectionCreateSerializer,
    ContainerConnectionSerializer,
    ContainerConnectionUpdateSerializer,
    ContainerCreateSerializer,
    ContainerSerializer,
    ContainerStatusReportSerializer,
    ContainerUpdateSerializer,
)
from projects.views.base import SERVICE_ACTION, PlainWritesMixin, ProjectChildViewSet, write_schemas


@write_schemas(
    ContainerSerializer,
    create=ContainerCreateSerializer,
    update=ContainerUpdateSerializer,
)
class ContainerViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, ProjectChildViewSet
):
    model = Container
    serializer_class = ContainerSerializer
    write_serializers = {
        "create": ContainerCreateSerializer,
        "partial_update": ContainerUpdateSerializer,
    }
    filterset_class = filters.ContainerFilter
    service_actions = frozenset({"status"})

    def scoped_queryset(self, queryset):
        return queryset.select_related("base").order_by("name", "id")

    def create(self, request, *args, **kwargs):
        data = self.validated(ContainerCreateSerializer)
        container = services.container_create(actor=request.user, project=self.project, **data)
        return self.read(container, HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        container = self.get_object()
        data = self.validated(ContainerUpdateSerializer, instance=container)
        services.container_update(actor=request.user, container=container, **data)
        return self.read(container)

    @extend_schema(request=None, responses={202: ContainerSerializer})
    @action(detail=True, methods=["post"])
    def start(self, request, **kwargs):
        container = services.container_start(actor=request.user, container=self.get_object())
        return self.read(container, HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={202: ContainerSerializer})
    @action(detail=True, methods=["post"])
    def stop(self, request, **kwargs):
        container = services.container_stop(actor=request.user, container=self.get_object())
        return self.read(container, HTTP_202_ACCEPTED)

    @extend_schema(
        request=ContainerStatusReportSerializer,
        responses={200: ContainerSerializer},
    )
    @action(detail=True, methods=["post"], permission_classes=SERVICE_ACTION)
    def status(self, request, **kwargs):
        """Service: the runtime reports a container's status (PRJ-21)."""
        container = self.get_object()
        data = self.validated(ContainerStatusReportSerializer)
        services.container_report_status(
            actor=request.user, container=container, status=data["status"]
        )
        return self.read(container)


@write_schemas(
    ContainerConnectionSerializer,
    create=ContainerConnectionCreateSerializer,
    update=ContainerConnectionUpdateSerializer,
)
class ContainerConnectionViewSet(PlainWritesMixin, ProjectChildViewSet):
    model = ContainerConnection
    serializer_class = ContainerConnectionSerializer
    write_serializers = {
        "create": ContainerConnectionCreateSerializer,
        "partial_update": ContainerConnectionUpdateSerializer,
    }

    def scoped_queryset(self, queryset):
        return queryset.order_by("created_at", "id")

    def create(self, request, *args, **kwargs):
        data = self.validated(ContainerConnectionCreateSerializer)
        connection = services.connection_create(actor=request.user, project=self.project, **data)
        return self.read(connection, HTTP_201_CREATED)


@write_schemas(
    BrowserPreviewSerializer,
    create=BrowserPreviewWriteSerializer,
    update=BrowserPreviewWriteSerializer,
)
class BrowserPreviewViewSet(PlainWritesMixin, ProjectChildViewSet):
    model = BrowserPreview
    serializer_class = BrowserPreviewSerializer
    write_serializers = {
        "create": BrowserPreviewWriteSerializer,
        "partial_update": BrowserPreviewWriteSerializer,
    }

    def scoped_queryset(self, queryset):
        return queryset.order_by("created_at", "id")
