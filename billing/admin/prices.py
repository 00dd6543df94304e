"""The model price catalogue (BIL-72…76): the Billing group adds and reprices models; every
change is in the audit history. A model leaves the catalogue by deactivation, never deletion,
so its price history stays next to the usage it priced."""

from django.contrib import admin

from billing.models import ModelPrice
from billing.services.prices import model_price_save
from config.admin import DeclaredSearchMixin, money_column

PER_MILLION = "Cents per 1M tokens, up to 4 decimals (80 is $0.80)."


@admin.register(ModelPrice)
class ModelPriceAdmin(DeclaredSearchMixin, admin.ModelAdmin):
    list_display = (
        "model_name",
        "display_name",
        "input_price_usd",
        "output_price_usd",
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
    input_price_usd = money_column("input_price", description="input, per 1M tokens")
    output_price_usd = money_column("output_price", description="output, per 1M tokens")

    # Not "model": a ModelAdmin's own `model` attribute (the class) would answer for it.
    @admin.display(description="model", ordering="model_id")
    def model_name(self, price):
        return price.model

    def get_form(self, request, obj=None, **kwargs):
        prices = ("input_price", "output_price", "cache_read_price", "cache_write_price")
        kwargs["help_texts"] = dict.fromkeys(prices, PER_MILLION)
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        # Usage logs name a model by these two: renaming one would orphan its usage.
        if obj is not None:
            return ("provider", "model_id", *self.readonly_fields)
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        model_price_save(actor=request.user, price=obj)

    def has_delete_permission(self, request, obj=None):
        return False
