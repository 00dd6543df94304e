"""Filters, search and ordering of a board's task list (API.md §6, §9.6).

Every parameter is validated: a bad choice, a malformed UUID or time, a search outside 1 to 100
characters or an unknown ordering is a 400, never silently ignored.
"""

import django_filters
from django import forms
from django.db.models import Q

from config.filters import FilterSet, OrderingFilter, UtcDateTimeFilter
from kanban.models import KanbanTask, TaskPriority, TaskStatus, TaskType
from kanban.validators import TAG_MAX_LENGTH

SEARCH_MAX_LENGTH = 100


class KanbanTaskFilterForm(forms.Form):
    def clean_search(self):
        search = self.cleaned_data["search"]
        # An empty search is refused rather than read as "no search" (API.md §6: 1 to 100).
        if "search" in self.data and not search:
            raise forms.ValidationError("Search for 1 to 100 characters.", code="min_length")
        return search


class KanbanTaskOrderingFilter(OrderingFilter):
    """`position` is the board's order (by column, then place in it); `priority` sorts by
    weight (low to critical), not alphabetically."""

    EXPANSIONS = {"position": ("column__position", "position"), "priority": ("priority_rank",)}

    def filter(self, qs, value):
        value = self.terms(value)
        if not value:
            return qs
        if any(param.lstrip("-") == "priority" for param in value):
            qs = qs.with_priority_rank()
        ordering = []
        for param in value:
            sign = "-" if param.startswith("-") else ""
            name = param.lstrip("-")
            ordering += [f"{sign}{field}" for field in self.EXPANSIONS.get(name, (name,))]
        return super().filter(qs, ordering)


class KanbanTaskFilter(FilterSet):
    column = django_filters.UUIDFilter(field_name="column_id")
    status = django_filters.ChoiceFilter(choices=TaskStatus.choices)
    priority = django_filters.ChoiceFilter(choices=TaskPriority.choices)
    task_type = django_filters.ChoiceFilter(choices=TaskType.choices)
    assignee = django_filters.UUIDFilter(field_name="assignee_id")
    tag = django_filters.CharFilter(
        method="filter_tag", max_length=TAG_MAX_LENGTH, help_text="Tasks carrying this tag."
    )
    due_after = UtcDateTimeFilter(
        field_name="due_date", lookup_expr="gte", help_text="Due at or after this time."
    )
    due_before = UtcDateTimeFilter(
        field_name="due_date", lookup_expr="lt", help_text="Due before this time."
    )
    search = django_filters.CharFilter(
        method="filter_search",
        max_length=SEARCH_MAX_LENGTH,
        help_text="1 to 100 characters, matched case-insensitively in title and description.",
    )
    ordering = KanbanTaskOrderingFilter(
        fields=("position", "created_at", "due_date", "priority", "ref_number"),
        help_text="Default `position`: by column, then position in it. Ties are broken by `id`.",
    )

    class Meta:
        model = KanbanTask
        fields = []  # only the filters declared above
        form = KanbanTaskFilterForm

    def filter_tag(self, queryset, name, value):
        return queryset.filter(tags__contains=[value])

    def filter_search(self, queryset, name, value):
        return queryset.filter(Q(title__icontains=value) | Q(description__icontains=value))
