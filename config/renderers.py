import json
from decimal import Decimal

import orjson
from django.utils.functional import Promise
from rest_framework.renderers import BaseRenderer
from rest_framework.utils import encoders


def _default(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, set | frozenset):
        return list(value)
    raise TypeError(f"Type is not JSON serializable: {type(value).__name__}")


class ORJSONRenderer(BaseRenderer):
    """JSON through orjson: UUIDs as strings, UTC datetimes with `Z`, Decimals as strings.

    DRF's serializer fields already produce these formats; the lean read paths that render
    `.values()` rows directly rely on this renderer for the same output.
    """

    media_type = "application/json"
    format = "json"
    charset = None
    options = orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        try:
            return orjson.dumps(data, default=_default, option=self.options)
        except orjson.JSONEncodeError:
            # orjson stops at 64-bit integers; PostgreSQL's jsonb holds larger ones. The
            # standard encoder (DRF's, same formats) writes them instead of failing the read.
            return json.dumps(data, cls=encoders.JSONEncoder, separators=(",", ":")).encode()
