"""Filters, search and ordering of the marketplace lists (API.md §6, §9.4).

Every parameter is validated: a bad choice, a boolean other than `true`/`false`, a malformed
UUID, a search outside 1 to 100 characters or an unknown ordering is a 400, never ignored.
"""

import django_filters
from django import forms
from django.db.models import F, Q

from config.filters import FilterSet, OrderingFilter, StrictBooleanFilter
from marketplace.models import (
    AgentPricingType,
    BaseCategory,
    BasePricingType,
    MarketplaceAgent,
    MarketplaceBase,
    PurchaseType,
    Skill,
    SkillSource,
    UserPurchasedAgent,
    UserPurchasedBase,
    WorkflowTemplate,
)

SEARCH_MAX_LENGTH = 100


class SearchForm(forms.Form):
    def clean_search(self):
        search = self.cleaned_data["search"]
        # An empty search is refused rather than read as "no search" (API.md §6: 1 to 100).
        if "search" in self.data and not search:
            raise forms.ValidationError("Search for 1 to 100 characters.", code="min_length")
        return search


class RatingOrderingFilter(OrderingFilter):
    """`rating` puts unrated items (NULL) last in both directions (API.md §9.4)."""

    nulls_last = frozenset({"rating"})

    def expression(self, ordering):
        field_name = ordering.lstrip("-")
        if field_name not in self.nulls_last:
            return super().expression(ordering)
        if ordering.startswith("-"):
            return F(field_name).desc(nulls_last=True)
        return F(field_name).asc(nulls_last=True)


def search_filter():
    return django_filters.CharFilter(
        method="filter_search",
        max_length=SEARCH_MAX_LENGTH,
        help_text="1 to 100 characters: a name prefix (any case), words in the description, "
        "or an exact tag.",
    )


def catalogue_ordering():
    return RatingOrderingFilter(
        fields=("downloads", "rating", "created_at", "price", "name"),
        case_insensitive=("name",),
        then=("-downloads",),
        help_text="Default `-downloads`. Unrated items come last for `rating` and `-rating`.",
    )


class CatalogueFilter(FilterSet):
    """Listed items, or with `mine=true` the caller's own in any state (API.md §9.4)."""

    is_featured = StrictBooleanFilter()
    creator = django_filters.UUIDFilter(field_name="created_by_user_id")
    mine = StrictBooleanFilter(
        method="filter_mine",
        help_text="`true`: only your own items, published or not (none when signed out).",
    )
    search = search_filter()
    ordering = catalogue_ordering()

    class Meta:
        form = SearchForm

    def filter_queryset(self, queryset):
        # The scope comes first: listed items unless the caller asked for their own.
        if not self.form.cleaned_data.get("mine"):
            queryset = queryset.listed()
        return super().filter_queryset(queryset)

    def filter_mine(self, queryset, name, value):
        if not value:
            return queryset
        user = self.request.user
        if not user.is_authenticated:
            return queryset.none()
        return queryset.filter(created_by_user=user)

    def filter_search(self, queryset, name, value):
        return queryset.filter(
            Q(name__istartswith=value)
            | Q(description__icontains=value)
            | Q(tags__contains=[value.strip().lower()])
        )


class AgentFilter(CatalogueFilter):
    pricing_type = django_filters.ChoiceFilter(choices=AgentPricingType.choices)
    category = django_filters.CharFilter(max_length=50)

    class Meta(CatalogueFilter.Meta):
        model = MarketplaceAgent
        fields = []  # only the filters declared above


class BaseFilter(CatalogueFilter):
    pricing_type = django_filters.ChoiceFilter(choices=BasePricingType.choices)
    category = django_filters.ChoiceFilter(choices=BaseCategory.choices)

    class Meta(CatalogueFilter.Meta):
        model = MarketplaceBase
        fields = []


class WorkflowFilter(FilterSet):
    category = django_filters.CharFilter(max_length=50)
    is_featured = StrictBooleanFilter()
    search = django_filters.CharFilter(
        method="filter_search",
        max_length=SEARCH_MAX_LENGTH,
        help_text="1 to 100 characters, matched case-insensitively in the name.",
    )
    ordering = OrderingFilter(
        fields=("downloads", "name"),
        case_insensitive=("name",),
        help_text="Default `-downloads`.",
    )

    class Meta:
        model = WorkflowTemplate
        fields = []
        form = SearchForm

    def filter_search(self, queryset, name, value):
        return queryset.filter(name__icontains=value)


class LibraryAgentFilter(FilterSet):
    is_active = StrictBooleanFilter()
    purchase_type = django_filters.ChoiceFilter(choices=PurchaseType.choices)

    class Meta:
        model = UserPurchasedAgent
        fields = []


class LibraryBaseFilter(FilterSet):
    is_active = StrictBooleanFilter()
    purchase_type = django_filters.ChoiceFilter(
        choices=[(PurchaseType.FREE, "Free"), (PurchaseType.PURCHASED, "Purchased")]
    )

    class Meta:
        model = UserPurchasedBase
        fields = []


class ReviewFilter(FilterSet):
    ordering = OrderingFilter(
        fields=("created_at", "rating"),
        then=("-created_at",),
        help_text="Default `-created_at`.",
    )

    class Meta:
        fields = []


class SkillFilter(FilterSet):
    source = django_filters.ChoiceFilter(choices=SkillSource.choices)
    is_enabled = StrictBooleanFilter()
    mine = StrictBooleanFilter(method="filter_mine", help_text="Only your own skills.")

    class Meta:
        model = Skill
        fields = ["source", "is_enabled"]

    def filter_mine(self, queryset, name, value):
        return queryset.filter(owner__isnull=not value)
