"""Field rules of the kanban models (DATA_MODEL.md §7), shared by models, serializers and admin.

The database twins of these rules are the models' check constraints; the parts a check
constraint cannot express (a JSON value's size and the strings inside it) live here only.
"""

import re

import orjson
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

# `#RRGGBB`; the PostgreSQL twin is KanbanColumn's `kanban_column_color_valid`.
COLOR_RE = r"^#[0-9A-Fa-f]{6}$"
_COLOR = re.compile(COLOR_RE)

TAGS_MAX_ITEMS = 20
TAG_MAX_LENGTH = 50
JSON_NUMBER_LIMIT = 2**63


def json_size(value):
    """Bytes of `value` serialized compactly, as the API receives and returns it."""
    return len(orjson.dumps(value))


def validate_color(value):
    if value and not _COLOR.match(value):
        raise ValidationError("Enter a colour as #RRGGBB, or leave it blank.", code="invalid")


def _numbers_fit(value):
    """Whether every number in a JSON value lies within a 64-bit integer's range.

    jsonb stores numbers as decimals and gives `1e100` back as a 101-digit integer, which
    no JSON renderer of ours can write; so such numbers are refused on the way in.
    """
    pending = [value]
    while pending:  # iterative: nesting depth is the client's choice
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, int | float) and not abs(item) < JSON_NUMBER_LIMIT:
            return False
    return True


@deconstructible
class JsonObjectValidator:
    """A JSON object of at most `max_bytes` once serialized, that PostgreSQL stores and the API
    renders back unchanged: no NUL character (jsonb refuses `\\u0000`), no unpaired surrogate,
    at most 255 levels deep, and numbers within a 64-bit integer's range."""

    def __init__(self, max_bytes):
        self.max_bytes = max_bytes

    def __call__(self, value):
        if not isinstance(value, dict):
            raise ValidationError("Enter a JSON object.", code="invalid")
        try:
            serialized = orjson.dumps(value)
        except orjson.JSONEncodeError:  # unpaired surrogates, or nested too deep
            raise ValidationError(
                "Use valid text, nested at most 255 levels deep.", code="invalid"
            ) from None
        if not _numbers_fit(value):
            raise ValidationError(
                "Numbers must lie between -9223372036854775807 and 9223372036854775807.",
                code="invalid",
            )
        if len(serialized) > self.max_bytes:
            raise ValidationError(
                f"Keep this under {self.max_bytes // 1024} KiB.", code="max_length"
            )
        if b"\\u0000" in serialized:
            raise ValidationError("NUL characters are not allowed.", code="null_characters")

    def __eq__(self, other):
        return isinstance(other, JsonObjectValidator) and self.max_bytes == other.max_bytes


def validate_tags(value):
    """A task's tags: a list of at most 20 distinct, non-blank strings of at most 50 characters."""
    if not isinstance(value, list):
        raise ValidationError("Enter a list of tags.", code="invalid")
    if len(value) > TAGS_MAX_ITEMS:
        raise ValidationError(f"Use at most {TAGS_MAX_ITEMS} tags.", code="max_length")
    for tag in value:
        if not isinstance(tag, str) or not tag.strip() or "\x00" in tag:
            raise ValidationError("Each tag is a non-blank string.", code="invalid")
        if len(tag) > TAG_MAX_LENGTH:
            raise ValidationError(
                f"A tag has at most {TAG_MAX_LENGTH} characters.", code="max_length"
            )
    if len(set(value)) != len(value):
        raise ValidationError("Tags must not repeat.", code="duplicate")


def validate_json_text(value):
    """KAN-14: note content in the `json` format must parse as JSON."""
    try:
        orjson.loads(value)
    except orjson.JSONDecodeError:
        raise ValidationError("The content is not valid JSON.", code="invalid_json") from None
