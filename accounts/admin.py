from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import Q
from django.template.response import TemplateResponse
from django.utils import timezone

from accounts import services
from accounts.models import AccessToken, EmailVerificationCode, OAuthAccount, User, normalize_email
from config.admin import ALL_CASCADED, CascadeAdminMixin, EstimatedCountPaginator
from config.encryption import masked
from config.exceptions import DomainError
from config.roles import is_service_account


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


class ServiceTokenForm(forms.Form):
    name = forms.CharField(max_length=100, initial="agent-runtime")
    ttl_days = forms.IntegerField(min_value=1, max_value=365, initial=90, label="Lifetime (days)")


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class OAuthAccountInline(ReadOnlyInline):
    model = OAuthAccount
    fields = ("oauth_name", "account_email", "account_id", "access_token_masked", "expires_at")
    readonly_fields = fields

    @admin.display(description="Access token")
    def access_token_masked(self, account):
        return masked(account.access_token_last4)

    def get_queryset(self, request):
        return super().get_queryset(request).defer("access_token", "refresh_token")


class AccessTokenInline(ReadOnlyInline):
    """Deleting a row here revokes the token."""

    model = AccessToken
    can_delete = True
    fields = ("token_prefix", "name", "created_at", "last_used_at", "expires_at")
    readonly_fields = fields
    ordering = ("-created_at",)

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("accounts.delete_accesstoken")


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
class UserAdmin(CascadeAdminMixin, DjangoUserAdmin):
    """Users: credit buckets and billing identifiers are read-only here (ACC-6).

    Search is index-backed only (exact email, username prefix, referral code, Stripe customer),
    and the changelist never counts the whole table.
    """

    # Deleting a user takes all of their rows (ACC-7), whatever staff may do to each kind.
    cascaded_models = ALL_CASCADED
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
        "created_at",
    )
    search_fields = ("email", "username", "referral_code", "stripe_customer_id")
    search_help_text = "Exact email, username prefix, referral code or Stripe customer id."
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    inlines = (OAuthAccountInline, AccessTokenInline)
    actions = ("deactivate_and_revoke", "revoke_all_tokens", "issue_service_token")
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

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else ()

    def delete_model(self, request, obj):
        """Deleting goes through `user_delete` (ACC-7), which refuses protected accounts."""
        try:
            services.user_delete(user=obj, actor=request.user)
        except DomainError as exc:
            self.message_user(request, f"{obj}: {exc.message}", messages.ERROR)

    def delete_queryset(self, request, queryset):
        deleted, refused = 0, []
        for user in queryset:
            try:
                services.user_delete(user=user, actor=request.user)
                deleted += 1
            except DomainError:
                refused.append(user.email)
        if refused:
            self.message_user(
                request,
                f"Kept {len(refused)} (deactivate them instead): {', '.join(refused)}",
                messages.WARNING,
            )

    @admin.action(description="Deactivate and revoke tokens", permissions=["change"])
    def deactivate_and_revoke(self, request, queryset):
        deactivated, skipped = 0, 0
        for user in queryset:
            if not user.is_active:
                skipped += 1
                continue
            services.user_deactivate(user=user, actor=request.user)
            deactivated += 1
        self.message_user(
            request, f"Deactivated {deactivated}; skipped {skipped}: already inactive."
        )

    @admin.action(description="Revoke all tokens", permissions=["change"])
    def revoke_all_tokens(self, request, queryset):
        revoked = sum(services.tokens_revoke_all(user=user) for user in queryset)
        self.message_user(request, f"Revoked {revoked} tokens of {queryset.count()} users.")

    @admin.action(description="Issue service token…", permissions=["change"])
    def issue_service_token(self, request, queryset):
        """Shows the raw token once; only users holding a service permission qualify."""
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one service account.", messages.ERROR)
            return None
        user = queryset.get()
        if not is_service_account(user):
            self.message_user(request, f"{user} holds no service permission.", messages.ERROR)
            return None
        form = ServiceTokenForm(request.POST if "apply" in request.POST else None)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Issue a service token for {user}",
            "target": user,
            "form": form,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        if form.is_valid():
            token, raw = services.service_token_issue(
                user=user, actor=request.user, **form.cleaned_data
            )
            context.update(token=token, raw=raw)
        return TemplateResponse(request, "admin/accounts/user/issue_service_token.html", context)


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


@admin.register(OAuthAccount)
class OAuthAccountAdmin(admin.ModelAdmin):
    """Read-only: tokens only masked, never decrypted on these pages."""

    list_display = ("user", "oauth_name", "account_email", "expires_at", "created_at")
    list_select_related = ("user",)
    list_filter = ("oauth_name",)
    search_fields = ("account_email", "account_id", "user__email")
    raw_id_fields = ("user",)
    fields = (
        "id",
        "user",
        "oauth_name",
        "account_id",
        "account_email",
        "access_token_masked",
        "refresh_token_masked",
        "expires_at",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    @admin.display(description="Access token")
    def access_token_masked(self, account):
        return masked(account.access_token_last4)

    @admin.display(description="Refresh token")
    def refresh_token_masked(self, account):
        return masked(account.refresh_token_last4)

    def get_queryset(self, request):
        return super().get_queryset(request).defer("access_token", "refresh_token")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        """Unlinking keeps the last way to sign in (ACC-12)."""
        try:
            services.oauth_account_unlink(account=obj, actor=request.user)
        except DomainError as exc:
            self.message_user(request, f"{obj}: {exc.message}", messages.ERROR)

    def delete_queryset(self, request, queryset):
        for account in queryset:
            self.delete_model(request, account)


@admin.register(EmailVerificationCode)
class EmailVerificationCodeAdmin(admin.ModelAdmin):
    """View only; the code hash is on no page."""

    list_display = ("user", "purpose", "created_at", "expires_at", "attempts", "used")
    list_select_related = ("user",)
    list_filter = ("purpose", "used")
    search_fields = ("user__email",)
    raw_id_fields = ("user",)
    fields = (
        "id",
        "user",
        "purpose",
        "target_email",
        "attempts",
        "max_attempts",
        "expires_at",
        "used",
        "used_at",
        "created_at",
    )
    readonly_fields = fields
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
