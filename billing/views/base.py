"""What the billing views share: Idempotency-Key handling (API.md §8.1), per-action
permissions, and separate request and response shapes."""

import re

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.permissions import IsAuthenticated
from rest_framework.status import HTTP_200_OK, HTTP_201_CREATED

from billing.errors import IdempotencyKeyRequired
from billing.permissions import CanChargeUsage
from config.api import ActionShapesMixin, GenericViewSet
from config.schema import ErrorSerializer

IDEMPOTENCY_KEY = re.compile(r"[\x20-\x7e]{1,255}")  # 1 to 255 printable ASCII characters
REPLAYED_HEADER = "Idempotent-Replayed"
NO_PUT = ["get", "post", "patch", "delete", "head", "options"]
SERVICE = [IsAuthenticated, CanChargeUsage]


def idempotency_key(request):
    """The request's `Idempotency-Key`; 400 `idempotency_key_required` when it is missing or
    not 1 to 255 printable ASCII characters."""
    key = request.headers.get("Idempotency-Key", "")
    if not IDEMPOTENCY_KEY.fullmatch(key):
        raise IdempotencyKeyRequired()
    return key


def created_or_replayed(replayed):
    """`(status, headers)`: 201 for a first request, 200 with the replay header after."""
    if replayed:
        return HTTP_200_OK, {REPLAYED_HEADER: "true"}
    return HTTP_201_CREATED, None


IDEMPOTENCY_PARAMETERS = [
    OpenApiParameter(
        "Idempotency-Key",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        required=True,
        description="1 to 255 printable ASCII characters; a UUID v4 is recommended. The same key "
        "with the same body replays the first answer (200).",
    ),
    OpenApiParameter(
        REPLAYED_HEADER,
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=[200],
        description="`true` when this answer replays an earlier request with the same key.",
    ),
]


def error(description):
    return OpenApiResponse(ErrorSerializer, description=description)


class BillingViewSet(ActionShapesMixin, GenericViewSet):
    """Per-action permissions (`action_permissions`, else any signed-in user), request shapes
    in `write_serializers`, and responses built from rows re-read through `get_queryset()`."""

    lookup_value_converter = "uuid"
    http_method_names = NO_PUT
    action_permissions = {}

    def get_permissions(self):
        classes = self.action_permissions.get(self.action, [IsAuthenticated])
        return [permission() for permission in classes]
