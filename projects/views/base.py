"""Base viewsets of the projects API: per-user scoping, nested routes and read/write shapes."""

from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import IsAuthenticated
from rest_framework.status import HTTP_201_CREATED

from config.api import ActionShapesMixin, GenericViewSet, ListFiltersMixin, ScopeFirstMixin
from projects.models import Project
from projects.permissions import CanReportRuntimeState, user_can_report_runtime_state

SERVICE_ACTION = [IsAuthenticated, CanReportRuntimeState]


class ViewSet(ListFiltersMixin, ActionShapesMixin, GenericViewSet):
    """A viewset with separate request (`write_serializers`) and response (`serializer_class`)
    shapes, and filters that shape lists only. Responses to writes are built from the row
    re-read through `get_queryset()`."""

    service_actions = frozenset()

    def caller_is_service(self):
        """Whether this request reaches every project: a service action, by a service caller."""
        return self.action in self.service_actions and user_can_report_runtime_state(
            self.request.user
        )


class ProjectChildViewSet(ScopeFirstMixin, ViewSet):
    """A viewset nested under `projects/{pid}/`, scoped by the project the caller may see."""

    lookup_url_kwarg = "id"
    lookup_value_converter = "uuid"
    model = None

    @cached_property
    def project(self):
        if self.caller_is_service():
            projects = Project.objects.all()
        else:
            projects = Project.objects.visible_to(self.request.user)
        # What the children's rules read of their project: its id, owner and slug.
        project_fields = ("id", "owner_id", "slug")
        return get_object_or_404(projects.only(*project_fields), pk=self.kwargs["pid"])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        return self.scoped_queryset(self.model.objects.filter(project=self.project))

    def scoped_queryset(self, queryset):
        return queryset

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
