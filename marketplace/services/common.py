"""What every marketplace service shares: the caller checks and generated slugs (MKT-2)."""

import secrets
import string

from django.db import IntegrityError, transaction
from django.utils.text import slugify

from config.exceptions import NotAllowed, violated_unique_fields

SLUG_STEM_LENGTH = 50
SLUG_SUFFIX_LENGTH = 6
SLUG_ATTEMPTS = 10
_SUFFIX_ALPHABET = string.ascii_lowercase + string.digits


def require(allowed, message=None):
    if not allowed:
        raise NotAllowed(message)


def check_fields(changes, allowed):
    """A programming error, not bad input: serializers and admin forms send only these."""
    unknown = set(changes) - set(allowed)
    if unknown:
        raise TypeError(f"Not writable here: {sorted(unknown)}")


def generated_slug(name, fallback):
    """MKT-2: `slugify(name)[:50]`, `-` and 6 random `[a-z0-9]`. A name with nothing to slugify
    (emoji only) uses `fallback` as its stem."""
    stem = slugify(name)[:SLUG_STEM_LENGTH].strip("-") or fallback
    suffix = "".join(secrets.choice(_SUFFIX_ALPHABET) for _ in range(SLUG_SUFFIX_LENGTH))
    return f"{stem}-{suffix}"


def insert_with_slug(item, *, fallback):
    """Inserts `item`. A slug staff chose is kept (a clash is theirs to fix); otherwise one is
    generated and, after a clash, generated again, each attempt in its own savepoint."""
    if item.slug:
        item.save(force_insert=True)
        return item
    for attempt in range(SLUG_ATTEMPTS):
        item.slug = generated_slug(item.name, fallback)
        try:
            with transaction.atomic():
                item.save(force_insert=True)
        except IntegrityError as exc:
            if "slug" not in violated_unique_fields(exc) or attempt == SLUG_ATTEMPTS - 1:
                raise
        else:
            return item
    return item
