"""Billing's part of the Chat admin (EXTENSIONS.md §2, BIL-70): what a chat cost. Composed
with chat's ChatAdmin in backoffice/admin.py, since chat never imports billing."""

from django.contrib import admin
from django.db.models import Count, Sum
from django.utils.html import format_html

from billing.models import UsageLog
from config.admin import changelist_link, money


class BillingChatAdminMixin:
    """The chat's cost total on its change page, from the partial (chat, created_at) index,
    with a link to its usage logs: a billing dispute's first question."""

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "cost") if obj is not None else fields

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return (*fields, "cost") if obj is not None else fields

    @admin.display(description="cost")
    def cost(self, chat):
        totals = UsageLog.objects.filter(chat=chat).aggregate(
            calls=Count("id"), cents=Sum("cost_total")
        )
        logs = changelist_link(UsageLog, f"chat__id__exact={chat.pk}", "Open usage logs")
        return format_html("{} in {} calls {}", money(totals["cents"] or 0), totals["calls"], logs)
