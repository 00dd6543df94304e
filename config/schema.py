import re

from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_choice_field
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

ERROR_DESCRIPTIONS = {
    400: "Bad input (`validation_error`, `parse_error` or a rule's own code).",
    401: "No or bad credentials (`not_authenticated`, `authentication_failed`).",
    403: "The caller may see the row but not do this.",
    404: "No such row, or another user's private row (`not_found`).",
    405: "Wrong method (`method_not_allowed`).",
    406: "No acceptable response format (`not_acceptable`).",
    409: "Uniqueness, state or version conflict.",
    413: "Body too large (`payload_too_large`).",
    415: "Unsupported content type (`unsupported_media_type`).",
    429: "Too many requests (`throttled`), with `Retry-After`.",
    500: "Unexpected error (`server_error`); the body quotes the request id.",
    503: "A service the answer needs is down (`database_unavailable`, `throttle_unavailable`),"
    " with `Retry-After`.",
}
BLANKABLE_FORMATS = (serializers.URLField, serializers.EmailField)
ALWAYS = (400, 401, 403, 404, 405, 406, 429, 500, 503)
WITH_BODY = (409, 413, 415)


class ErrorSerializer(serializers.Serializer):
    """The one error shape of docs/spec/API.md §4."""

    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


# The tag of an operation is its domain: the app that serves it (chat and kanban live under
# /projects/{pid}/ but are domains of their own); the ground layer's views are "system".
TAG_OF_APP = {"config": "system"}
RULE_ID = re.compile(r"\b[A-Z]{3}-\d+(?:…\d+)?(?:,\s*|;\s*|\s+and\s+)?")
EMPTY_PARENTHESES = re.compile(r"\s*\(\s*\)")


class AutoSchema(openapi.AutoSchema):
    """Documents every error status an operation can return, not only its success code, and
    tags each operation with its domain."""

    def get_tags(self):
        app = type(self.view).__module__.split(".")[0]
        return [TAG_OF_APP.get(app, app)]

    def _insert_field_validators(self, field, schema):
        super()._insert_field_validators(field, schema)
        # An unset URL or email is "" (blank), which is no URI or address. drf-spectacular
        # documents a writable blank-allowing field as "the format or blank" itself; a
        # read-only one mirrors a model field that may be blank, so it is documented so too.
        if isinstance(field, BLANKABLE_FORMATS) and field.read_only and "format" in schema:
            schema["anyOf"] = [{"format": schema.pop("format")}, {"maxLength": 0}]

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction=direction)
        statuses = ALWAYS + (WITH_BODY if self.method in ("POST", "PUT", "PATCH", "DELETE") else ())
        for status in statuses:
            if str(status) not in responses:
                responses[str(status)] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[status]),
                    str(status),
                    direction=direction,
                )
        return responses


class EnumChoiceField(serializers.ChoiceField):
    """A choice field published as one schema component named after its `TextChoices` class
    (`FeedbackStatusEnum`). drf-spectacular otherwise names an inline enum after the field
    (`status` → `StatusEnum`) and warns when two apps' `status` fields carry different
    choices."""

    def __init__(self, choices_class, **kwargs):
        super().__init__(choices=choices_class.choices, **kwargs)
        self.enum_name = f"{choices_class.__name__}Enum"


class EnumChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = EnumChoiceField

    def get_name(self):
        return self.target.enum_name

    def map_serializer_field(self, auto_schema, direction):
        schema = build_choice_field(self.target)
        schema.pop("x-spec-enum-id", None)  # only spectacular's inline-enum bookkeeping reads it
        return schema


def without_rule_ids(text):
    """`text` without the rule ids of the project's specs ("(MKT-41)", "BIL-50…52; paid"),
    which API clients cannot look up."""
    return EMPTY_PARENTHESES.sub("", RULE_ID.sub("", text))


def drop_rule_ids(result, **kwargs):
    """A drf-spectacular postprocessing hook: every summary and description of the schema
    without rule ids."""

    def clean(node):
        if isinstance(node, dict):
            return {
                key: without_rule_ids(value)
                if key in ("summary", "description") and isinstance(value, str)
                else clean(value)
                for key, value in node.items()
            }
        if isinstance(node, list):
            return [clean(item) for item in node]
        return node

    return clean(result)
