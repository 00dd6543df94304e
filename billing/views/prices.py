"""The model price catalogue for clients' model selectors (BIL-72): active models only."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins

from billing.models import ModelPrice
from billing.serializers.prices import ModelPriceSerializer
from config.api import StudioViewSet


@extend_schema_view(
    list=extend_schema(summary="The models you may use and their prices (cents per 1M tokens)")
)
class ModelPriceViewSet(mixins.ListModelMixin, StudioViewSet):
    serializer_class = ModelPriceSerializer

    def get_queryset(self):
        return ModelPrice.objects.active().order_by("provider", "model_id")
