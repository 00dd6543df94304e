import json
from decimal import Decimal

import orjson
from django.utils.functional import Promise
from rest_framework.renderers import BaseRenderer
from rest_framework.utils import encoders
from rest_framework.utils.mediatypes import _MediaType


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

    Compact for clients; indented (two spaces, orjson's only indent) for people: in the
    browsable API, and for an `Accept: application/json; indent=N` request.
    """

    media_type = "application/json"
    format = "json"
    charset = None
    options = orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        indented = self.indented(accepted_media_type, renderer_context or {})
        options = self.options | (orjson.OPT_INDENT_2 if indented else 0)
        try:
            return orjson.dumps(data, default=_default, option=options)
        except orjson.JSONEncodeError:
            # orjson stops at 64-bit integers; PostgreSQL's jsonb holds larger ones. The
            # standard encoder (DRF's, same formats) writes them instead of failing the read.
            layout = {"indent": 2} if indented else {"separators": (",", ":")}
            return json.dumps(data, cls=encoders.JSONEncoder, **layout).encode()

    @staticmethod
    def indented(accepted_media_type, renderer_context):
        """Asked for with `indent` in the Accept header, or by the browsable API (which sets
        the renderer context's `indent` for the JSON it shows)."""
        if accepted_media_type and _MediaType(accepted_media_type).params.get("indent"):
            return True
        return bool(renderer_context.get("indent"))
