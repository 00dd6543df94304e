"""The marketplace API (API.md §9.4): agents, bases, reviews, workflow templates, libraries and
project agents. The two `purchase` endpoints are billing's views, mounted at these paths.

Items are always looked up through `visible_to(request.user)`, so an item the caller may not
see is a 404 before any 403 (API.md §3). Writes go through `marketplace.services`; each
response is re-read through `get_queryset()`.
"""

from django.db.models import F
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.functional import cached_property
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from config.api import StudioViewSet
from marketplace import filters, services
from marketplace.models import (
    AgentReview,
    BaseReview,
    MarketplaceAgent,
    MarketplaceBase,
    ProjectAgent,
    Skill,
    UserPurchasedAgent,
    UserPurchasedBase,
    WorkflowTemplate,
)
from marketplace.permissions import IsAuthor, IsCreator
from marketplace.selectors import related_agents
from marketplace.serializers import (
    AgentForkSerializer,
    AgentSerializer,
    AgentWriteSerializer,
    BaseSerializer,
    BaseUpdateSerializer,
    BaseUseSerializer,
    BaseWriteSerializer,
    LibraryAgentEntrySerializer,
    LibraryBaseEntrySerializer,
    ProjectAgentCreateSerializer,
    ProjectAgentSerializer,
    ProjectAgentUpdateSerializer,
    ReviewSerializer,
    ReviewWriteSerializer,
    SkillCreateSerializer,
    SkillSerializer,
    SkillUpdateSerializer,
    WorkflowApplyResultSerializer,
    WorkflowApplySerializer,
    WorkflowTemplateDetailSerializer,
    WorkflowTemplateSerializer,
)
from projects.models import Container, ContainerConnection, Project
from projects.serializers.canvas import ContainerSerializer
from projects.views.base import ProjectChildViewSet

ANYONE = [AllowAny]
SIGNED_IN = [IsAuthenticated]
CREATOR = [IsAuthenticated, IsCreator]
AUTHOR = [IsAuthenticated, IsAuthor]


class CatalogueViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, StudioViewSet):
    """What agents and bases share: browsing, the creator's edits and deletion."""

    model = None
    action_permissions = {
        "list": ANYONE,
        "retrieve": ANYONE,
        "related": ANYONE,
        "partial_update": CREATOR,
        "destroy": CREATOR,
        "publish": CREATOR,
        "unpublish": CREATOR,
    }

    def get_queryset(self):
        user = self.request.user
        return (
            self.model.objects.visible_to(user)
            .with_library_flags(user)
            .select_related("created_by_user")
            .order_by("-downloads", "-created_at", "id")
        )


@extend_schema_view(
    list=extend_schema(summary="Listed agents (MKT-1), or your own with mine=true"),
    retrieve=extend_schema(summary="A listed agent, or one you created or hold (MKT-1)"),
    create=extend_schema(
        summary="Create an agent: unpublished, in your library (MKT-3)",
        request=AgentWriteSerializer,
        responses={201: AgentSerializer},
    ),
    partial_update=extend_schema(
        summary="Edit your agent (MKT-4, MKT-5)",
        request=AgentWriteSerializer,
        responses={200: AgentSerializer},
    ),
    destroy=extend_schema(
        summary="Delete your agent; 409 agent_in_use while others hold it (MKT-8)",
        responses={204: None},
    ),
)
class AgentViewSet(CatalogueViewSet):
    """AI agents. Anyone browses listed agents; signed-in callers also see their own and those
    in their library. Only the creator edits, publishes or deletes an agent (403 for others
    who can see it). `system_prompt` and `tool_configs` are shown to the creator and to
    callers with access only."""

    model = MarketplaceAgent
    serializer_class = AgentSerializer
    filterset_class = filters.AgentFilter
    write_serializers = {
        "create": AgentWriteSerializer,
        "partial_update": AgentWriteSerializer,
        "fork": AgentForkSerializer,
    }

    def create(self, request):
        data = self.validated()
        agent = services.agent_create(actor=request.user, creator=request.user, **data)
        return self.read(agent, status_code=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        agent = self.get_object()
        changes = self.validated(instance=agent)
        services.agent_update(actor=request.user, agent=agent, changes=dict(changes))
        return self.read(agent)

    def destroy(self, request, pk=None):
        services.agent_delete(actor=request.user, agent=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="Publish your agent (MKT-6)", request=None)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        agent = self.get_object()
        services.agent_publish(actor=request.user, agent=agent)
        return self.read(agent)

    @extend_schema(summary="Unpublish your agent; library rows keep working (MKT-6)", request=None)
    @action(detail=True, methods=["post"])
    def unpublish(self, request, pk=None):
        agent = self.get_object()
        services.agent_unpublish(actor=request.user, agent=agent)
        return self.read(agent)

    @extend_schema(
        summary="Fork a forkable agent into your library (MKT-7)",
        request=AgentForkSerializer,
        responses={201: AgentSerializer},
    )
    @action(detail=True, methods=["post"])
    def fork(self, request, pk=None):
        parent = self.get_object()
        data = self.validated()
        fork = services.agent_fork(actor=request.user, parent=parent, name=data.get("name"))
        return self.read(fork, status_code=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Agents installed together with this one (MKT-52); at most 6, not paginated",
        responses={200: AgentSerializer(many=True)},
        filters=False,
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def related(self, request, pk=None):
        agents = related_agents(self.get_object(), request.user)
        return Response(
            AgentSerializer(agents, many=True, context=self.get_serializer_context()).data
        )


@extend_schema_view(
    list=extend_schema(summary="Public bases (MKT-1), or your own with mine=true"),
    retrieve=extend_schema(summary="A public base, or one you created or hold"),
    create=extend_schema(
        summary="Submit a base: private, in your library (MKT-15)",
        request=BaseWriteSerializer,
        responses={201: BaseSerializer},
    ),
    partial_update=extend_schema(
        summary="Edit your base, including its visibility (MKT-15)",
        request=BaseUpdateSerializer,
        responses={200: BaseSerializer},
    ),
    destroy=extend_schema(
        summary="Delete your base; 409 base_in_use while others hold it (MKT-17)",
        responses={204: None},
    ),
)
class BaseViewSet(CatalogueViewSet):
    """Project templates that become containers. Anyone browses public bases; signed-in callers
    also see their own and those in their library. Only the creator edits or deletes a base."""

    model = MarketplaceBase
    serializer_class = BaseSerializer
    filterset_class = filters.BaseFilter
    write_serializers = {
        "create": BaseWriteSerializer,
        "partial_update": BaseUpdateSerializer,
        "use": BaseUseSerializer,
    }

    def create(self, request):
        data = self.validated()
        base = services.base_submit(actor=request.user, creator=request.user, **data)
        return self.read(base, status_code=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        base = self.get_object()
        changes = self.validated(instance=base)
        services.base_update(actor=request.user, base=base, changes=dict(changes))
        return self.read(base)

    def destroy(self, request, pk=None):
        services.base_delete(actor=request.user, base=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Add a container built from this base to one of your projects (MKT-16)",
        request=BaseUseSerializer,
        responses={201: ContainerSerializer},
    )
    @action(detail=True, methods=["post"])
    def use(self, request, pk=None):
        base = self.get_object()
        data = self.validated()
        project = get_object_or_404(Project.objects.visible_to(request.user), pk=data["project"])
        container = services.base_use(
            actor=request.user,
            base=base,
            project=project,
            name=data["name"],
            directory=data.get("directory", ""),
        )
        fresh = Container.objects.select_related("base").get(pk=container.pk)
        return Response(ContainerSerializer(fresh).data, status=status.HTTP_201_CREATED)


class ReviewViewSet(mixins.ListModelMixin, StudioViewSet):
    """Reviews of an item the caller can see (else 404), newest first. Writing needs access and
    never one's own item (MKT-40); one review per user (MKT-41); only the author edits or
    deletes it. Every change recomputes the item's rating under its row lock (MKT-42)."""

    item_model = None
    review_model = None
    item_kwarg = None
    serializer_class = ReviewSerializer
    filterset_class = filters.ReviewFilter
    action_permissions = {"list": ANYONE, "partial_update": AUTHOR, "destroy": AUTHOR}
    write_serializers = {"create": ReviewWriteSerializer, "partial_update": ReviewWriteSerializer}

    @cached_property
    def item(self):
        items = self.item_model.objects.visible_to(self.request.user)
        return get_object_or_404(items, pk=self.kwargs[self.item_kwarg])

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no item
            return self.review_model.objects.none()
        field = self.item_kwarg.removesuffix("_pk")
        return (
            self.review_model.objects.filter(**{field: self.item})
            .select_related("user")
            .order_by("-created_at", "id")
        )

    def get_object(self):
        review = super().get_object()
        setattr(review, self.item_kwarg.removesuffix("_pk"), self.item)
        return review

    def create(self, request, **kwargs):
        item = self.item  # an invisible item is a 404 before any 400
        data = self.validated()
        review = services.review_create(actor=request.user, item=item, **data)
        return self.read(review, status_code=status.HTTP_201_CREATED)

    def partial_update(self, request, **kwargs):
        review = self.get_object()
        changes = self.validated(instance=review)
        services.review_update(actor=request.user, review=review, changes=dict(changes))
        return self.read(review)

    def destroy(self, request, **kwargs):
        services.review_delete(actor=request.user, review=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


REVIEW_SCHEMAS = {
    "list": extend_schema(summary="Reviews of a visible item, newest first"),
    "create": extend_schema(
        summary="Review an item you have access to and did not create (MKT-40, MKT-41)",
        request=ReviewWriteSerializer,
        responses={201: ReviewSerializer},
    ),
    "partial_update": extend_schema(
        summary="Edit your review (MKT-41)",
        request=ReviewWriteSerializer,
        responses={200: ReviewSerializer},
    ),
    "destroy": extend_schema(summary="Delete your review (MKT-42)", responses={204: None}),
}


@extend_schema_view(**REVIEW_SCHEMAS)
class AgentReviewViewSet(ReviewViewSet):
    item_model = MarketplaceAgent
    review_model = AgentReview
    item_kwarg = "agent_pk"


@extend_schema_view(**REVIEW_SCHEMAS)
class BaseReviewViewSet(ReviewViewSet):
    item_model = MarketplaceBase
    review_model = BaseReview
    item_kwarg = "base_pk"


@extend_schema_view(
    list=extend_schema(summary="Published workflow templates (no definition)"),
    retrieve=extend_schema(summary="A published template, with its definition"),
)
class WorkflowTemplateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, StudioViewSet):
    """Ready-made sets of containers and connections, written by staff in admin. Anyone
    browses published templates; a signed-in user applies one to their own project."""

    serializer_class = WorkflowTemplateDetailSerializer
    filterset_class = filters.WorkflowFilter
    action_permissions = {"list": ANYONE, "retrieve": ANYONE}
    write_serializers = {"apply": WorkflowApplySerializer}

    def get_serializer_class(self):
        if self.action == "list":
            return WorkflowTemplateSerializer
        return super().get_serializer_class()

    def get_queryset(self):
        templates = WorkflowTemplate.objects.listed().order_by("-downloads", "name", "id")
        if self.action == "list":
            return templates.defer("template_definition", "required_credentials")
        return templates

    @extend_schema(
        summary="Apply the template to one of your projects (MKT-19)",
        request=WorkflowApplySerializer,
        responses={
            201: OpenApiResponse(
                WorkflowApplyResultSerializer, description="The containers and connections made."
            )
        },
    )
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        template = self.get_object()
        data = self.validated()
        project = get_object_or_404(Project.objects.visible_to(request.user), pk=data["project"])
        containers, connections = services.workflow_apply(
            actor=request.user, template=template, project=project
        )
        body = {
            "containers": Container.objects.filter(pk__in=[c.pk for c in containers])
            .select_related("base")
            .order_by("name", "id"),
            "connections": ContainerConnection.objects.filter(
                pk__in=[c.pk for c in connections]
            ).order_by("created_at", "id"),
        }
        return Response(WorkflowApplyResultSerializer(body).data, status=status.HTTP_201_CREATED)


class LibraryViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, StudioViewSet
):
    """The caller's own library, newest first. Deleting an entry deactivates it and keeps the
    row (MKT-21); adding it back later reactivates it without a new charge or download."""

    row_model = None
    item_field = None

    def get_queryset(self):
        user = self.request.user
        if not user.is_authenticated:  # schema generation, or a 401 about to be raised
            return self.row_model.objects.none()
        return (
            self.row_model.objects.filter(user=user)
            .select_related(self.item_field)
            .order_by("-created_at", "id")
        )

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": timezone.now()}

    def perform_destroy(self, instance):
        services.library_entry_remove(actor=self.request.user, row=instance)


@extend_schema_view(
    list=extend_schema(summary="Your agents library"),
    retrieve=extend_schema(summary="One entry of your agents library"),
    destroy=extend_schema(summary="Remove an agent from your library (MKT-21)"),
)
class LibraryAgentViewSet(LibraryViewSet):
    row_model = UserPurchasedAgent
    item_field = "agent"
    serializer_class = LibraryAgentEntrySerializer
    filterset_class = filters.LibraryAgentFilter


@extend_schema_view(
    list=extend_schema(summary="Your bases library"),
    retrieve=extend_schema(summary="One entry of your bases library"),
    destroy=extend_schema(summary="Remove a base from your library (MKT-21)"),
)
class LibraryBaseViewSet(LibraryViewSet):
    row_model = UserPurchasedBase
    item_field = "base"
    serializer_class = LibraryBaseEntrySerializer
    filterset_class = filters.LibraryBaseFilter


@extend_schema_view(
    list=extend_schema(summary="The agents switched on for your project"),
    create=extend_schema(
        summary="Add an agent from your library to the project (MKT-30, MKT-31)",
        request=ProjectAgentCreateSerializer,
        responses={201: ProjectAgentSerializer},
    ),
    partial_update=extend_schema(
        summary="Switch the agent on or off (MKT-30)",
        request=ProjectAgentUpdateSerializer,
        responses={200: ProjectAgentSerializer},
    ),
    destroy=extend_schema(summary="Take the agent off the project", responses={204: None}),
)
class ProjectAgentViewSet(mixins.ListModelMixin, ProjectChildViewSet):
    """Agents of the project owner's library switched on for one project. Another user's
    project is a 404."""

    model = ProjectAgent
    lookup_url_kwarg = "pk"
    serializer_class = ProjectAgentSerializer
    write_serializers = {
        "create": ProjectAgentCreateSerializer,
        "partial_update": ProjectAgentUpdateSerializer,
    }

    def scoped_queryset(self, queryset):
        return queryset.select_related("agent").order_by("created_at", "id")

    def create(self, request, pid=None):
        data = self.validated()
        project_agent = services.project_agent_add(
            actor=request.user, project=self.project, agent=data["agent"]
        )
        return self.read(project_agent, status_code=status.HTTP_201_CREATED)

    def partial_update(self, request, pid=None, pk=None):
        project_agent = self.get_object()
        data = self.validated(instance=project_agent)
        if "enabled" in data:  # a PATCH that names no field changes nothing
            services.project_agent_set_enabled(
                actor=request.user, project_agent=project_agent, enabled=data["enabled"]
            )
        return self.read(project_agent)

    def destroy(self, request, pid=None, pk=None):
        services.project_agent_remove(actor=request.user, project_agent=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary="The built-in skills and your own (MKT-60)"),
    retrieve=extend_schema(summary="A built-in skill or one of yours (MKT-60)"),
    create=extend_schema(
        summary="Add a skill of your own (MKT-61)",
        request=SkillCreateSerializer,
        responses={201: SkillSerializer},
    ),
    partial_update=extend_schema(
        summary="Edit your skill; built-ins are read-only (MKT-62)",
        request=SkillUpdateSerializer,
        responses={200: SkillSerializer},
    ),
    destroy=extend_schema(summary="Delete your skill (MKT-62)", responses={204: None}),
)
class SkillViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, StudioViewSet
):
    serializer_class = SkillSerializer
    write_serializers = {"create": SkillCreateSerializer, "partial_update": SkillUpdateSerializer}
    filterset_class = filters.SkillFilter

    def get_queryset(self):
        return Skill.objects.visible_to(self.request.user).order_by(
            F("owner").asc(nulls_first=True), "name", "id"
        )

    def create(self, request, *args, **kwargs):
        skill = services.skill_create(actor=request.user, **self.validated())
        return self.read(skill, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        skill = self.get_object()
        data = self.validated(instance=skill)
        return self.read(services.skill_update(actor=request.user, skill=skill, **data))

    def perform_destroy(self, instance):
        services.skill_delete(actor=self.request.user, skill=instance)
