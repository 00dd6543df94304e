"""The marketplace in admin: curation for staff (DATA_MODEL.md §5 "Admin").

Every change goes through `marketplace.services`, as in the API: creating and editing items,
the curation switches (feature, publish, delist), deleting (refused while other users hold the
item, MKT-8), review removal (which recomputes the rating) and library rows. Counters and
ratings are read-only; actions repair them from the rows and say what they changed. Workflow
templates are written only here; their definitions are checked by the model's `clean()`.
"""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.forms.models import BaseInlineFormSet

from accounts.models import normalize_email
from config.admin import (
    CascadeAdminMixin,
    DeclaredSearchMixin,
    LargeTableMixin,
    MoneyField,
    ViewOnlyMixin,
    contains,
    money_column,
    plural,
    service_action,
)
from config.exceptions import DomainError
from marketplace import services
from marketplace.library import library_add, library_model
from marketplace.models import (
    AgentCoInstall,
    AgentReview,
    BaseReview,
    MarketplaceAgent,
    MarketplaceBase,
    ProjectAgent,
    PurchaseType,
    Skill,
    UserPurchasedAgent,
    UserPurchasedBase,
    WorkflowTemplate,
)
from marketplace.validators import PRICE_MAX_CENTS


def _adopt(form_instance, saved):
    """Lets the admin's add view carry on with the row a service created for its form."""
    form_instance.pk = saved.pk
    form_instance.refresh_from_db()


def _switch_action(service, keyword, value, *, description, done, already, row_keyword="item"):
    """An action flipping one staff switch of each row through `service`."""
    return service_action(
        service,
        name=description.lower().replace(" ", "_"),
        description=description,
        done=done,
        already=already,
        row_keyword=row_keyword,
        **{keyword: value},
    )


def _agent_set_published(*, actor, agent, published):
    service = services.agent_publish if published else services.agent_unpublish
    return service(actor=actor, agent=agent)


def _item_action(service, *, description, done):
    """A per-item repair (`item_recalculate_rating`, `item_recount_downloads`)."""

    def repair(modeladmin, request, queryset):
        rows = list(queryset.order_by("pk"))
        corrected = sum(service(actor=request.user, item=row) for row in rows)
        noun = modeladmin.model._meta.verbose_name
        modeladmin.message_user(
            request,
            f"{done} {plural(len(rows), noun)}: corrected {corrected}, "
            f"{len(rows) - corrected} already exact.",
        )

    repair.__name__ = description.lower().replace(" ", "_")
    return admin.action(description=description, permissions=["change"])(repair)


FEATURE_ACTIONS = (
    _switch_action(
        services.item_set_featured,
        "featured",
        True,
        description="Feature",
        done="Featured",
        already="already featured",
    ),
    _switch_action(
        services.item_set_featured,
        "featured",
        False,
        description="Unfeature",
        done="Unfeatured",
        already="not featured",
    ),
)

CURATION_ACTIONS = (
    *FEATURE_ACTIONS,
    _switch_action(
        services.item_set_active,
        "active",
        False,
        description="Delist",
        done="Delisted",
        already="already delisted",
    ),
    _switch_action(
        services.item_set_active,
        "active",
        True,
        description="Relist",
        done="Relisted",
        already="already listed",
    ),
    _item_action(
        services.item_recalculate_rating, description="Recalculate rating", done="Recalculated"
    ),
    _item_action(
        services.item_recount_downloads,
        description="Recount downloads from library rows",
        done="Recounted",
    ),
)


class ItemForm(forms.ModelForm):
    """Staff may choose a slug (MKT-2); left empty on a new item, one is generated."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields and self.instance._state.adding:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = "Leave empty to generate one from the name."


class CatalogueAdmin(DeclaredSearchMixin, CascadeAdminMixin, admin.ModelAdmin):
    """What agents and bases share: search, creation and edits through the services,
    deletion by MKT-8, and the curation actions."""

    form = ItemForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}  # https only (R18)
    list_select_related = ("created_by_user",)
    search_fields = ("name", "slug")
    search_help_text = "Part of the name (3 characters or more), a name prefix or the exact slug."
    search_lookups = {"name__icontains": contains, "name__istartswith": None, "slug": str.lower}
    autocomplete_fields = ("created_by_user",)
    cascaded_models = (ProjectAgent, AgentReview, BaseReview, AgentCoInstall)
    counter_fields = ("downloads", "rating", "reviews_count")
    switch_fields = ("is_active", "is_featured")
    editable_fields = frozenset()  # the service's writable fields
    price_usd = money_column("price")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "price":  # typed and shown in dollars, stored in cents
            return MoneyField(
                limit_cents=PRICE_MAX_CENTS,
                signed=False,
                label="Price ($)",
                help_text="In dollars and cents; 0 for a free item.",
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        readonly = ("id", *self.switch_fields, *self.counter_fields, "created_at", "updated_at")
        # The creator receives the creator share; it is chosen once, on creation.
        return readonly if obj is None else (*readonly, "created_by_user")

    def save_model(self, request, obj, form, change):
        if change:
            changes = {f: form.cleaned_data[f] for f in form.changed_data}
            self.update(request, obj, changes)
            return
        fields = {f: form.cleaned_data[f] for f in self.editable_fields if f in form.cleaned_data}
        created = self.create(request, obj, fields)
        _adopt(obj, created)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        # MKT-8: the creator's own library row goes with the item; only rows of other users
        # refuse the delete (the service checks again, under the item's lock).
        if protected and not self.held_by_others(objs):
            rows = {library_model(item)[0]._meta.verbose_name for item in objs}
            protected, perms_needed = [], perms_needed - rows
        return deleted, counts, perms_needed, protected

    def held_by_others(self, items):
        return any(
            library_model(item)[0]
            .objects.filter(**{library_model(item)[1]: item})
            .exclude(user_id=item.created_by_user_id)
            .exists()
            for item in items
        )

    def delete_model(self, request, obj):
        self.delete_item(request, obj)

    def delete_queryset(self, request, queryset):
        refused = 0
        for item in queryset:
            try:
                self.delete_item(request, item)
            except DomainError:
                refused += 1
        if refused:
            self.message_user(
                request,
                f"Kept {plural(refused, 'item')} other users hold in their library; delist "
                "them instead.",
                messages.WARNING,
            )


@admin.register(MarketplaceAgent)
class MarketplaceAgentAdmin(CatalogueAdmin):
    list_display = (
        "name",
        "created_by_user",
        "pricing_type",
        "price_usd",
        "is_published",
        "is_active",
        "downloads",
        "rating",
    )
    list_filter = ("pricing_type", "is_published", "is_active", "is_featured")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    fields = (
        "id",
        "name",
        "slug",
        "created_by_user",
        "parent_agent",
        "description",
        "long_description",
        "category",
        "icon",
        "model",
        "system_prompt",
        "tools",
        "tool_configs",
        "tags",
        "pricing_type",
        "price",
        "api_pricing_input",
        "api_pricing_output",
        "is_forkable",
        "is_published",
        "published_at",
        "is_active",
        "is_featured",
        "downloads",
        "rating",
        "reviews_count",
        "created_at",
        "updated_at",
    )
    switch_fields = ("is_published", "published_at", "is_active", "is_featured", "parent_agent")
    editable_fields = services.AGENT_FIELDS
    actions = (
        _switch_action(
            _agent_set_published,
            "published",
            True,
            description="Publish",
            done="Published",
            already="already published",
            row_keyword="agent",
        ),
        _switch_action(
            _agent_set_published,
            "published",
            False,
            description="Unpublish",
            done="Unpublished",
            already="not published",
            row_keyword="agent",
        ),
        *CURATION_ACTIONS,
    )

    def create(self, request, obj, fields):
        return services.agent_create(
            actor=request.user, creator=obj.created_by_user, slug=obj.slug, **fields
        )

    def update(self, request, obj, changes):
        services.agent_update(actor=request.user, agent=obj, changes=changes)

    def delete_item(self, request, item):
        services.agent_delete(actor=request.user, agent=item)


@admin.register(MarketplaceBase)
class MarketplaceBaseAdmin(CatalogueAdmin):
    list_display = (
        "name",
        "created_by_user",
        "category",
        "pricing_type",
        "price_usd",
        "visibility",
        "is_active",
        "downloads",
        "rating",
    )
    list_filter = ("category", "pricing_type", "visibility", "is_active", "is_featured")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)
    fields = (
        "id",
        "name",
        "slug",
        "created_by_user",
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
        "visibility",
        "is_active",
        "is_featured",
        "downloads",
        "rating",
        "reviews_count",
        "created_at",
        "updated_at",
    )
    editable_fields = services.BASE_FIELDS
    actions = CURATION_ACTIONS

    def create(self, request, obj, fields):
        return services.base_submit(
            actor=request.user, creator=obj.created_by_user, slug=obj.slug, **fields
        )

    def update(self, request, obj, changes):
        services.base_update(actor=request.user, base=obj, changes=changes)

    def delete_item(self, request, item):
        services.base_delete(actor=request.user, base=item)


@admin.register(WorkflowTemplate)
class WorkflowTemplateAdmin(admin.ModelAdmin):
    """Written here only; `clean()` checks the definition (MKT-18) before any save."""

    list_display = ("name", "slug", "category", "is_published", "is_featured", "downloads")
    list_filter = ("is_published", "is_featured")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    ordering = ("-downloads", "name")
    readonly_fields = ("id", "is_published", "is_featured", "downloads", "created_at", "updated_at")
    fields = (
        "id",
        "name",
        "slug",
        "description",
        "category",
        "tags",
        "icon",
        "template_definition",
        "required_credentials",
        "is_published",
        "is_featured",
        "downloads",
        "created_at",
        "updated_at",
    )
    actions = (
        _switch_action(
            services.workflow_set_published,
            "published",
            True,
            description="Publish",
            done="Published",
            already="already published",
            row_keyword="template",
        ),
        _switch_action(
            services.workflow_set_published,
            "published",
            False,
            description="Unpublish",
            done="Unpublished",
            already="not published",
            row_keyword="template",
        ),
        *FEATURE_ACTIONS,
    )


class LibraryAdmin(LargeTableMixin, DeclaredSearchMixin, admin.ModelAdmin):
    """Library rows grow with users times items: never fully counted. A new row here is a
    free grant (support), added as any install (MKT-10); afterwards only `is_active` changes,
    through the services (MKT-21). Paid rows change through billing's refund action."""

    item_field = None
    list_filter = ("purchase_type", "is_active")
    ordering = ("-created_at",)
    search_help_text = "The user's exact email, or the item's exact slug."

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("user", self.item_field)
        return ("id", "user", self.item_field, "purchase_type", "is_active", "created_at")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return ("id", "user", self.item_field, "purchase_type", "created_at")

    @property
    def search_lookups(self):
        return {"user__email": normalize_email, f"{self.item_field}__slug": None}

    def save_model(self, request, obj, form, change):
        if change:
            if "is_active" in form.changed_data:
                services.library_entry_set_active(
                    actor=request.user, row=obj, active=form.cleaned_data["is_active"]
                )
            return
        item = form.cleaned_data[self.item_field]
        row, _ = library_add(user=obj.user, item=item, purchase_type=PurchaseType.FREE)
        _adopt(obj, row)

    def has_delete_permission(self, request, obj=None):
        return False  # MKT-21: rows are deactivated, never deleted


@admin.register(UserPurchasedAgent)
class UserPurchasedAgentAdmin(LibraryAdmin):
    item_field = "agent"
    list_display = ("user", "agent", "purchase_type", "is_active", "expires_at", "created_at")
    list_select_related = ("user", "agent")
    search_fields = ("user__email", "agent__slug")
    autocomplete_fields = ("user", "agent")

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return fields if obj is None else (*fields, "expires_at")

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return readonly if obj is None else (*readonly, "expires_at")


@admin.register(UserPurchasedBase)
class UserPurchasedBaseAdmin(LibraryAdmin):
    item_field = "base"
    list_display = ("user", "base", "purchase_type", "is_active", "created_at")
    list_select_related = ("user", "base")
    search_fields = ("user__email", "base__slug")
    autocomplete_fields = ("user", "base")


class ReviewAdmin(LargeTableMixin, DeclaredSearchMixin, admin.ModelAdmin):
    """Reviews are the users' words: read-only here. Staff may delete one (offensive
    content); the delete goes through `review_delete`, which recomputes the rating."""

    item_field = None
    list_filter = ("rating",)
    ordering = ("-created_at",)
    search_help_text = "The reviewer's exact email, or the item's exact slug."

    def get_list_display(self, request):
        return (self.item_field, "user", "rating", "created_at")

    def get_list_select_related(self, request):
        return (self.item_field, "user")

    def get_fields(self, request, obj=None):
        return ("id", self.item_field, "user", "rating", "comment", "created_at", "updated_at")

    @property
    def search_lookups(self):
        return {"user__email": normalize_email, f"{self.item_field}__slug": None}

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        services.review_delete(actor=request.user, review=obj)

    def delete_queryset(self, request, queryset):
        for review in queryset.select_related(self.item_field).order_by(f"{self.item_field}_id"):
            services.review_delete(actor=request.user, review=review)


@admin.register(AgentReview)
class AgentReviewAdmin(ReviewAdmin):
    item_field = "agent"
    search_fields = ("user__email", "agent__slug")


@admin.register(BaseReview)
class BaseReviewAdmin(ReviewAdmin):
    item_field = "base"
    search_fields = ("user__email", "base__slug")


@admin.register(AgentCoInstall)
class AgentCoInstallAdmin(LargeTableMixin, DeclaredSearchMixin, ViewOnlyMixin, admin.ModelAdmin):
    """View only (§5.8): the counts move only with installs (MKT-50)."""

    list_display = ("agent", "related_agent", "co_install_count")
    list_select_related = ("agent", "related_agent")
    fields = ("id", "agent", "related_agent", "co_install_count", "created_at", "updated_at")
    search_fields = ("agent__slug",)
    search_help_text = "The agent's exact slug."
    search_lookups = {"agent__slug": None}
    ordering = ("agent", "-co_install_count")


class ProjectAgentFormSet(BaseInlineFormSet):
    """The Project page is projects' admin, whose forms cannot know about this inline. A post
    without its management form (a form built before the marketplace was installed, or by
    another app's code) changes no project agent, instead of failing the whole save."""

    def __init__(self, data=None, *args, prefix=None, **kwargs):
        prefix = prefix or self.get_default_prefix()
        if data is not None and f"{prefix}-TOTAL_FORMS" not in data:
            data = data.copy()
            data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
        super().__init__(data, *args, prefix=prefix, **kwargs)


class ProjectAgentInline(admin.TabularInline):
    """§5.6: the project's agents under the Project page (backoffice/admin.py adds it to
    projects' ProjectAdmin); MKT-30 is the model's `clean()`."""

    model = ProjectAgent
    formset = ProjectAgentFormSet
    fields = ("agent", "enabled")
    autocomplete_fields = ("agent",)
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("agent")


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    """Read-only apart from the switch: built-ins come from `sync_builtin_skills` (MKT-63),
    users' skills are theirs. Curators turn a skill off (or on) through the service."""

    list_display = ("name", "owner", "source", "is_enabled", "updated_at")
    list_filter = ("source", "is_enabled")
    list_select_related = ("owner",)
    search_fields = ("name",)
    ordering = ("name", "id")
    raw_id_fields = ("owner",)
    fields = (
        "id",
        "name",
        "owner",
        "source",
        "source_url",
        "description",
        "content",
        "allowed_tools",
        "license",
        "compatibility",
        "is_enabled",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    actions = ("enable", "disable")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    enable = service_action(
        services.skill_set_enabled,
        name="enable",
        description="Enable selected skills",
        done="Enabled",
        already="already enabled",
        row_keyword="skill",
        noun="skill",
        enabled=True,
    )
    disable = service_action(
        services.skill_set_enabled,
        name="disable",
        description="Disable selected skills",
        done="Disabled",
        already="already disabled",
        row_keyword="skill",
        noun="skill",
        enabled=False,
    )
