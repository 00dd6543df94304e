"""Base viewsets of the projects API: per-user scoping, nested routes and read/write shapes."""

from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import IsAuthenticated
from rest_framework.status import HTTP_201_CREATED

from config.api import ScopeFirstMixin, StudioViewSet
from projects.models import Project
from projects.permissions import REPORT_RUNTIME_STATE, CanReportRuntimeState

SERVICE_ACTION = [IsAuthenticated, CanReportRuntimeState]


class ServiceReachMixin:
    """On its `service_actions`, a holder of `service_permission` (the agent runtime) reaches
    every project, not only their own (API.md §2). Asked only there, so owners' other calls
    cost no permission query."""

    service_permission = REPORT_RUNTIME_STATE
    service_actions = frozenset()

    def reaches_every_project(self):
        return getattr(self, "action", None) in self.service_actions and (
            self.request.user.has_perm(self.service_permission)
        )


class ProjectInUrlMixin(ServiceReachMixin):
    """The one lookup of the project in `projects/{pid}/`, for every view under it: through
    `visible_to`, so another user's project is a 404 (a service caller's, on its service
    actions: any project). `project_fields` are what the children's rules read of their
    project; `project_related` joins one row the view needs with it (kanban's board)."""

    project_fields = ("id", "owner_id", "slug")
    project_related = None

    @cached_property
    def project(self):
        if self.reaches_every_project():
            projects = Project.objects.all()
        else:
            projects = Project.objects.visible_to(self.request.user)
        fields = self.project_fields
        if self.project_related:
            projects = projects.select_related(self.project_related)
            fields = (*fields, self.project_related)
        return get_object_or_404(projects.only(*fields), pk=self.kwargs["pid"])


class ProjectScopedViewSet(ProjectInUrlMixin, ScopeFirstMixin, StudioViewSet):
    """The one viewset under `projects/{pid}/` (projects', chat's, marketplace's project
    agents): the project is looked up right after the permission checks, before the body is
    read, so another user's project is a 404 before any 400."""

    lookup_url_kwarg = "id"


class ProjectChildViewSet(ProjectScopedViewSet):
    """Rows of one model under `projects/{pid}/`, scoped by that project."""

    model = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        return self.scoped_queryset(self.model.objects.filter(project=self.project))

    def scoped_queryset(self, queryset):
        return queryset

    def get_object(self):
        row = super().get_object()
        # The services check the actor against the row's project: hand them the one we read.
        row.project = self.project
        return row

    def get_serializer_context(self):
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["project"] = self.project
        return context


def write_schemas(read, *, create=None, update=None):
    """Schemas of create (201) and partial_update (200): the write shape in, the read one out."""
    views = {}
    if create is not None:
        views["create"] = extend_schema(request=create, responses={201: read})
    if update is not None:
        views["partial_update"] = extend_schema(request=update, responses={200: read})
    return extend_schema_view(**views)


class PlainWritesMixin(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin):
    """List, read, delete, and create and update through the write serializer: for rows whose
    rules are all field rules (each backed by a constraint), so no service is involved."""

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instance = serializer.save(**self.owner_fields())
        return self.read(instance, HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        return self.read(serializer.save())

    def owner_fields(self):
        return {"project": self.project}
