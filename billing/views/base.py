"""What the billing views share: Idempotency-Key handling (API.md §8.1) and the service
permission of usage charges; the viewsets inherit config.api.StudioViewSet."""

import re

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.permissions import IsAuthenticated
from rest_framework.status import HTTP_200_OK, HTTP_201_CREATED

from billing.errors import IdempotencyKeyRequired
from billing.permissions import CanChargeUsage

IDEMPOTENCY_KEY = re.compile(r"[\x20-\x7e]{1,255}")  # 1 to 255 printable ASCII characters
REPLAYED_HEADER = "Idempotent-Replayed"
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
