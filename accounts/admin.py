from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import Q
from django.utils import timezone

from accounts.models import AccessToken, User, normalize_email
from config.admin import EstimatedCountPaginator


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name")

    def clean_email(self):
        email = normalize_email(self.cleaned_data["email"])
        if User.objects.filter(email=email).exists():
            raise forms.ValidationError("A user with this email already exists.")
        return email


class UserEditForm(UserChangeForm):
    avatar_url = forms.URLField(max_length=2048, required=False, assume_scheme="https")

    class Meta:
        model = User
        fields = (
            "email",
            "name",
            "username",
            "theme_preset",
            "chat_position",
            "disabled_models",
            "two_fa_enabled",
            "avatar_url",
            "email_verified_at",
            "is_active",
            "is_staff",
            "is_superuser",
            "groups",
            "user_permissions",
        )

    def clean_email(self):
        return normalize_email(self.cleaned_data["email"])


CREDIT_FIELDS = (
    "daily_credits",
    "daily_credits_reset_at",
    "bundled_credits",
    "credits_reset_at",
    "purchased_credits",
    "signup_bonus_credits",
    "signup_bonus_expires_at",
    "total_spend_cents",
)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Users: credit buckets and billing identifiers are read-only here (ACC-6).

    Search is index-backed only (exact email, username prefix, referral code, Stripe customer),
    and the changelist never counts the whole table.
    """

    form = UserEditForm
    add_form = UserCreationForm
    ordering = ("-created_at",)
    list_display = (
        "email",
        "username",
        "name",
        "subscription_tier",
        "total_credits",
        "is_active",
        "is_staff",
        "created_at",
    )
    list_filter = (
        "subscription_tier",
        "is_active",
        "is_staff",
        "is_superuser",
        "two_fa_enabled",
        "groups",
    )
    search_fields = ("email", "username", "referral_code", "stripe_customer_id")
    search_help_text = "Exact email, username prefix, referral code or Stripe customer id."
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    readonly_fields = (
        "id",
        "slug",
        "referral_code",
        "referred_by",
        "subscription_tier",
        "stripe_customer_id",
        *CREDIT_FIELDS,
        "last_login",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("id", "email", "password")}),
        (
            "Profile",
            {
                "fields": (
                    "name",
                    "username",
                    "slug",
                    "avatar_url",
                    "theme_preset",
                    "chat_position",
                    "disabled_models",
                    "two_fa_enabled",
                    "email_verified_at",
                )
            },
        ),
        (
            "Subscription and credits",
            {
                "fields": (
                    "subscription_tier",
                    "stripe_customer_id",
                    *CREDIT_FIELDS,
                )
            },
        ),
        ("Referral", {"fields": ("referral_code", "referred_by")}),
        (
            "Permissions",
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                )
            },
        ),
        ("Dates", {"fields": ("last_login", "created_at", "updated_at")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "name", "password1", "password2")}),
    )

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        match = (
            Q(email=normalize_email(term))
            | Q(username__startswith=term.lower())
            | Q(referral_code=term.upper())
            | Q(stripe_customer_id=term)
        )
        return queryset.filter(match), False


class ExpiredFilter(admin.SimpleListFilter):
    title = "expired"
    parameter_name = "expired"

    def lookups(self, request, model_admin):
        return (("yes", "Expired"), ("no", "Live"))

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "yes":
            return queryset.filter(expires_at__lte=now)
        if self.value() == "no":
            return queryset.filter(expires_at__gt=now)
        return queryset


@admin.register(AccessToken)
class AccessTokenAdmin(admin.ModelAdmin):
    """Tokens are read-only; deleting one revokes it. Service tokens come from a User action."""

    list_display = (
        "token_prefix",
        "user",
        "name",
        "created_at",
        "last_used_at",
        "expires_at",
        "expired",
    )
    list_select_related = ("user",)
    list_filter = (ExpiredFilter, "name")
    search_fields = ("token_prefix", "user__email")
    raw_id_fields = ("user",)
    fields = (
        "id",
        "token_prefix",
        "user",
        "name",
        "created_at",
        "last_used_at",
        "expires_at",
        "user_agent",
        "ip_address",
    )
    readonly_fields = fields

    @admin.display(boolean=True)
    def expired(self, token):
        return token.is_expired

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
