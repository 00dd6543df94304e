"""Filters, search and ordering of the post list (API.md §6, §9.7).

Every parameter is validated: a bad choice, a boolean other than `true`/`false`, a search
outside 1 to 100 characters or an unknown ordering is a 400, never silently ignored.
"""

import django_filters
from django import forms
from django.db.models import Q

from config.filters import FilterSet, OrderingFilter, StrictBooleanFilter
from feedback.models import FeedbackPost, FeedbackStatus, FeedbackType
from feedback.permissions import user_can_moderate_feedback

SEARCH_MAX_LENGTH = 100


class FeedbackPostFilterForm(forms.Form):
    def clean_search(self):
        search = self.cleaned_data["search"]
        # An empty search is refused rather than read as "no search" (API.md §6: 1 to 100).
        if "search" in self.data and not search:
            raise forms.ValidationError("Search for 1 to 100 characters.", code="min_length")
        return search


class FeedbackPostFilter(FilterSet):
    type = django_filters.ChoiceFilter(choices=FeedbackType.choices)
    status = django_filters.ChoiceFilter(choices=FeedbackStatus.choices)
    mine = StrictBooleanFilter(
        method="filter_mine", help_text="`true`: only your posts; `false`: only others'."
    )
    is_hidden = StrictBooleanFilter(help_text="Moderators only; ignored for anyone else.")
    search = django_filters.CharFilter(
        method="filter_search",
        max_length=SEARCH_MAX_LENGTH,
        help_text="1 to 100 characters, matched case-insensitively in title and description.",
    )
    ordering = OrderingFilter(
        fields=("upvote_count", "created_at", "comment_count"),
        then=("-created_at",),
        help_text="Default `-upvote_count`, then newest first; ties are broken by `id`.",
    )

    class Meta:
        model = FeedbackPost
        fields = []  # only the filters declared above
        form = FeedbackPostFilterForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not user_can_moderate_feedback(self.request.user):
            del self.filters["is_hidden"]

    def filter_mine(self, queryset, name, value):
        if value:
            return queryset.filter(user=self.request.user)
        return queryset.exclude(user=self.request.user)

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value))
