"""The credit ledger and usage logs: insert-only history, read-only here (BIL-7, BIL-37)."""

from django.contrib import admin

from accounts.models import normalize_email
from billing.admin.base import MoneyAdmin
from billing.models import (
    CreditLedgerEntry,
    CreditPurchase,
    MarketplaceTransaction,
    UsageLog,
)
from billing.permissions import user_can_collect_usage
from billing.services.usage import usage_logs_mark_invoiced, usage_logs_mark_paid
from config.admin import admin_link, changelist_link, money_column, plural, report

# An entry's source, from its ids alone, so the changelist joins nothing for it.
SOURCES = (
    ("usage_log_id", UsageLog, "usage"),
    ("credit_purchase_id", CreditPurchase, "purchase"),
    ("marketplace_transaction_id", MarketplaceTransaction, "sale"),
)


@admin.register(CreditLedgerEntry)
class CreditLedgerEntryAdmin(MoneyAdmin):
    """Every credit movement. The user admin links here filtered by user (`?user__id__exact=`)."""

    list_display = (
        "created_at",
        "user",
        "bucket",
        "entry_type",
        "amount_usd",
        "balance_after_usd",
        "reason",
        "source",
    )
    list_filter = ("bucket", "entry_type")
    list_select_related = ("user",)
    ordering = ("-created_at", "-id")
    search_fields = ("user__email",)
    search_lookups = {"user__email": normalize_email}
    search_help_text = "The user's exact email."
    fields = (
        "id",
        "user",
        "bucket",
        "entry_type",
        "amount_usd",
        "balance_after_usd",
        "reason",
        "created_by",
        "source",
        "created_at",
    )
    readonly_fields = fields
    amount_usd = money_column("amount", signed=True)
    balance_after_usd = money_column("balance_after")

    @admin.display(description="source")
    def source(self, entry):
        for field, model, noun in SOURCES:
            if getattr(entry, field) is not None:
                return admin_link(model, getattr(entry, field), noun)
        return "-"


@admin.register(UsageLog)
class UsageLogAdmin(MoneyAdmin):
    """LLM calls and their charges. Staff collect shortfalls outside the Studio with the two
    actions (BIL-37); nothing else about a log ever changes here."""

    list_display = (
        "created_at",
        "user",
        # What staff collect on first, so it stays on screen beside the filters.
        "cost_total_usd",
        "credits_charged_usd",
        "shortfall_cents_usd",
        "billed_status",
        "model",
        "tokens",
    )
    list_filter = ("billed_status", "is_byok", "created_at")
    list_select_related = ("user",)
    ordering = ("-created_at", "-id")
    search_fields = ("user__email", "request_id")
    search_lookups = {"user__email": normalize_email, "request_id": None}
    search_help_text = "The user's exact email, or the exact request id."
    fields = (
        "id",
        "user",
        "project",
        "agent",
        "creator",
        "model",
        "tokens_input",
        "tokens_output",
        "is_byok",
        "cost_total_usd",
        "credits_charged_usd",
        "collected_cents_usd",
        "shortfall_cents_usd",
        "creator_revenue_usd",
        "platform_revenue_usd",
        "billed_status",
        "billed_at",
        "request_id",
        "ledger_entries",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    actions = ("mark_invoiced", "mark_paid")
    cost_total_usd = money_column("cost_total", description="cost")
    credits_charged_usd = money_column("credits_charged")
    collected_cents_usd = money_column("collected_cents")
    shortfall_cents_usd = money_column("shortfall_cents")
    creator_revenue_usd = money_column("creator_revenue")
    platform_revenue_usd = money_column("platform_revenue")

    @admin.display(description="tokens in / out")
    def tokens(self, log):
        return f"{log.tokens_input:,} / {log.tokens_output:,}"

    def has_collect_permission(self, request):
        return user_can_collect_usage(request.user)

    @admin.display(description="ledger entries")
    def ledger_entries(self, log):
        return changelist_link(CreditLedgerEntry, f"usage_log__id__exact={log.pk}", "Open")

    @admin.action(description="Mark invoiced (collect outside the Studio)", permissions=["collect"])
    def mark_invoiced(self, request, queryset):
        logs = list(queryset)
        changed = usage_logs_mark_invoiced(logs=logs, actor=request.user)
        skipped = (
            [f"{plural(len(logs) - changed, 'log')} not pending"] if changed < len(logs) else []
        )
        report(self, request, f"Marked {plural(changed, 'log')} invoiced", skipped)

    @admin.action(description="Mark paid (collected outside the Studio)", permissions=["collect"])
    def mark_paid(self, request, queryset):
        logs = list(queryset)
        changed = usage_logs_mark_paid(logs=logs, actor=request.user)
        skipped = (
            [f"{plural(len(logs) - changed, 'log')} not invoiced"] if changed < len(logs) else []
        )
        report(self, request, f"Marked {plural(changed, 'log')} paid", skipped)
