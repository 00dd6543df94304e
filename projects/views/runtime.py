"""projects/{pid}/snapshots/ and deployments/."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.status import HTTP_201_CREATED, HTTP_202_ACCEPTED

from projects import filters, services
from projects.models import Deployment, ProjectSnapshot, SnapshotStatus
from projects.serializers.runtime import (
    DeploymentCreateSerializer,
    DeploymentSerializer,
    DeploymentStatusReportSerializer,
    ProjectSnapshotSerializer,
    ProjectSnapshotWriteSerializer,
    SnapshotStatusReportSerializer,
)
from projects.views.base import SERVICE_ACTION, PlainWritesMixin, ProjectChildViewSet, write_schemas


@write_schemas(
    ProjectSnapshotSerializer,
    create=ProjectSnapshotWriteSerializer,
    update=ProjectSnapshotWriteSerializer,
)
class ProjectSnapshotViewSet(PlainWritesMixin, ProjectChildViewSet):
    model = ProjectSnapshot
    serializer_class = ProjectSnapshotSerializer
    write_serializers = {
        "create": ProjectSnapshotWriteSerializer,
        "partial_update": ProjectSnapshotWriteSerializer,
    }
    filterset_class = filters.ProjectSnapshotFilter
    service_actions = frozenset({"status"})

    def scoped_queryset(self, queryset):
        if self.action == "list" and "status" not in self.request.query_params:
            queryset = queryset.exclude(status=SnapshotStatus.DELETED)
        return queryset.order_by("-created_at", "-id")

    def create(self, request, *args, **kwargs):
        data = self.validated(ProjectSnapshotWriteSerializer)
        snapshot = services.snapshot_create(actor=request.user, project=self.project, **data)
        return self.read(snapshot, HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.snapshot_delete(actor=self.request.user, snapshot=instance)

    @extend_schema(request=None, responses={202: ProjectSnapshotSerializer})
    @action(detail=True, methods=["post"])
    def restore(self, request, **kwargs):
        """Restores a `ready` snapshot into the hibernated project (PRJ-62)."""
        snapshot = services.snapshot_restore(actor=request.user, snapshot=self.get_object())
        return self.read(snapshot, HTTP_202_ACCEPTED)

    @extend_schema(
        request=SnapshotStatusReportSerializer,
        responses={200: ProjectSnapshotSerializer},
    )
    @action(detail=True, methods=["post"], permission_classes=SERVICE_ACTION)
    def status(self, request, **kwargs):
        """Service: the runtime reports a snapshot's status (PRJ-60)."""
        snapshot = self.get_object()
        data = self.validated(SnapshotStatusReportSerializer)
        services.snapshot_report_status(actor=request.user, snapshot=snapshot, **data)
        return self.read(snapshot)


@write_schemas(DeploymentSerializer, create=DeploymentCreateSerializer)
class DeploymentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ProjectChildViewSet):
    model = Deployment
    serializer_class = DeploymentSerializer
    write_serializers = {"create": DeploymentCreateSerializer}
    filterset_class = filters.DeploymentFilter
    service_actions = frozenset({"status"})

    def scoped_queryset(self, queryset):
        return queryset.order_by("-created_at", "-id")

    def create(self, request, *args, **kwargs):
        data = self.validated(DeploymentCreateSerializer)
        deployment = services.deployment_create(actor=request.user, project=self.project, **data)
        return self.read(deployment, HTTP_201_CREATED)

    @extend_schema(
        request=DeploymentStatusReportSerializer,
        responses={200: DeploymentSerializer},
    )
    @action(detail=True, methods=["post"], permission_classes=SERVICE_ACTION)
    def status(self, request, **kwargs):
        """Service: the runtime reports a deployment's progress (PRJ-71)."""
        deployment = self.get_object()
        data = self.validated(DeploymentStatusReportSerializer)
        services.deployment_report_status(actor=request.user, deployment=deployment, **data)
        return self.read(deployment)
