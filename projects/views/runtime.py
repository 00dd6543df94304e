"""projects/{pid}/snapshots/, deployments/ and domain/."""

from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.status import HTTP_201_CREATED, HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from projects import filters, services
from projects.models import (
    Deployment,
    ProjectDatabase,
    ProjectDomain,
    ProjectSnapshot,
    SnapshotStatus,
)
from projects.serializers.runtime import (
    DeploymentCreateSerializer,
    DeploymentSerializer,
    DeploymentStatusReportSerializer,
    DomainStatusReportSerializer,
    ProjectDatabaseCreateSerializer,
    ProjectDatabaseSerializer,
    ProjectDomainClaimSerializer,
    ProjectDomainSerializer,
    ProjectSnapshotSerializer,
    ProjectSnapshotWriteSerializer,
    SnapshotStatusReportSerializer,
)
from projects.views.base import (
    SERVICE_ACTION,
    PlainWritesMixin,
    ProjectChildViewSet,
    ProjectScopedViewSet,
    write_schemas,
)


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


class ProjectDomainViewSet(ProjectScopedViewSet):
    """The project's one domain (PRJ-101 to PRJ-104): GET reads it (404 before a claim), PUT
    claims or moves it (201 on a first claim, 200 after), DELETE releases it; the runtime
    reports DNS and TLS through `status/`."""

    http_method_names = ["get", "put", "post", "delete", "head", "options"]
    serializer_class = ProjectDomainSerializer
    write_serializers = {
        "claim": ProjectDomainClaimSerializer,
        "status": DomainStatusReportSerializer,
    }
    service_actions = frozenset({"status"})

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ProjectDomain.objects.none()
        return ProjectDomain.objects.filter(project=self.project)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["project"] = self.project
        return context

    @cached_property
    def domain(self):
        domain = self.get_queryset().first()
        if domain is None:
            raise NotFound("This project has no domain.")
        domain.project = self.project
        return domain

    @extend_schema(summary="The project's domain (PRJ-101)")
    def retrieve_domain(self, request, *args, **kwargs):
        return self.respond(self.domain)

    @extend_schema(
        summary="Claim a subdomain for the project, or move its domain (PRJ-101, PRJ-102)",
        request=ProjectDomainClaimSerializer,
        responses={200: ProjectDomainSerializer, 201: ProjectDomainSerializer},
    )
    def claim(self, request, *args, **kwargs):
        data = self.validated()
        domain, created = services.domain_claim(
            actor=request.user, project=self.project, subdomain=data["subdomain"]
        )
        return self.read(domain, HTTP_201_CREATED if created else 200)

    @extend_schema(summary="Release the project's domain (PRJ-103)", responses={204: None})
    def release(self, request, *args, **kwargs):
        services.domain_release(actor=request.user, domain=self.domain)
        return Response(status=HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Service: the runtime reports the domain's DNS and TLS (PRJ-104)",
        request=DomainStatusReportSerializer,
        responses={200: ProjectDomainSerializer},
    )
    def status(self, request, *args, **kwargs):
        self.check_object_permissions(request, self.domain)
        data = self.validated()
        domain = services.domain_report_status(actor=request.user, domain=self.domain, **data)
        return self.read(domain)


@write_schemas(ProjectDatabaseSerializer, create=ProjectDatabaseCreateSerializer)
class ProjectDatabaseViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, ProjectChildViewSet
):
    """The project's databases (PRJ-120 to PRJ-122): the owner lists, reads and deletes them;
    the owner (bring your own) or the runtime (provisioning) creates them."""

    model = ProjectDatabase
    serializer_class = ProjectDatabaseSerializer
    write_serializers = {"create": ProjectDatabaseCreateSerializer}
    service_actions = frozenset({"create"})

    def scoped_queryset(self, queryset):
        return queryset.defer(*ProjectDatabase.secret_fields).order_by("-created_at", "-id")

    def create(self, request, *args, **kwargs):
        data = self.validated(ProjectDatabaseCreateSerializer)
        database = services.database_create(actor=request.user, project=self.project, **data)
        return self.read(database, HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.database_delete(actor=self.request.user, database=instance)
