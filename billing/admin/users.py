"""Credits on the User admin (DATA_MODEL.md §2.1 Admin): "Adjust credits…", "Change
subscription tier…" and links to the user's money rows.

accounts must not import billing, so billing offers these as a mixin, and backoffice/admin.py
composes it with accounts' UserAdmin.
"""

from django import forms
from django.contrib import admin
from django.utils.html import format_html_join

from accounts.models import SubscriptionTier
from billing.admin.base import action_form
from billing.errors import BucketWouldGoNegative
from billing.models import BUCKET_FIELDS, CreditBucket, CreditLedgerEntry, CreditPurchase, UsageLog
from billing.permissions import user_can_adjust_credits, user_can_change_tier
from billing.selectors import with_outstanding
from billing.services.credits import credits_adjust, settled_cents, tier_set
from config.admin import MoneyField, changelist_link, money, plural, report

# One adjustment at most this big (100 000 dollars), so a typo cannot overflow a bucket.
ADJUSTMENT_LIMIT = 10_000_000


# Purchased first and preselected: the other buckets reset or lapse on their own, so a
# goodwill credit put there with the defaults would be gone by the next reset.
BUCKET_CHOICES = (
    (CreditBucket.PURCHASED, "Purchased: kept until spent; settles outstanding shortfalls first"),
    (CreditBucket.BUNDLED, "Bundled: replaced at the next subscription renewal"),
    (CreditBucket.SIGNUP_BONUS, "Signup bonus: lapses when the bonus expires"),
    (CreditBucket.DAILY, "Daily: reset at the next UTC midnight"),
)


class AdjustCreditsForm(forms.Form):
    bucket = forms.ChoiceField(
        choices=BUCKET_CHOICES, initial=CreditBucket.PURCHASED, widget=forms.RadioSelect
    )
    amount = MoneyField(
        limit_cents=ADJUSTMENT_LIMIT,
        label="Amount ($)",
        help_text="Signed dollars and cents (one credit is one cent): 25 adds $25.00, "
        "-4.99 takes $4.99 away.",
    )
    reason = forms.CharField(max_length=255, help_text="Required; kept on the ledger entry.")

    def clean_amount(self):
        if self.cleaned_data["amount"] == 0:
            raise forms.ValidationError("An adjustment of 0 changes nothing.")
        return self.cleaned_data["amount"]

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Say why.")
        return reason


class TierForm(forms.Form):
    tier = forms.ChoiceField(choices=SubscriptionTier.choices)
    reason = forms.CharField(
        max_length=255,
        help_text="Required: a tier change replaces the bundled and daily credits, and the "
        "reason is kept on those ledger entries.",
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Say why.")
        return reason


def balances(user):
    """A user's buckets and outstanding shortfall, as the action forms list them."""
    buckets = " · ".join(
        f"{label} {money(getattr(user, BUCKET_FIELDS[bucket]))}"
        for bucket, label in CreditBucket.choices
    )
    return f"{user.email}: {buckets} · outstanding shortfall {money(user.outstanding_cents)}"


def with_money_links(fieldsets):
    """The User admin's fieldsets with the links to the user's money rows under credits."""
    return tuple(
        (name, {**options, "fields": (*options["fields"], "money_rows")})
        if name == "Subscription and credits"
        else (name, options)
        for name, options in fieldsets
    )


class BillingUserAdminMixin:
    """Billing's part of the User admin, before accounts' UserAdmin in the bases. The composed
    admin lists `money_actions` in its `actions` (Django reads one `actions` tuple)."""

    money_actions = ("adjust_credits", "change_tier")

    def get_fieldsets(self, request, obj=None):
        return with_money_links(super().get_fieldsets(request, obj))

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "money_rows")

    @admin.display(description="money")
    def money_rows(self, user):
        links = (
            (CreditLedgerEntry, "Ledger entries"),
            (UsageLog, "Usage logs"),
            (CreditPurchase, "Credit purchases"),
        )
        return format_html_join(
            " · ",
            "{}",
            (
                (changelist_link(model, f"user__id__exact={user.pk}", text),)
                for model, text in links
            ),
        )

    def has_adjust_credits_permission(self, request):
        return user_can_adjust_credits(request.user)

    def has_change_tier_permission(self, request):
        return user_can_change_tier(request.user)

    @admin.action(description="Adjust credits…", permissions=["adjust_credits"])
    def adjust_credits(self, request, queryset):
        """BIL-4, per user: refused whole for a user whose bucket would go below 0."""
        form, page = action_form(
            self,
            request,
            with_outstanding(queryset),
            AdjustCreditsForm,
            title="Adjust credits",
            submit="Adjust",
            describe=balances,
        )
        if page is not None:
            return page
        bucket, amount, reason = (form.cleaned_data[k] for k in ("bucket", "amount", "reason"))
        delta = money(amount, signed=True)
        adjusted, settled, skipped = 0, 0, []
        for user in queryset.order_by("email"):
            try:
                entries = credits_adjust(
                    user=user, actor=request.user, bucket=bucket, amount=amount, reason=reason
                )
            except BucketWouldGoNegative:
                skipped.append(f"{user.email} ({bucket} would go below 0)")
                continue
            adjusted += 1
            settled += settled_cents(entries)
            self.log_change(request, user, f"Adjusted {bucket} credits by {delta}: {reason}")
        done = f"Adjusted {bucket} credits by {delta} for {plural(adjusted, 'user')}"
        if bucket == CreditBucket.PURCHASED and amount > 0:
            done += f"; settled {money(settled)} of outstanding shortfalls"
        report(self, request, done, skipped)
        return None

    @admin.action(description="Change subscription tier…", permissions=["change_tier"])
    def change_tier(self, request, queryset):
        """BIL-6 without Stripe (comps, corrections): a later subscription event from Stripe
        still applies what Stripe holds."""
        form, page = action_form(
            self,
            request,
            with_outstanding(queryset),
            TierForm,
            title="Change subscription tier",
            submit="Change",
            describe=balances,
        )
        if page is not None:
            return page
        tier, reason = form.cleaned_data["tier"], form.cleaned_data["reason"]
        changed, skipped = 0, []
        for user in queryset.order_by("email"):
            if user.subscription_tier == tier:
                skipped.append(f"{user.email} (already {tier})")
                continue
            tier_set(user=user, tier=tier, actor=request.user, reason=reason)
            changed += 1
            self.log_change(request, user, f"Subscription tier set to {tier}: {reason}")
        report(self, request, f"Set {plural(changed, 'user')} to {tier}", skipped)
        return None
