"""projects/: CRUD, hibernate and wake, activity, and the runtime's environment reports."""

from django.db.models import Prefetch
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

from config.api import StudioViewSet, rows_as, values_for
from projects import filters, services
from projects.models import Container, ContainerConnection, EnvironmentStatus, Project
from projects.models.canvas import effective_port, secret_names
from projects.serializers.canvas import ContainerConnectionSerializer, ContainerSerializer
from projects.serializers.project import (
    PROJECT_DETAIL_FIELDS,
    EnvironmentReportSerializer,
    ProjectDetailSerializer,
    ProjectSerializer,
    ProjectWriteSerializer,
    RecentChatSerializer,
)
from projects.views.base import SERVICE_ACTION, ServiceReachMixin, write_schemas

RECENT_CHATS = 5
# The chat model is reached through the `chats` relation, so projects never imports chat.
CHAT_MODEL = Project._meta.get_field("chats").related_model


def with_canvas(projects):
    """The project detail's nested lists, for ProjectDetailSerializer: three prefetch queries,
    whatever their length. Responses to writes use it; a read uses `project_detail()`."""
    return projects.prefetch_related(
        Prefetch(
            "containers", queryset=Container.objects.select_related("base").order_by("name", "id")
        ),
        Prefetch(
            "container_connections",
            queryset=ContainerConnection.objects.order_by("created_at", "id"),
        ),
        Prefetch(
            "chats",
            queryset=CHAT_MODEL.objects.order_by("-created_at", "-id")[:RECENT_CHATS],
            to_attr="recent_chats",
        ),
    )


# W3's lean read path: what ProjectDetailSerializer returns, built from `.values()` rows.
CONTAINER_COMPUTED = ("effective_port", "secret_names", "base")
CONTAINER_VALUES = (
    *(name for name in ContainerSerializer.Meta.fields if name not in CONTAINER_COMPUTED),
    "encrypted_secrets",
    "base_id",
    "base__slug",
    "base__name",
)


def container_representation(row):
    computed = {
        "effective_port": effective_port(row["internal_port"], row["port"]),
        "secret_names": secret_names(row["encrypted_secrets"]),
        "base": {"id": row["base_id"], "slug": row["base__slug"], "name": row["base__name"]}
        if row["base_id"]
        else None,
    }
    return {
        name: computed[name] if name in CONTAINER_COMPUTED else row[name]
        for name in ContainerSerializer.Meta.fields
    }


def columns_of(queryset, serializer_class):
    return rows_as(serializer_class, values_for(queryset, serializer_class))


def project_detail(project):
    """ProjectDetailSerializer's output for `project` (a `.values()` row of its plain fields),
    in three queries: the containers with their bases, the connections, the latest chats.
    Model instances and nested serializers were most of the request's time (W3). UUIDs and
    datetimes are left to the orjson renderer, which writes them as DRF would; tests/projects
    pins the JSON to the serializer's."""
    containers = Container.objects.filter(project_id=project["id"]).order_by("name", "id")
    connections = ContainerConnection.objects.filter(project_id=project["id"])
    chats = CHAT_MODEL.objects.filter(project_id=project["id"]).order_by("-created_at", "-id")
    return {
        **project,
        "containers": [
            container_representation(row) for row in containers.values(*CONTAINER_VALUES)
        ],
        "connections": columns_of(
            connections.order_by("created_at", "id"), ContainerConnectionSerializer
        ),
        "recent_chats": columns_of(chats[:RECENT_CHATS], RecentChatSerializer),
    }


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
        projects = self.get_queryset().values(*PROJECT_DETAIL_FIELDS)
        return Response(project_detail(get_object_or_404(projects, pk=kwargs["id"])))

    def read(self, instance, status_code=HTTP_200_OK):
        fresh = get_object_or_404(with_canvas(self.get_queryset()), pk=instance.pk)
        return Response(ProjectDetailSerializer(fresh).data, status=status_code)

    def create(self, request, *args, **kwargs):
        data = self.validated(ProjectWriteSerializer)
        project = services.project_create(actor=request.user, owner=request.user, **data)
        return self.read(project, HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        serializer = ProjectWriteSerializer(self.get_object(), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
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
