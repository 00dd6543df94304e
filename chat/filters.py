"""Filters and ordering of the chat lists (API.md §6, §9.3).

Every parameter is validated: a bad choice, a boolean other than `true`/`false`, a time that is
not ISO-8601 (or whose offset is beyond ±15:59) or an unknown ordering is a 400, never silently
ignored. The cursor lists take their `ordering` from the paginator, not from here.
"""

import django_filters

from chat.models import (
    AgentCommandLog,
    AgentRun,
    BookmarkKind,
    Chat,
    ChatBookmark,
    ChatStatus,
    Message,
    MessageRole,
    RiskLevel,
    RunStatus,
    RunType,
    ShellSession,
    ShellSessionStatus,
)
from config.filters import FilterSet, OrderingFilter, StrictBooleanFilter, UtcDateTimeFilter


class ChatFilter(FilterSet):
    status = django_filters.ChoiceFilter(choices=ChatStatus.choices)
    ordering = OrderingFilter(
        fields=("created_at", "last_message_at"),
        then=("-created_at",),
        help_text="Default `-created_at`; ties are broken by `id`.",
    )

    class Meta:
        model = Chat
        fields = []  # only the filters declared above


class MessageFilter(FilterSet):
    role = django_filters.ChoiceFilter(choices=MessageRole.choices)

    class Meta:
        model = Message
        fields = []


class AgentCommandLogFilter(FilterSet):
    success = StrictBooleanFilter()
    risk_level = django_filters.ChoiceFilter(choices=RiskLevel.choices)
    dry_run = StrictBooleanFilter()
    created_after = UtcDateTimeFilter(
        field_name="created_at", lookup_expr="gte", help_text="Inclusive, ISO-8601."
    )
    created_before = UtcDateTimeFilter(
        field_name="created_at", lookup_expr="lt", help_text="Exclusive, ISO-8601."
    )

    class Meta:
        model = AgentCommandLog
        fields = []


class ShellSessionFilter(FilterSet):
    status = django_filters.ChoiceFilter(choices=ShellSessionStatus.choices)

    class Meta:
        model = ShellSession
        fields = []


class AgentRunFilter(FilterSet):
    status = django_filters.ChoiceFilter(choices=RunStatus.choices)
    run_type = django_filters.ChoiceFilter(choices=RunType.choices)

    class Meta:
        model = AgentRun
        fields = []


class ChatBookmarkFilter(FilterSet):
    kind = django_filters.ChoiceFilter(choices=BookmarkKind.choices)

    class Meta:
        model = ChatBookmark
        fields = []
