"""Users' provider keys and custom models (BIL-50…53, BIL-60). A key's value is never in a
form and never decrypted on these pages: it shows as `•••• last4`."""

from django.contrib import admin

from accounts.models import normalize_email
from billing.models import UserAPIKey, UserCustomModel
from billing.permissions import user_can_deactivate_api_keys
from billing.services.api_keys import api_key_update
from config.admin import DeclaredSearchMixin, plural, report
from config.encryption import masked


@admin.register(UserAPIKey)
class UserAPIKeyAdmin(DeclaredSearchMixin, admin.ModelAdmin):
    """Read-only: a key is the user's secret. Staff may deactivate a key or delete it (the
    secret goes with the row, BIL-53), never read or replace it."""

    list_display = ("user", "provider", "key_name", "value", "is_active", "last_used_at")
    list_filter = ("provider", "is_active")
    list_select_related = ("user",)
    search_fields = ("user__email",)
    search_lookups = {"user__email": normalize_email}
    search_help_text = "The user's exact email."
    fields = (
        "id",
        "user",
        "provider",
        "key_name",
        "value",
        "base_url",
        "is_active",
        "last_used_at",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    actions = ("deactivate",)

    def get_queryset(self, request):
        return super().get_queryset(request).defer("encrypted_value")

    @admin.display(description="value")
    def value(self, key):
        return masked(key.encrypted_value_last4)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_deactivate_permission(self, request):
        return user_can_deactivate_api_keys(request.user)

    @admin.action(description="Deactivate", permissions=["deactivate"])
    def deactivate(self, request, queryset):
        keys = list(queryset)
        active = [key for key in keys if key.is_active]
        for key in active:
            api_key_update(key=key, changes={"is_active": False})
            self.log_change(request, key, "Deactivated.")
        inactive = len(keys) - len(active)
        skipped = [f"{plural(inactive, 'key')} already inactive"] if inactive else []
        report(self, request, f"Deactivated {plural(len(active), 'key')}", skipped)


@admin.register(UserCustomModel)
class UserCustomModelAdmin(DeclaredSearchMixin, admin.ModelAdmin):
    """Names, prices and the active flag are plain fields; adding one needs the user's active
    key (BIL-60), so users add them through the API."""

    list_display = ("user", "provider", "model_id", "model_name", "is_active")
    list_filter = ("provider",)
    list_select_related = ("user",)
    search_fields = ("user__email", "model_id")
    search_lookups = {"user__email": normalize_email, "model_id": None}
    search_help_text = "The user's exact email, or the exact model id."
    fields = (
        "id",
        "user",
        "provider",
        "model_id",
        "model_name",
        "pricing_input",
        "pricing_output",
        "is_active",
        "created_at",
        "updated_at",
    )
    readonly_fields = ("id", "user", "provider", "model_id", "created_at", "updated_at")

    def has_add_permission(self, request):
        return False
