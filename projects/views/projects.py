"""projects/: CRUD, hibernate and wake, activity, and the runtime's environment reports."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.status import (
    HTTP_200_OK,
    HTTP_201_CREATED,
    HTTP_202_ACCEPTED,
    HTTP_204_NO_CONTENT,
)

from config.api import StudioViewSet
from projects import filters, services
from projects.models import EnvironmentStatus, Project
from projects.selectors import project_detail, project_rows, visible_project_row, with_canvas
from projects.serializers.project import (
    EnvironmentReportSerializer,
    ProjectDetailSerializer,
    ProjectSerializer,
    ProjectWriteSerializer,
)
from projects.views.base import SERVICE_ACTION, ServiceReachMixin, write_schemas


@write_schemas(
    ProjectDetailSerializer,
    create=ProjectWriteSerializer,
    update=ProjectWriteSerializer,
)
class ProjectViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    ServiceReachMixin,
    StudioViewSet,
):
    serializer_class = ProjectDetailSerializer
    write_serializers = {
        "create": ProjectWriteSerializer,
        "partial_update": ProjectWriteSerializer,
    }
    filterset_class = filters.ProjectFilter
    lookup_url_kwarg = "id"
    lookup_value_converter = "uuid"
    service_actions = frozenset({"environment", "activity"})

    def get_queryset(self):
        if self.reaches_every_project():
            projects = Project.objects.all()
        else:
            projects = Project.objects.visible_to(self.request.user)
        if self.action == "list":
            return projects.defer("architecture_diagram").order_by("-updated_at", "id")
        return projects

    def get_serializer_class(self):
        if self.action == "list":
            return ProjectSerializer
        return super().get_serializer_class()

    def retrieve(self, request, *args, **kwargs):
        if self.reaches_every_project():
            row = get_object_or_404(project_rows(self.get_queryset()), pk=kwargs["id"])
        else:  # W3: the owner's read, compiled once
            row = visible_project_row(request.user, kwargs["id"])
            if row is None:
                raise Http404("No Project matches the given query.")  # as get_object_or_404
        return Response(project_detail(row))

    def read(self, instance, status_code=HTTP_200_OK):
        fresh = get_object_or_404(with_canvas(self.get_queryset()), pk=instance.pk)
        return Response(ProjectDetailSerializer(fresh).data, status=status_code)

    def create(self, request, *args, **kwargs):
        data = self.validated(ProjectWriteSerializer)
        project = services.project_create(actor=request.user, owner=request.user, **data)
        return self.read(project, HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        serializer = self.checked(ProjectWriteSerializer, instance=self.get_object())
        return self.read(serializer.save())

    def perform_destroy(self, instance):
        services.project_delete(actor=self.request.user, project=instance)

    @extend_schema(request=None, responses={202: ProjectDetailSerializer})
    @action(detail=True, methods=["post"])
    def hibernate(self, request, **kwargs):
        """The owner asks the runtime to stop the project (`active` or `error` → `stopping`)."""
        return self._transition(EnvironmentStatus.STOPPING)

    @extend_schema(request=None, responses={202: ProjectDetailSerializer})
    @action(detail=True, methods=["post"])
    def wake(self, request, **kwargs):
        """The owner asks the runtime to start the project (`hibernated` or `error` →
        `starting`)."""
        return self._transition(EnvironmentStatus.STARTING)

    def _transition(self, to):
        project = services.project_environment_transition(
            project=self.get_object(), to=to, actor=self.request.user
        )
        return self.read(project, HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"])
    def activity(self, request, **kwargs):
        """Records user or agent activity (PRJ-7): owner, or service."""
        services.project_touch(actor=request.user, project=self.get_object())
        return Response(status=HTTP_204_NO_CONTENT)

    @extend_schema(
        request=EnvironmentReportSerializer,
        responses={200: ProjectDetailSerializer},
    )
    @action(detail=True, methods=["post"], permission_classes=SERVICE_ACTION)
    def environment(self, request, **kwargs):
        """Service: the runtime reports that a stop or start finished or failed (PRJ-4)."""
        project = self.get_object()
        data = self.validated(EnvironmentReportSerializer)
        services.project_environment_transition(
            project=project,
            to=data["status"],
            actor=request.user,
            archive_size_bytes=data.get("s3_archive_size_bytes"),
            snapshot=data.get("snapshot"),
        )
        return self.read(project)
