"""The model price catalogue (BIL-72…76): the Billing group adds and reprices models; every
change is in the audit history. A model leaves the catalogue by deactivation, never deletion,
so its price history stays next to the usage it priced."""

from django.contrib import admin

from billing.models import ModelPrice
from billing.services.prices import model_price_save
from config.admin import DeclaredSearchMixin


@admin.register(ModelPrice)
class ModelPriceAdmin(DeclaredSearchMixin, admin.ModelAdmin):
    list_display = (
        "model",
        "display_name",
        "input_price",
        "output_price",
        "is_active",
        "is_default",
        "updated_at",
    )
    list_filter = ("provider", "is_active")
    search_fields = ("model_id", "display_name")
    # A catalogue of tens of rows: a scan is cheaper than any index.
    search_lookups = {"model_id__icontains": None, "display_name__icontains": None}
    search_help_text = "Part of the model id or name."
    ordering = ("provider", "model_id")
    fields = (
        "provider",
        "model_id",
        "display_name",
        "input_price",
        "output_price",
        "cache_read_price",
        "cache_write_price",
        "params",
        "is_active",
        "is_default",
        "created_at",
        "updated_at",
    )
    readonly_fields = ("created_at", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        # Usage logs name a model by these two: renaming one would orphan its usage.
        if obj is not None:
            return ("provider", "model_id", *self.readonly_fields)
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        model_price_save(actor=request.user, price=obj)

    def has_delete_permission(self, request, obj=None):
        return False
