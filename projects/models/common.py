"""Building blocks shared by the projects models: generated names and path conditions."""

import re
import secrets
import string

from django.db import IntegrityError, models, transaction
from django.db.models import Q

from config.exceptions import violated_unique_fields
from projects.validators import DOT_SEGMENT_RE, RELATIVE_PATH_RE

GENERATED_NAME_ATTEMPTS = 10


class OctetLength(models.Func):
    """Byte length of a text column (the database is UTF-8, so its UTF-8 length)."""

    function = "OCTET_LENGTH"
    output_field = models.IntegerField()


_SUFFIX_ALPHABET = string.ascii_lowercase + string.digits


def random_suffix(length=6):
    return "".join(secrets.choice(_SUFFIX_ALPHABET) for _ in range(length))


def slug_base(name):
    """PRJ-1 steps 1 to 4: the readable part of a project slug."""
    text = re.sub(r"[^a-z0-9 -]", "", name.lower())
    text = re.sub(r"[ -]+", "-", text).strip("-")
    # Cutting can leave a hyphen at the end, which would double up with the suffix's.
    return text[:50].rstrip("-") or "project"


def valid_path_condition(field_name, *, blank=False):
    """A check-constraint condition: the column holds a PRJ-40 relative path."""
    condition = Q(**{f"{field_name}__regex": RELATIVE_PATH_RE}) & ~Q(
        **{f"{field_name}__regex": DOT_SEGMENT_RE}
    )
    return condition | Q(**{field_name: ""}) if blank else condition


def save_with_generated_name(instance, generate, fields, *args, **kwargs):
    """Inserts `instance`, regenerating its random identifiers after a unique clash.

    `generate(attempt)` fills the identifiers; a clash on one of `fields` is retried inside a
    savepoint, up to GENERATED_NAME_ATTEMPTS times.
    """
    for attempt in range(GENERATED_NAME_ATTEMPTS):
        generate(attempt)
        try:
            with transaction.atomic():
                return models.Model.save(instance, *args, **kwargs)
        except IntegrityError as exc:
            if not set(violated_unique_fields(exc)) & set(fields):
                raise
            if attempt == GENERATED_NAME_ATTEMPTS - 1:
                raise
    return None
