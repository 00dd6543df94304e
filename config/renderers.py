import json
from collections.abc import Mapping
from decimal import Decimal

import orjson
from django.utils.functional import Promise
from rest_framework import renderers
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import override_method
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


class ContentNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, which answers the Accept headers nearly every API call sends (none,
    `*/*`, or the first renderer's own `application/json`) without parsing them: the first
    renderer, with its media type, as DRF's parse would. Parsing was a twentieth of the hot
    reads' time (PERFORMANCE.md W1, W2)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        if renderers and format_suffix is None:
            first = renderers[0]
            accept = request.META.get("HTTP_ACCEPT", "*/*")
            if (
                accept == "*/*" or accept == first.media_type == ORJSONRenderer.media_type
            ) and self.settings.URL_FORMAT_OVERRIDE not in request.query_params:
                return first, first.media_type
        return super().select_renderer(request, renderers, format_suffix)


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """DRF's browsable API, whose raw-data form holds only the fields the request takes, an
    edit form with the values the page shows. DRF fills it with every field of the response
    shape (`id`, `created_at`, counters), which the API refuses as read-only (docs/api.md,
    "Unknown fields"), and an edit form with blanks where the view answered plain data: sent
    back unchanged, either was a 400."""

    def get_raw_data_form(self, data, view, method, request):
        form = super().get_raw_data_form(data, view, method, request)
        content = form.fields["_content"] if form is not None else None
        if content is None or not content.initial:
            return form
        prefilled = orjson.loads(content.initial)
        if isinstance(prefilled, dict):
            with override_method(view, request, method):
                fields = view.get_serializer().fields
            shown = data if method in ("PUT", "PATCH") and isinstance(data, Mapping) else {}
            writable = {
                name: shown.get(name, value)
                for name, value in prefilled.items()
                if name in fields and not fields[name].read_only
            }
            indented = ORJSONRenderer().render(writable, renderer_context={"indent": 4})
            content.initial = indented.decode()
        return form
