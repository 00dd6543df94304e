"""Users' own LLM keys (BYOK, BIL-50…53) and the custom models under them (BIL-60).

A key's value is write-only: responses say `value_set`, from the stored last four characters,
and listing never loads, let alone decrypts, the encrypted column.
"""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.permissions import IsAuthenticated
from rest_framework.status import HTTP_201_CREATED

from billing.models import UserAPIKey, UserCustomModel
from billing.permissions import MayHoldByokKeys
from billing.serializers.keys import (
    UserAPIKeyCreateSerializer,
    UserAPIKeySerializer,
    UserAPIKeyUpdateSerializer,
    UserCustomModelCreateSerializer,
    UserCustomModelSerializer,
    UserCustomModelUpdateSerializer,
)
from billing.services.api_keys import api_key_create, api_key_update, custom_model_create
from config.api import OwnRowsViewSet
from config.schema import error


@extend_schema_view(
    list=extend_schema(summary="Your provider keys (values never returned)"),
    retrieve=extend_schema(summary="One of your provider keys"),
    create=extend_schema(
        summary="Add a provider key (BIL-50…52; paid tiers)",
        request=UserAPIKeyCreateSerializer,
        responses={
            201: UserAPIKeySerializer,
            403: error("`upgrade_required`: own keys need a paid tier."),
            409: error("`already_exists`: an active key for this provider."),
        },
    ),
    partial_update=extend_schema(
        summary="Rotate, rename, move or (de)activate a key",
        request=UserAPIKeyUpdateSerializer,
        responses={
            200: UserAPIKeySerializer,
            403: error("`upgrade_required`: activating needs a paid tier."),
        },
    ),
    destroy=extend_schema(summary="Delete a key and its secret (BIL-53)"),
)
class UserAPIKeyViewSet(OwnRowsViewSet):
    model = UserAPIKey
    serializer_class = UserAPIKeySerializer
    write_serializers = {
        "create": UserAPIKeyCreateSerializer,
        "partial_update": UserAPIKeyUpdateSerializer,
    }
    action_permissions = {"create": [IsAuthenticated, MayHoldByokKeys]}

    def get_queryset(self):
        return super().get_queryset().defer("encrypted_value")

    def create(self, request):
        key = api_key_create(user=request.user, **self.validated(UserAPIKeyCreateSerializer))
        return self.read(key, HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        key = self.get_object()
        changes = self.validated(UserAPIKeyUpdateSerializer, instance=key)
        if changes:  # a PATCH naming no field changes nothing
            api_key_update(key=key, changes=changes)
        return self.read(key)


@extend_schema_view(
    list=extend_schema(summary="Your custom models"),
    retrieve=extend_schema(summary="One of your custom models"),
    create=extend_schema(
        summary="Add a model under a provider you hold an active key for (BIL-60)",
        request=UserCustomModelCreateSerializer,
        responses={
            201: UserCustomModelSerializer,
            400: error("Bad input, or `byok_key_missing`."),
            409: error("`already_exists`: this provider and model id."),
        },
    ),
    partial_update=extend_schema(
        summary="Rename, reprice or (de)activate a custom model",
        request=UserCustomModelUpdateSerializer,
        responses={200: UserCustomModelSerializer},
    ),
    destroy=extend_schema(summary="Delete a custom model"),
)
class UserCustomModelViewSet(OwnRowsViewSet):
    model = UserCustomModel
    serializer_class = UserCustomModelSerializer
    write_serializers = {
        "create": UserCustomModelCreateSerializer,
        "partial_update": UserCustomModelUpdateSerializer,
    }

    def create(self, request):
        data = self.validated(UserCustomModelCreateSerializer)
        return self.read(custom_model_create(user=request.user, **data), HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        serializer = self.checked(UserCustomModelUpdateSerializer, instance=self.get_object())
        return self.read(serializer.save())
