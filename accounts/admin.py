from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils import timezone

from accounts import services
from accounts.models import (
    AccessToken,
    EmailVerificationCode,
    McpServer,
    OAuthAccount,
    User,
    WaitlistEntry,
    normalize_email,
)
from accounts.permissions import (
    INVITE_FROM_WAITLIST,
    PRIVILEGE_FIELDS,
    changeable_privilege_fields,
    user_can_issue_service_tokens,
    user_can_manage_account,
)
from config.admin import (
    ALL_CASCADED,
    CascadeAdminMixin,
    DeclaredSearchMixin,
    LargeTableMixin,
    ReadOnlyInline,
    RefuseCraftedActions,
    ViewOnlyMixin,
    contains,
    money_column,
    plural,
    report,
)
from config.audit import grantable
from config.encryption import MASK, masked
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "user_permissions" in self.fields:
            field = self.fields["user_permissions"]
            field.queryset = grantable(field.queryset)

    def clean_email(self):
        return normalize_email(self.cleaned_data["email"])


class ServiceTokenForm(forms.Form):
    name = forms.CharField(max_length=100, initial="agent-runtime")
    ttl_days = forms.IntegerField(min_value=1, max_value=365, initial=90, label="Lifetime (days)")


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
    "daily_credits_usd",
    "daily_credits_reset_at",
    "bundled_credits_usd",
    "credits_reset_at",
    "purchased_credits_usd",
    "signup_bonus_credits_usd",
    "signup_bonus_expires_at",
    "total_spend_cents_usd",
)


class UserAdmin(LargeTableMixin, DeclaredSearchMixin, CascadeAdminMixin, DjangoUserAdmin):
    """Users: credit buckets and billing identifiers are read-only here (ACC-6).

    Search is index-backed only (part of the email, name or username through the trigram index,
    username prefix, referral code, Stripe customer), and the changelist never counts the whole
    table. Registered by backoffice/admin.py, with
    billing's money actions.
    """

    # Deleting a user takes all of their rows (ACC-7), whatever staff may do to each kind.
    cascaded_models = ALL_CASCADED
    form = UserEditForm
    add_form = UserCreationForm
    ordering = ("-created_at",)
    list_display = (
        "email",
        "name",
        "subscription_tier",
        "total_credits_usd",
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
    search_help_text = (
        "Part of the email, name or username (3 characters or more), a username prefix, or an "
        "exact referral code or Stripe customer id."
    )
    search_lookups = {
        "email": normalize_email,
        "email__icontains": contains,
        "name__icontains": contains,
        "username__icontains": contains,
        "username__startswith": str.lower,
        "referral_code": str.upper,
        "stripe_customer_id": None,
    }
    total_credits_usd = money_column("total_credits", description="credits", sortable=False)
    daily_credits_usd = money_column("daily_credits")
    bundled_credits_usd = money_column("bundled_credits")
    purchased_credits_usd = money_column("purchased_credits")
    signup_bonus_credits_usd = money_column("signup_bonus_credits")
    total_spend_cents_usd = money_column("total_spend_cents", description="total spend")
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

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else ()

    def get_fieldsets(self, request, obj=None):
        """The password row is a button to set it; only those who may set it see it."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or user_can_manage_account(request.user, obj):
            return fieldsets
        return tuple(
            (name, {**options, "fields": [f for f in options["fields"] if f != "password"]})
            for name, options in fieldsets
        )

    def get_readonly_fields(self, request, obj=None):
        allowed = changeable_privilege_fields(request.user)
        locked = [field for field in PRIVILEGE_FIELDS if field not in allowed]
        return (*super().get_readonly_fields(request, obj), *locked)

    def has_change_permission(self, request, obj=None):
        """A staff member edits their own profile (never their privileges); anyone else's
        account only from the tier above it (`accounts.permissions`)."""
        allowed = super().has_change_permission(request, obj)
        if not allowed or obj is None or obj.pk == request.user.pk:
            return allowed
        return user_can_manage_account(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        if not allowed or obj is None:
            return allowed
        return user_can_manage_account(request.user, obj)

    def has_issue_service_token_permission(self, request):
        return user_can_issue_service_tokens(request.user)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A posted privilege field the actor may not set is refused whole (403), not quietly
        dropped with the read-only fields: someone crafted that request."""
        if request.method == "POST":
            refused = set(PRIVILEGE_FIELDS) - set(changeable_privilege_fields(request.user))
            if refused.intersection(request.POST):
                raise PermissionDenied
        return super().changeform_view(request, object_id, form_url, extra_context)

    def user_change_password(self, request, id, form_url=""):
        """Setting a password without the old one is managing the account, own included
        (staff change their own at /admin/password_change/, which asks for the old one)."""
        target = self.get_object(request, unquote(id))
        if target is not None and not user_can_manage_account(request.user, target):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

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

    def split_manageable(self, request, queryset):
        """The selected accounts this actor may manage, and the reason for each other one."""
        manageable, refused = [], []
        for user in queryset.order_by("email"):
            if user_can_manage_account(request.user, user):
                manageable.append(user)
            else:
                refused.append(f"{user.email} (a staff or service account: not yours to manage)")
        return manageable, refused

    @admin.action(description="Deactivate and revoke tokens", permissions=["change"])
    def deactivate_and_revoke(self, request, queryset):
        users, skipped = self.split_manageable(request, queryset)
        deactivated = 0
        for user in users:
            if not user.is_active:
                skipped.append("already inactive")
                continue
            services.user_deactivate(user=user, actor=request.user)
            deactivated += 1
        report(self, request, f"Deactivated {plural(deactivated, 'user')}", skipped)

    @admin.action(description="Revoke all tokens", permissions=["change"])
    def revoke_all_tokens(self, request, queryset):
        users, skipped = self.split_manageable(request, queryset)
        revoked = sum(services.tokens_revoke_all(user=user) for user in users)
        report(self, request, f"Revoked {plural(revoked, 'token')}", skipped)

    @admin.action(description="Issue service token…", permissions=["issue_service_token"])
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
            self.log_change(
                request, user, f"Issued service token {token.token_prefix}… ({token.name})"
            )
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
        "kind",
        "created_at",
        "last_used_at",
        "expires_at",
        "expired",
    )
    list_select_related = ("user",)
    list_filter = (ExpiredFilter, "kind", "name")
    search_fields = ("token_prefix", "user__email")
    raw_id_fields = ("user",)
    fields = (
        "id",
        "token_prefix",
        "user",
        "name",
        "kind",
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


@admin.register(McpServer)
class McpServerAdmin(DeclaredSearchMixin, admin.ModelAdmin):
    """Read-only (ACC-44): a server is its user's preference. Its headers show by name only and
    are never decrypted on these pages; Support may delete a server, through the service."""

    list_display = ("name", "user", "transport", "url", "headers_masked", "is_active", "created_at")
    list_select_related = ("user",)
    list_filter = ("transport", "is_active")
    search_fields = ("user__email",)
    search_lookups = {"user__email": normalize_email}
    search_help_text = "The user's exact email."
    fields = (
        "id",
        "user",
        "name",
        "transport",
        "url",
        "headers_masked",
        "enabled_tools",
        "is_active",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    @admin.display(description="headers")
    def headers_masked(self, server):
        return ", ".join(f"{name}: {MASK}" for name in server.header_names)

    def get_queryset(self, request):
        return super().get_queryset(request).defer("headers")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        services.mcp_server_delete(actor=request.user, server=obj)

    def delete_queryset(self, request, queryset):
        for server in queryset:
            self.delete_model(request, server)


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(
    ViewOnlyMixin, RefuseCraftedActions, DeclaredSearchMixin, admin.ModelAdmin
):
    """Read-only (ACC-48): people join through the API and become joined by signing up. Support
    invites waiting people, through the service, which mails them after commit."""

    list_display = ("email", "status", "source", "invited_at", "invited_by", "joined_user")
    list_select_related = ("invited_by", "joined_user")
    list_filter = ("status",)
    search_fields = ("email",)  # shows the box; the search itself is below
    search_lookups = {"email__icontains": contains}
    search_help_text = "Part of the email (at least 3 characters)."
    ordering = ("-created_at",)
    fields = (
        "id",
        "email",
        "source",
        "status",
        "invited_at",
        "invited_by",
        "joined_user",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    actions = ("invite",)

    def has_invite_permission(self, request):
        return request.user.has_perm(INVITE_FROM_WAITLIST)

    @admin.action(description="Invite selected people", permissions=["invite"])
    def invite(self, request, queryset):
        invited, skipped = 0, []
        for entry in queryset.order_by("email"):
            if services.waitlist_invite(actor=request.user, entry=entry):
                invited += 1
            else:
                entry.refresh_from_db(fields=["status"])
                skipped.append(f"already {entry.status}")
        report(self, request, f"Sent {plural(invited, 'invitation')}", skipped)
