"""The marketplace catalogue and users' libraries (DATA_MODEL.md §5).

Listed means visible to everyone: agents `is_published AND is_active`, bases `public AND
is_active`, workflow templates `is_published`. `visible_to(user)` adds the user's own items and
everything in their library, in any state; anything else is a 404 for them.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.functions import Now
from django.db.models.lookups import LessThanOrEqual

from config.audit import audited
from config.models import BaseModel
from config.validators import JsonValidator, validate_public_https_url
from marketplace.validators import (
    DEFINITION_MAX_BYTES,
    TAGS,
    agent_errors,
    as_model_errors,
    base_errors,
    definition_base_slugs,
    definition_errors,
    required_credentials_errors,
    string_list_errors,
)
from projects.models.common import OctetLength


class AgentPricingType(models.TextChoices):
    FREE = "free"
    MONTHLY = "monthly"
    API = "api", "API"
    ONE_TIME = "one_time"


class BaseCategory(models.TextChoices):
    FULLSTACK = "fullstack", "Full stack"
    FRONTEND = "frontend"
    BACKEND = "backend"
    MOBILE = "mobile"
    DATA = "data"
    DEVOPS = "devops", "DevOps"


class BasePricingType(models.TextChoices):
    FREE = "free"
    PAID = "paid"


class BaseVisibility(models.TextChoices):
    PRIVATE = "private"
    PUBLIC = "public"


class PurchaseType(models.TextChoices):
    FREE = "free"
    PURCHASED = "purchased"
    SUBSCRIPTION = "subscription"


def _rating_constraints(prefix):
    return [
        models.CheckConstraint(
            condition=Q(downloads__gte=0) & Q(reviews_count__gte=0),
            name=f"{prefix}_counters_non_negative",
        ),
        models.CheckConstraint(
            condition=Q(rating__isnull=True) | (Q(rating__gte=1) & Q(rating__lte=5)),
            name=f"{prefix}_rating_range",
        ),
        models.CheckConstraint(
            condition=Q(rating__isnull=True, reviews_count=0)
            | Q(rating__isnull=False, reviews_count__gt=0),
            name=f"{prefix}_rating_iff_reviews",
        ),
    ]


def raise_errors(errors):
    if errors:
        raise ValidationError(as_model_errors(errors))


class CatalogueQuerySet(models.QuerySet):
    """What agents and bases share: listing, visibility and the caller's library flags.

    Subclasses give `listed_condition` and `access_condition` (on a library row); the library
    rows are the item's `purchased_by` relation.
    """

    listed_condition = Q()
    access_condition = Q(is_active=True)

    def listed(self):
        return self.filter(self.listed_condition)

    def library_rows(self, user):
        """The user's library row for each item, as a subquery on `OuterRef("pk")`."""
        relation = self.model._meta.get_field("purchased_by")
        return relation.related_model.objects.filter(
            user=user, **{relation.field.name: OuterRef("pk")}
        )

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.listed()
        return self.filter(
            self.listed_condition | Q(created_by_user=user) | Exists(self.library_rows(user))
        )

    def with_library_flags(self, user):
        """`in_library` (any row) and `has_access` (a row that grants use now), in the query."""
        if not user.is_authenticated:
            return self.annotate(in_library=Value(False), has_access=Value(False))
        rows = self.library_rows(user)
        return self.annotate(
            in_library=Exists(rows), has_access=Exists(rows.filter(self.access_condition))
        )


class AgentQuerySet(CatalogueQuerySet):
    listed_condition = Q(is_published=True, is_active=True)
    access_condition = Q(is_active=True) & (Q(expires_at__isnull=True) | Q(expires_at__gt=Now()))

    def accessible_by(self, user_id):
        """Agents whose library row for `user_id` grants use now (§5.4 `has_access`, MKT-30)."""
        rows = UserPurchasedAgent.objects.filter(user_id=user_id, agent=OuterRef("pk"))
        return self.filter(Exists(rows.filter(self.access_condition)))


class BaseQuerySet(CatalogueQuerySet):
    listed_condition = Q(visibility=BaseVisibility.PUBLIC, is_active=True)


@audited(machine_columns=("rating",))
class MarketplaceAgent(BaseModel):
    """An AI agent users add to their library and switch on for projects (§5.1)."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField()
    long_description = models.TextField(blank=True)
    category = models.CharField(max_length=50, blank=True)
    icon = models.CharField(max_length=32, default="🤖")
    system_prompt = models.TextField(blank=True)
    tools = models.JSONField(default=list, blank=True, validators=[JsonValidator(list)])
    tool_configs = models.JSONField(default=dict, blank=True, validators=[JsonValidator()])
    model = models.CharField(max_length=200, blank=True)
    tags = models.JSONField(default=list, blank=True, validators=[JsonValidator(list)])
    pricing_type = models.CharField(
        max_length=10, choices=AgentPricingType, default=AgentPricingType.FREE
    )
    price = models.IntegerField(default=0)
    api_pricing_input = models.DecimalField(max_digits=12, decimal_places=4, default=0)
    api_pricing_output = models.DecimalField(max_digits=12, decimal_places=4, default=0)
    is_forkable = models.BooleanField(default=False)
    parent_agent = models.ForeignKey(
        "marketplace.MarketplaceAgent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="forks",
    )
    created_by_user = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="created_agents",
    )
    is_published = models.BooleanField(default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    is_featured = models.BooleanField(default=False)
    downloads = models.IntegerField(default=0)
    rating = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    reviews_count = models.IntegerField(default=0)

    objects = AgentQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(pricing_type__in=AgentPricingType.values),
                name="marketplace_agent_pricing_type_valid",
            ),
            models.CheckConstraint(
                condition=Q(pricing_type__in=["free", "api"], price=0)
                | Q(pricing_type__in=["monthly", "one_time"], price__gt=0),
                name="marketplace_agent_price_matches_type",
            ),
            models.CheckConstraint(
                condition=Q(api_pricing_input__gte=0) & Q(api_pricing_output__gte=0),
                name="marketplace_agent_api_prices_non_negative",
            ),
            *_rating_constraints("marketplace_agent"),
            models.CheckConstraint(
                condition=Q(parent_agent__isnull=True) | ~Q(parent_agent=F("id")),
                name="marketplace_agent_not_own_parent",
            ),
        ]
        indexes = [
            models.Index(fields=["is_published", "is_active", "-downloads"]),
            models.Index(fields=["is_published", "is_active", "-created_at"]),
            models.Index(
                fields=["name"],
                name="marketplace_agent_name_like",
                opclasses=["varchar_pattern_ops"],
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        """The rules of §5.1 for admin forms; the API's serializer asks the same function."""
        super().clean()
        raise_errors(agent_errors(vars(self)))


@audited(machine_columns=("rating",))
class MarketplaceBase(BaseModel):
    """A project template that becomes a container (§5.2)."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField()
    long_description = models.TextField(blank=True)
    git_repo_url = models.URLField(max_length=500, validators=[validate_public_https_url])
    default_branch = models.CharField(max_length=100, default="main")
    category = models.CharField(max_length=12, choices=BaseCategory)
    tech_stack = models.JSONField(default=list, blank=True, validators=[JsonValidator(list)])
    tags = models.JSONField(default=list, blank=True, validators=[JsonValidator(list)])
    icon = models.CharField(max_length=32, default="📦")
    pricing_type = models.CharField(
        max_length=10, choices=BasePricingType, default=BasePricingType.FREE
    )
    price = models.IntegerField(default=0)
    created_by_user = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="created_bases",
    )
    visibility = models.CharField(
        max_length=10, choices=BaseVisibility, default=BaseVisibility.PRIVATE
    )
    is_active = models.BooleanField(default=True)
    is_featured = models.BooleanField(default=False)
    downloads = models.IntegerField(default=0)
    rating = models.DecimalField(max_digits=3, decimal_places=2, null=True, blank=True)
    reviews_count = models.IntegerField(default=0)

    objects = BaseQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(category__in=BaseCategory.values),
                name="marketplace_base_category_valid",
            ),
            models.CheckConstraint(
                condition=Q(pricing_type__in=BasePricingType.values),
                name="marketplace_base_pricing_type_valid",
            ),
            models.CheckConstraint(
                condition=Q(visibility__in=BaseVisibility.values),
                name="marketplace_base_visibility_valid",
            ),
            models.CheckConstraint(
                condition=Q(pricing_type="free", price=0) | Q(pricing_type="paid", price__gt=0),
                name="marketplace_base_price_matches_type",
            ),
            *_rating_constraints("marketplace_base"),
        ]
        indexes = [
            models.Index(fields=["visibility", "is_active", "-downloads"]),
            models.Index(fields=["category", "visibility", "is_active"]),
            models.Index(
                fields=["name"],
                name="marketplace_base_name_like",
                opclasses=["varchar_pattern_ops"],
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        """The rules of §5.2 for admin forms; the API's serializer asks the same function."""
        super().clean()
        raise_errors(base_errors(vars(self)))


class WorkflowTemplateQuerySet(models.QuerySet):
    def listed(self):
        return self.filter(is_published=True)


@audited()
class WorkflowTemplate(BaseModel):
    """A ready-made set of containers and connections applied to a project (§5.3)."""

    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField()
    category = models.CharField(max_length=50, blank=True)
    tags = models.JSONField(default=list, blank=True, validators=[JsonValidator(list)])
    icon = models.CharField(max_length=32, default="🔗")
    template_definition = models.JSONField(
        default=dict, validators=[JsonValidator(max_bytes=DEFINITION_MAX_BYTES)]
    )
    required_credentials = models.JSONField(
        default=list, blank=True, validators=[JsonValidator(list)]
    )
    is_published = models.BooleanField(default=False)
    is_featured = models.BooleanField(default=False)
    downloads = models.IntegerField(default=0)

    objects = WorkflowTemplateQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(downloads__gte=0), name="marketplace_workflow_downloads_non_negative"
            ),
        ]
        indexes = [models.Index(fields=["is_published", "-downloads"])]

    def __str__(self):
        return self.name

    def clean(self):
        """MKT-18: checked by the admin form and any import before a template is saved."""
        super().clean()
        tags = string_list_errors(self.tags, **TAGS)
        errors = {
            "template_definition": definition_errors(self.template_definition)
            or self._unknown_base_errors(),
            "required_credentials": required_credentials_errors(self.required_credentials),
            **{f"tags.{path}" if path else "tags": messages for path, messages in tags.items()},
        }
        raise_errors({path: messages for path, messages in errors.items() if messages})

    def _unknown_base_errors(self):
        """MKT-18: every `base` names an existing base (asked once the shape is valid)."""
        slugs = definition_base_slugs(self.template_definition)
        known = set(MarketplaceBase.objects.filter(slug__in=slugs).values_list("slug", flat=True))
        return [f"No base has the slug {slug!r}." for slug in sorted(slugs - known)]


@audited(machine_columns=("free_install_key",))
class UserPurchasedAgent(BaseModel):
    """An agent in a user's library, and the right to use it (§5.4)."""

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="purchased_agents", db_index=False
    )
    agent = models.ForeignKey(
        "marketplace.MarketplaceAgent", on_delete=models.PROTECT, related_name="purchased_by"
    )
    purchase_type = models.CharField(max_length=12, choices=PurchaseType)
    is_active = models.BooleanField(default=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    # The Idempotency-Key of the purchase request that added the row for free (BIL-41): a
    # free install records no sale, so this is how a replay of it is told from a new request.
    # Nullable (NULL: no free install recorded) so that the column is added live.
    free_install_key = models.CharField(  # noqa: DJ001
        max_length=255, null=True, blank=True, editable=False
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(purchase_type__in=PurchaseType.values),
                name="marketplace_upa_purchase_type_valid",
            ),
            models.UniqueConstraint(fields=["user", "agent"], name="marketplace_upa_one_per_user"),
            models.CheckConstraint(
                condition=Q(purchase_type="subscription", expires_at__isnull=False)
                | (~Q(purchase_type="subscription") & Q(expires_at__isnull=True)),
                name="marketplace_upa_expiry_iff_subscription",
            ),
        ]

    def __str__(self):
        return f"{self.user_id} · {self.agent_id}"

    def has_access(self, now):
        return self.is_active and (self.expires_at is None or self.expires_at > now)


@audited(machine_columns=("free_install_key",))
class UserPurchasedBase(BaseModel):
    """A base in a user's library (§5.5); bases have no subscriptions."""

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="purchased_bases", db_index=False
    )
    base = models.ForeignKey(
        "marketplace.MarketplaceBase", on_delete=models.PROTECT, related_name="purchased_by"
    )
    purchase_type = models.CharField(max_length=12, choices=PurchaseType)
    is_active = models.BooleanField(default=True)
    # The Idempotency-Key of the purchase request that added the row for free (BIL-41): a
    # free install records no sale, so this is how a replay of it is told from a new request.
    # Nullable (NULL: no free install recorded) so that the column is added live.
    free_install_key = models.CharField(  # noqa: DJ001
        max_length=255, null=True, blank=True, editable=False
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(purchase_type__in=[PurchaseType.FREE, PurchaseType.PURCHASED]),
                name="marketplace_upb_purchase_type_valid",
            ),
            models.UniqueConstraint(fields=["user", "base"], name="marketplace_upb_one_per_user"),
        ]

    def __str__(self):
        return f"{self.user_id} · {self.base_id}"

    def has_access(self, now=None):
        return self.is_active


@audited()
class ProjectAgent(BaseModel):
    """An agent from the owner's library, switched on for one project (§5.6)."""

    project = models.ForeignKey(
        "projects.Project", on_delete=models.CASCADE, related_name="project_agents", db_index=False
    )
    agent = models.ForeignKey(
        "marketplace.MarketplaceAgent",
        on_delete=models.CASCADE,
        related_name="project_assignments",
    )
    enabled = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "agent"], name="marketplace_projectagent_unique"
            ),
        ]

    def __str__(self):
        return f"{self.agent_id} on {self.project_id}"

    def clean(self):
        """MKT-30 for the admin inline under Project; the API's service checks the same."""
        super().clean()
        if not (self.enabled and self.agent_id and self.project_id):
            return
        owner_id = self.project.owner_id
        if not MarketplaceAgent.objects.accessible_by(owner_id).filter(pk=self.agent_id).exists():
            raise ValidationError({"agent": "The project owner has no access to this agent."})


@audited()
class AgentReview(BaseModel):
    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="agent_reviews"
    )
    agent = models.ForeignKey(
        "marketplace.MarketplaceAgent",
        on_delete=models.CASCADE,
        related_name="reviews",
        db_index=False,
    )
    rating = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5),
                name="marketplace_agentreview_rating_range",
            ),
            models.UniqueConstraint(
                fields=["agent", "user"], name="marketplace_agentreview_one_per_user"
            ),
        ]
        indexes = [models.Index(fields=["agent", "-created_at"])]

    def __str__(self):
        return f"{self.rating}★ by {self.user_id}"


@audited()
class BaseReview(BaseModel):
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="base_reviews")
    base = models.ForeignKey(
        "marketplace.MarketplaceBase",
        on_delete=models.CASCADE,
        related_name="reviews",
        db_index=False,
    )
    rating = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5),
                name="marketplace_basereview_rating_range",
            ),
            models.UniqueConstraint(
                fields=["base", "user"], name="marketplace_basereview_one_per_user"
            ),
        ]
        indexes = [models.Index(fields=["base", "-created_at"])]

    def __str__(self):
        return f"{self.rating}★ by {self.user_id}"


class AgentCoInstall(BaseModel):
    """How many users added both `agent` and `related_agent` (§5.8, MKT-50/51)."""

    agent = models.ForeignKey(
        "marketplace.MarketplaceAgent",
        on_delete=models.CASCADE,
        related_name="co_installs",
        db_index=False,
    )
    related_agent = models.ForeignKey(
        "marketplace.MarketplaceAgent", on_delete=models.CASCADE, related_name="+"
    )
    co_install_count = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "agent co-install"
        constraints = [
            models.UniqueConstraint(
                fields=["agent", "related_agent"], name="marketplace_coinstall_pair_unique"
            ),
            models.CheckConstraint(
                condition=~Q(agent=F("related_agent")), name="marketplace_coinstall_not_self"
            ),
            models.CheckConstraint(
                condition=Q(co_install_count__gte=1), name="marketplace_coinstall_count_positive"
            ),
        ]
        indexes = [models.Index(fields=["agent", "-co_install_count"])]

    def __str__(self):
        return f"{self.agent_id} ↔ {self.related_agent_id}: {self.co_install_count}"


class SkillSource(models.TextChoices):
    BUILTIN = "builtin", "Built-in"
    GITHUB = "github", "GitHub"
    CUSTOM = "custom"


SKILL_NAME_RE = r"^[a-z0-9]+(-[a-z0-9]+)*$"
SKILL_DESCRIPTION_MAX_BYTES = 1024
SKILL_CONTENT_MAX_BYTES = 256 * 1024


class SkillQuerySet(models.QuerySet):
    def visible_to(self, user):
        """MKT-60: the built-ins and the user's own skills; nobody else's."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(owner__isnull=True) | Q(owner=user))


@audited()
class Skill(BaseModel):
    """An agent skill (a SKILL.md): a built-in shipped with the platform, or a user's own
    (MKT-60 to MKT-63)."""

    owner = models.ForeignKey(
        "accounts.User",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="skills",
        help_text="Empty for a built-in skill.",
    )
    name = models.CharField(max_length=64)
    description = models.TextField(blank=True)
    source = models.CharField(max_length=7, choices=SkillSource, default=SkillSource.CUSTOM)
    source_url = models.URLField(max_length=500, blank=True, validators=[validate_public_https_url])
    content = models.TextField(help_text="The SKILL.md text, at most 256 KiB.")
    allowed_tools = models.JSONField(
        default=list, blank=True, validators=[JsonValidator(kind=list)]
    )
    license = models.CharField(max_length=500, blank=True)
    compatibility = models.CharField(max_length=500, blank=True)
    is_enabled = models.BooleanField(default=True)

    objects = SkillQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(source__in=SkillSource.values), name="marketplace_skill_source_valid"
            ),
            models.CheckConstraint(
                condition=Q(source=SkillSource.BUILTIN, owner__isnull=True)
                | (~Q(source=SkillSource.BUILTIN) & Q(owner__isnull=False)),
                name="marketplace_skill_builtin_iff_no_owner",
            ),
            models.CheckConstraint(
                condition=Q(name__regex=SKILL_NAME_RE), name="marketplace_skill_name_slug"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(OctetLength("description"), SKILL_DESCRIPTION_MAX_BYTES),
                name="marketplace_skill_description_max",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(OctetLength("content"), SKILL_CONTENT_MAX_BYTES),
                name="marketplace_skill_content_max",
            ),
            models.UniqueConstraint(
                fields=["owner", "name"], nulls_distinct=False, name="marketplace_skill_unique"
            ),
        ]

    def __str__(self):
        return self.name
