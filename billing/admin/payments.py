"""Stripe events, credit purchases and marketplace sales in admin (BIL-13, BIL-20…24,
BIL-40…43). Stripe owns the purchases' state; sales change only through their actions."""

import json

from django import forms
from django.contrib import admin
from django.utils.html import format_html

from accounts.models import normalize_email
from billing.admin.base import MoneyAdmin
from billing.models import (
    CreditLedgerEntry,
    CreditPurchase,
    MarketplaceTransaction,
    PayoutStatus,
    StripeEvent,
    StripeEventStatus,
    Subscription,
)
from billing.permissions import (
    user_can_manage_payouts,
    user_can_refund_sales,
    user_can_reprocess_events,
)
from billing.services.marketplace_sales import marketplace_transaction_refund, payout_set
from billing.services.stripe_events import HANDLERS, stripe_event_reprocess
from config.admin import action_form, changelist_link, money_column, plural, report
from config.exceptions import DomainError, InvalidStateTransition


class EventTypeFilter(admin.SimpleListFilter):
    """The handled types, from the handler table: a DISTINCT over every stored event would
    scan the table on each page."""

    title = "event type"
    parameter_name = "event_type"

    def lookups(self, request, model_admin):
        return [(event_type, event_type) for event_type in sorted(HANDLERS)]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(event_type=self.value())
        return queryset


@admin.register(StripeEvent)
class StripeEventAdmin(MoneyAdmin):
    """Webhook events as stored (BIL-11). Search by the event id, or by the id of what it is
    about (checkout session, payment intent, subscription): purchases link here that way."""

    list_display = (
        "event_id",
        "event_type",
        "status",
        "user",
        "livemode",
        "created_at",
        "processed_at",
    )
    list_select_related = ("user",)
    list_filter = ("status", EventTypeFilter, "livemode")
    ordering = ("-created_at", "-id")
    search_fields = ("event_id",)
    search_each_word = True
    search_lookups = {
        "event_id": None,
        "payload__data__object__id": None,
        "payload__data__object__payment_intent": None,
        "stripe_customer_id": None,
        "user__email": normalize_email,
    }
    search_help_text = (
        "Exact event id, Stripe customer id or user email, or exact ids of the checkout "
        "session, payment intent or subscription the event is about (several, separated by "
        "spaces)."
    )
    fields = (
        "id",
        "event_id",
        "event_type",
        "user",
        "stripe_customer_id",
        "status",
        "error",
        "livemode",
        "created_at",
        "processed_at",
        "payload_pretty",
    )
    readonly_fields = fields
    actions = ("reprocess",)

    def get_queryset(self, request):
        return super().get_queryset(request).defer("payload")

    @admin.display(description="payload")
    def payload_pretty(self, event):
        return format_html("<pre>{}</pre>", json.dumps(event.payload, indent=2, sort_keys=True))

    def has_reprocess_permission(self, request):
        return user_can_reprocess_events(request.user)

    @admin.action(description="Reprocess failed events", permissions=["reprocess"])
    def reprocess(self, request, queryset):
        """BIL-13: handlers are idempotent, so running one again never applies it twice."""
        applied, failed, skipped = 0, 0, []
        for event in queryset.order_by("created_at"):
            if event.status != StripeEventStatus.FAILED:
                skipped.append(f"{event.event_id} ({event.status}, not failed)")
                continue
            try:
                if stripe_event_reprocess(event=event):
                    applied += 1
                else:
                    failed += 1
            except DomainError as exc:  # Stripe unreachable, or the event must wait
                skipped.append(f"{event.event_id} ({exc.message})")
                continue
            self.log_change(request, event, "Reprocessed.")
        done = (
            f"Reprocessed {plural(applied + failed, 'event')}: {applied} applied, {failed} failed"
        )
        report(self, request, done, skipped)


@admin.register(CreditPurchase)
class CreditPurchaseAdmin(MoneyAdmin):
    list_display = ("created_at", "user", "package", "amount_cents_usd", "status", "completed_at")
    list_filter = ("status", "package", "completed_at")
    list_select_related = ("user",)
    ordering = ("-created_at", "-id")
    search_fields = ("user__email", "stripe_checkout_session", "stripe_payment_intent")
    search_lookups = {
        "user__email": normalize_email,
        "stripe_checkout_session": None,
        "stripe_payment_intent": None,
    }
    search_help_text = "Exact email, checkout session or payment intent."
    fields = (
        "id",
        "user",
        "package",
        "amount_cents_usd",
        "credits_amount_usd",
        "status",
        "stripe_checkout_session",
        "stripe_payment_intent",
        "checkout_url",
        "idempotency_key",
        "completed_at",
        "refunded_at",
        "stripe_events",
        "ledger_entries",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    amount_cents_usd = money_column("amount_cents", description="paid")
    credits_amount_usd = money_column("credits_amount", description="credits")

    @admin.display(description="Stripe events")
    def stripe_events(self, purchase):
        ids = [i for i in (purchase.stripe_checkout_session, purchase.stripe_payment_intent) if i]
        if not ids:
            return "-"
        return changelist_link(StripeEvent, f"q={'+'.join(ids)}", "Open")

    @admin.display(description="ledger entries")
    def ledger_entries(self, purchase):
        return changelist_link(
            CreditLedgerEntry, f"credit_purchase__id__exact={purchase.pk}", "Open"
        )


class RefundedFilter(admin.SimpleListFilter):
    title = "refunded"
    parameter_name = "refunded"

    def lookups(self, request, model_admin):
        return (("yes", "Yes"), ("no", "No"))

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(refunded_at__isnull=self.value() == "no")
        return queryset


class RefundForm(forms.Form):
    reason = forms.CharField(max_length=255, help_text="Kept on the sale; the buyer may ask.")


class PayoutPaidForm(forms.Form):
    stripe_payout_id = forms.CharField(
        max_length=255, required=False, label="Stripe payout id", help_text="Optional."
    )


def payout_skip_reason(sale, new_status):
    if sale.refunded_at is not None and new_status == PayoutStatus.PAID:
        return "refunded"
    return f"{sale.payout_status} cannot become {new_status}"


def payout_action(new_status, description):
    def set_payout(modeladmin, request, queryset):
        modeladmin.payouts_set(request, queryset, new_status)

    set_payout.__name__ = f"payout_{new_status}"
    return admin.action(description=description, permissions=["manage_payouts"])(set_payout)


@admin.register(MarketplaceTransaction)
class MarketplaceTransactionAdmin(MoneyAdmin):
    """Sales of paid items with their 90/10 split. Read-only; refunds (BIL-42) and payouts
    (BIL-43) are actions, each for staff holding its permission."""

    list_display = (
        "created_at",
        "item_name",
        "buyer",
        "creator",
        "transaction_type",
        "amount_total_usd",
        "amount_creator_usd",
        "payout_status",
        "refunded_at",
    )
    list_filter = ("payout_status", "transaction_type", RefundedFilter)
    list_select_related = ("buyer", "creator")
    ordering = ("-created_at", "-id")
    search_fields = ("buyer__email", "creator__email")
    search_lookups = {"buyer__email": normalize_email, "creator__email": normalize_email}
    search_help_text = "The buyer's or the creator's exact email."
    fields = (
        "id",
        "item_name",
        "agent",
        "base",
        "buyer",
        "creator",
        "transaction_type",
        "amount_total_usd",
        "amount_creator_usd",
        "amount_platform_usd",
        "payout_status",
        "payout_date",
        "stripe_payout_id",
        "idempotency_key",
        "refunded_at",
        "refund_reason",
        "ledger_entries",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    amount_total_usd = money_column("amount_total", description="total")
    amount_creator_usd = money_column("amount_creator", description="creator share")
    amount_platform_usd = money_column("amount_platform", description="platform share")
    actions = (
        "refund",
        payout_action(PayoutStatus.PROCESSING, "Mark processing"),
        "mark_paid",
        payout_action(PayoutStatus.FAILED, "Mark failed"),
        payout_action(PayoutStatus.PENDING, "Reset to pending"),
    )

    def has_refund_permission(self, request):
        return user_can_refund_sales(request.user)

    def has_manage_payouts_permission(self, request):
        return user_can_manage_payouts(request.user)

    @admin.display(description="ledger entries")
    def ledger_entries(self, sale):
        return changelist_link(
            CreditLedgerEntry, f"marketplace_transaction__id__exact={sale.pk}", "Open"
        )

    @admin.action(description="Refund…", permissions=["refund"])
    def refund(self, request, queryset):
        form, page = action_form(
            self, request, queryset, RefundForm, title="Refund sales", submit="Refund"
        )
        if page is not None:
            return page
        reason = form.cleaned_data["reason"]
        refunded, skipped = 0, []
        for sale in queryset.order_by("created_at"):
            try:
                marketplace_transaction_refund(sale=sale, actor=request.user, reason=reason)
            except DomainError as exc:
                skipped.append(f"{sale.item_name} ({exc.message})")
                continue
            refunded += 1
            self.log_change(request, sale, f"Refunded: {reason}")
        report(self, request, f"Refunded {plural(refunded, 'sale')}", skipped)
        return None

    @admin.action(description="Mark paid…", permissions=["manage_payouts"])
    def mark_paid(self, request, queryset):
        form, page = action_form(
            self, request, queryset, PayoutPaidForm, title="Mark payouts paid", submit="Mark paid"
        )
        if page is not None:
            return page
        self.payouts_set(
            request, queryset, PayoutStatus.PAID, form.cleaned_data["stripe_payout_id"]
        )
        return None

    def payouts_set(self, request, queryset, new_status, stripe_payout_id=""):
        changed, skipped = 0, []
        for sale in queryset.order_by("created_at"):
            try:
                payout_set(
                    sale=sale,
                    new_status=new_status,
                    actor=request.user,
                    stripe_payout_id=stripe_payout_id,
                )
            except InvalidStateTransition:
                skipped.append(f"{sale.item_name} ({payout_skip_reason(sale, new_status)})")
                continue
            changed += 1
            self.log_change(request, sale, f"Payout {new_status}.")
        report(self, request, f"Marked {plural(changed, 'payout')} {new_status}", skipped)


@admin.register(Subscription)
class SubscriptionAdmin(MoneyAdmin):
    """Subscriptions as Stripe last reported them (BIL-77): read-only, the webhooks write them.
    Support reads them to answer "why is this user on free?"."""

    list_display = (
        "user",
        "status",
        "tier",
        "billing_cycle",
        "current_period_end",
        "cancel_at_period_end",
        "updated_at",
    )
    list_select_related = ("user",)
    list_filter = ("status", "tier", "billing_cycle", "cancel_at_period_end")
    ordering = ("-updated_at", "-id")
    search_fields = ("stripe_subscription_id",)
    search_each_word = True
    search_lookups = {"stripe_subscription_id": None, "user__email": normalize_email}
    search_help_text = "Exact Stripe subscription id or user email."
    fields = (
        "id",
        "user",
        "stripe_subscription_id",
        "status",
        "tier",
        "billing_cycle",
        "current_period_end",
        "cancel_at_period_end",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
