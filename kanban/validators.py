"""Field rules of the kanban models (DATA_MODEL.md §7), shared by models, serializers and admin.

The database twins of these rules are the models' check constraints; the bounds of the JSON
columns are `config.validators.JsonValidator`, which runs these JSON rules after them.
"""

import re

import orjson
from django.core.exceptions import ValidationError

from config.validators import JsonValidator

# `#RRGGBB`; the PostgreSQL twin is KanbanColumn's `kanban_column_color_valid`.
COLOR_RE = r"^#[0-9A-Fa-f]{6}$"
_COLOR = re.compile(COLOR_RE)

TAGS_MAX_ITEMS = 20
TAG_MAX_LENGTH = 50


def validate_color(value):
    if value and not _COLOR.match(value):
        raise ValidationError("Enter a colour as #RRGGBB, or leave it blank.", code="invalid")


def validate_tags(value):
    """A task's tags, a rule of the column's `JsonValidator`: a list of at most 20 distinct,
    non-blank strings of at most 50 characters."""
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


def JsonObjectValidator(max_bytes):
    """Kanban's migrations 0001 and 0002 name their JSON bound so; landed migrations are
    history, so the name stays and builds the one validator."""
    return JsonValidator(max_bytes=max_bytes)
