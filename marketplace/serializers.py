"""Request and response shapes of the marketplace API (API.md §9.4).

Read serializers render rows the views' querysets have already joined and annotated
(`creator`, `in_library`, `has_access`), so they never query. Write serializers validate only;
the services write. The rules of an item's own fields live in `marketplace.validators`, which
the models' `clean()` (admin) asks too.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.serializers import UserSummarySerializer
from config.schema import EnumChoiceField
from config.validators import JsonValidator, validate_public_https_url
from marketplace.models import (
    SKILL_CONTENT_MAX_BYTES,
    SKILL_DESCRIPTION_MAX_BYTES,
    SKILL_NAME_RE,
    AgentPricingType,
    BaseCategory,
    BasePricingType,
    BaseVisibility,
    MarketplaceAgent,
    MarketplaceBase,
    ProjectAgent,
    PurchaseType,
    Skill,
    SkillSource,
    WorkflowTemplate,
)
from marketplace.permissions import user_can_read_prompt
from marketplace.validators import (
    PRICE_MAX_CENTS,
    REVIEW_COMMENT_MAX_CHARS,
    agent_errors,
    base_errors,
    normalize_tags,
    validate_branch_name,
)
from projects.models import Container
from projects.serializers.canvas import ContainerConnectionSerializer, ContainerSerializer
from projects.validators import validate_relative_path

ITEM_READ_FIELDS = [
    "id",
    "slug",
    "creator",
    "is_featured",
    "downloads",
    "rating",
    "reviews_count",
    "in_library",
    "has_access",
    "created_at",
    "updated_at",
]
AGENT_WRITE_FIELDS = [
    "name",
    "description",
    "long_description",
    "category",
    "icon",
    "tags",
    "tools",
    "model",
    "pricing_type",
    "price",
    "api_pricing_input",
    "api_pricing_output",
    "is_forkable",
    "system_prompt",
    "tool_configs",
]
PROMPT_FIELDS = ("system_prompt", "tool_configs")
BASE_WRITE_FIELDS = [
    "name",
    "description",
    "long_description",
    "git_repo_url",
    "default_branch",
    "category",
    "tech_stack",
    "tags",
    "icon",
    "pricing_type",
    "price",
]


class ItemReadMixin(serializers.Serializer):
    """What agents and bases show alike: the creator and the caller's library flags."""

    creator = UserSummarySerializer(source="created_by_user", read_only=True, allow_null=True)
    in_library = serializers.BooleanField(read_only=True, help_text="Any library row.")
    has_access = serializers.BooleanField(
        read_only=True, help_text="A library row that grants use now."
    )


class AgentSerializer(ItemReadMixin, serializers.ModelSerializer):
    """An agent. `system_prompt` and `tool_configs` are present only for its creator and
    callers with access: they are what a buyer pays for."""

    pricing_type = EnumChoiceField(AgentPricingType, read_only=True)
    # Declared without `read_only` (this serializer renders only) so the schema marks them
    # optional, as they are.
    system_prompt = serializers.CharField(required=False)
    tool_configs = serializers.JSONField(required=False)

    class Meta:
        model = MarketplaceAgent
        fields = [
            *ITEM_READ_FIELDS,
            *AGENT_WRITE_FIELDS,
            "parent_agent",
            "is_published",
            "published_at",
        ]
        read_only_fields = [f for f in fields if f not in PROMPT_FIELDS]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not user_can_read_prompt(self.context["request"].user, instance):
            for name in PROMPT_FIELDS:
                del data[name]
        return data


class ItemWriteMixin(serializers.Serializer):
    """Checks the item's own rules against the values it will have (the stored ones
    overlaid with the request's), and stores tags normalized."""

    field_errors = None  # agent_errors or base_errors
    tags = serializers.JSONField(
        required=False,
        validators=[JsonValidator(list)],
        help_text="At most 20 tags of 50 characters.",
    )

    def validate(self, attrs):
        current = {f: getattr(self.instance, f) for f in self.fields} if self.instance else {}
        errors = type(self).field_errors({**current, **attrs})
        if errors:
            raise serializers.ValidationError(errors)
        if "tags" in attrs:
            attrs["tags"] = normalize_tags(attrs["tags"])
        return attrs


class AgentWriteSerializer(ItemWriteMixin, serializers.ModelSerializer):
    """A new agent (MKT-3), or the creator's edit (MKT-4): the price must match the type."""

    field_errors = staticmethod(agent_errors)
    pricing_type = EnumChoiceField(AgentPricingType, required=False)
    price = serializers.IntegerField(min_value=0, max_value=PRICE_MAX_CENTS, required=False)
    api_pricing_input = serializers.DecimalField(
        max_digits=12, decimal_places=4, min_value=0, required=False
    )
    api_pricing_output = serializers.DecimalField(
        max_digits=12, decimal_places=4, min_value=0, required=False
    )
    tools = serializers.JSONField(
        required=False, validators=[JsonValidator(list)], help_text="At most 100 tool names."
    )
    tool_configs = serializers.JSONField(
        required=False,
        validators=[JsonValidator()],
        help_text="Overrides per tool, keyed by names listed in `tools`.",
    )

    class Meta:
        model = MarketplaceAgent
        fields = AGENT_WRITE_FIELDS


class BaseSerializer(ItemReadMixin, serializers.ModelSerializer):
    category = EnumChoiceField(BaseCategory, read_only=True)
    pricing_type = EnumChoiceField(BasePricingType, read_only=True)
    visibility = EnumChoiceField(BaseVisibility, read_only=True)

    class Meta:
        model = MarketplaceBase
        fields = [*ITEM_READ_FIELDS, *BASE_WRITE_FIELDS, "visibility"]
        read_only_fields = fields


class BaseWriteSerializer(ItemWriteMixin, serializers.ModelSerializer):
    """A new base (MKT-15: always private), or the creator's edit (with `visibility`)."""

    field_errors = staticmethod(base_errors)
    git_repo_url = serializers.URLField(max_length=500, validators=[validate_public_https_url])
    default_branch = serializers.CharField(
        max_length=100, required=False, validators=[validate_branch_name]
    )
    category = EnumChoiceField(BaseCategory)
    pricing_type = EnumChoiceField(BasePricingType, required=False)
    price = serializers.IntegerField(min_value=0, max_value=PRICE_MAX_CENTS, required=False)
    tech_stack = serializers.JSONField(
        required=False, validators=[JsonValidator(list)], help_text="At most 30 technologies."
    )

    class Meta:
        model = MarketplaceBase
        fields = BASE_WRITE_FIELDS


class BaseUpdateSerializer(BaseWriteSerializer):
    visibility = EnumChoiceField(BaseVisibility, required=False)

    class Meta(BaseWriteSerializer.Meta):
        fields = [*BASE_WRITE_FIELDS, "visibility"]


class AgentForkSerializer(serializers.Serializer):
    name = serializers.CharField(
        max_length=100, required=False, help_text='Default: "<parent name> (fork)".'
    )


class BaseUseSerializer(serializers.Serializer):
    """MKT-16: the container's project (one of the caller's), name and directory."""

    project = serializers.UUIDField()
    name = serializers.CharField(max_length=63)
    directory = serializers.CharField(max_length=255, required=False, allow_blank=True)

    def validate_name(self, value):
        Container._meta.get_field("name").run_validators(value)
        return value

    def validate_directory(self, value):
        if value:
            validate_relative_path(value)
        return value


class ItemSummarySerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    slug = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    icon = serializers.CharField(read_only=True)


class LibraryEntryMixin(serializers.Serializer):
    purchase_type = EnumChoiceField(PurchaseType, read_only=True)
    is_active = serializers.BooleanField(read_only=True)
    has_access = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(read_only=True)

    def get_has_access(self, row) -> bool:
        return row.has_access(self.context["now"])


class LibraryAgentEntrySerializer(LibraryEntryMixin):
    id = serializers.UUIDField(read_only=True)
    agent = ItemSummarySerializer(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True, allow_null=True)


class LibraryBaseEntrySerializer(LibraryEntryMixin):
    id = serializers.UUIDField(read_only=True)
    base = ItemSummarySerializer(read_only=True)
    # Bases have no subscriptions; the key is kept so both libraries have one shape.
    expires_at = serializers.SerializerMethodField()

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_expires_at(self, row):
        return None


class ReviewSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    user = UserSummarySerializer(read_only=True)
    rating = serializers.IntegerField(read_only=True)
    comment = serializers.CharField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class ReviewWriteSerializer(serializers.Serializer):
    """MKT-40, MKT-41: a 1-5 rating and an optional comment."""

    rating = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(
        max_length=REVIEW_COMMENT_MAX_CHARS, required=False, allow_blank=True
    )


class WorkflowTemplateSerializer(serializers.ModelSerializer):
    class Meta:
        model = WorkflowTemplate
        fields = [
            "id",
            "slug",
            "name",
            "description",
            "category",
            "tags",
            "icon",
            "is_featured",
            "downloads",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class WorkflowTemplateDetailSerializer(WorkflowTemplateSerializer):
    class Meta(WorkflowTemplateSerializer.Meta):
        fields = [*WorkflowTemplateSerializer.Meta.fields, "template_definition"]
        fields += ["required_credentials"]
        read_only_fields = fields


class WorkflowApplySerializer(serializers.Serializer):
    project = serializers.UUIDField(help_text="One of your projects.")


class WorkflowApplyResultSerializer(serializers.Serializer):
    containers = ContainerSerializer(many=True, read_only=True)
    connections = ContainerConnectionSerializer(many=True, read_only=True)


class ProjectAgentSerializer(serializers.ModelSerializer):
    agent = ItemSummarySerializer(read_only=True)

    class Meta:
        model = ProjectAgent
        fields = ["id", "agent", "enabled", "created_at"]
        read_only_fields = fields


class VisibleAgentField(serializers.PrimaryKeyRelatedField):
    """An agent the caller may see; any other id is "does not exist", like a missing one."""

    def __init__(self, **kwargs):
        super().__init__(pk_field=serializers.UUIDField(), **kwargs)

    def get_queryset(self):
        return MarketplaceAgent.objects.visible_to(self.context["request"].user)


class ProjectAgentCreateSerializer(serializers.Serializer):
    agent = VisibleAgentField(help_text="An agent in the project owner's library (MKT-30).")


class ProjectAgentUpdateSerializer(serializers.Serializer):
    enabled = serializers.BooleanField()


class SkillSerializer(serializers.ModelSerializer):
    class Meta:
        model = Skill
        fields = [
            "id",
            "owner",
            "name",
            "description",
            "source",
            "source_url",
            "content",
            "allowed_tools",
            "license",
            "compatibility",
            "is_enabled",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class SkillUpdateSerializer(serializers.Serializer):
    name = serializers.RegexField(
        SKILL_NAME_RE,
        max_length=64,
        required=False,
        error_messages={"invalid": "Use lowercase letters and digits joined by single hyphens."},
    )
    description = serializers.CharField(max_length=1024, required=False, allow_blank=True)
    source_url = serializers.URLField(
        max_length=500, required=False, allow_blank=True, validators=[validate_public_https_url]
    )
    content = serializers.CharField(
        max_length=SKILL_CONTENT_MAX_BYTES, required=False, trim_whitespace=False
    )
    allowed_tools = serializers.ListField(
        child=serializers.CharField(max_length=128), max_length=200, required=False
    )
    license = serializers.CharField(max_length=500, required=False, allow_blank=True)
    compatibility = serializers.CharField(max_length=500, required=False, allow_blank=True)
    is_enabled = serializers.BooleanField(required=False)

    def validate_description(self, value):
        return _within_bytes(value, SKILL_DESCRIPTION_MAX_BYTES)

    def validate_content(self, value):
        return _within_bytes(value, SKILL_CONTENT_MAX_BYTES)


def _within_bytes(value, limit):
    if len(value.encode()) > limit:
        raise serializers.ValidationError(f"Keep this under {limit // 1024} KiB in UTF-8.")
    return value


class SkillCreateSerializer(SkillUpdateSerializer):
    name = serializers.RegexField(
        SKILL_NAME_RE,
        max_length=64,
        error_messages={"invalid": "Use lowercase letters and digits joined by single hyphens."},
    )
    content = serializers.CharField(max_length=SKILL_CONTENT_MAX_BYTES, trim_whitespace=False)
    source = serializers.ChoiceField(choices=SkillSource.values, required=False)
