"""The model price catalogue as clients read it (BIL-72…74)."""

from rest_framework import serializers

from billing.models import LLMProvider, ModelPrice
from config.schema import EnumChoiceField


class ModelPriceSerializer(serializers.ModelSerializer):
    """Prices in cents per 1M tokens; `model` is the id usage names (`provider/model_id`)."""

    provider = EnumChoiceField(LLMProvider, read_only=True)
    model = serializers.CharField(read_only=True)

    class Meta:
        model = ModelPrice
        fields = [
            "id",
            "model",
            "provider",
            "model_id",
            "display_name",
            "input_price",
            "output_price",
            "cache_read_price",
            "cache_write_price",
            "params",
            "is_default",
        ]
        read_only_fields = fields
