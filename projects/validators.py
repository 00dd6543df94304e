"""Field rules of the projects models (DATA_MODEL.md §3), shared by models, serializers and admin.

Each path rule also has a database twin (the `*_RE` patterns, PostgreSQL regular expressions)
used by the models' check constraints, so a write that skips the serializer is refused too.
"""

import re
import unicodedata
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError

from config.validators import JsonValidator, validate_public_https_url
from projects import conf

# PostgreSQL twins of the Python rules below.
PATH_SEGMENT_RE = r"[^/\\[:cntrl:]]+"
RELATIVE_PATH_RE = rf"^{PATH_SEGMENT_RE}(/{PATH_SEGMENT_RE})*$"
DOT_SEGMENT_RE = r"(^|/)\.\.?(/|$)"
ABSOLUTE_DIRECTORY_RE = rf"^/({PATH_SEGMENT_RE}(/{PATH_SEGMENT_RE})*)?$"
CONTAINER_NAME_RE = r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$"
PREVIEW_PATH_RE = r"^/([^/\s\\[:cntrl:]][^\s\\[:cntrl:]]*)?$"
ENV_NAME_RE = r"^[A-Za-z_][A-Za-z0-9_]*$"

ENV_VALUE_MAX_BYTES = 32 * 1024
ENV_MAX_ENTRIES = 200
SECRET_METADATA_WORDS = ("token", "secret", "password", "key")

_ENV_NAME = re.compile(ENV_NAME_RE)


def _has_control_character(value):
    return any(unicodedata.category(character) == "Cc" for character in value)


def validate_relative_path(value):
    """PRJ-40: a relative POSIX path with no empty, `.` or `..` segment and nothing hidden in it."""
    if not value:
        raise ValidationError("Enter a path.", code="invalid_path")
    if value.startswith("/"):
        raise ValidationError("Use a relative path (no leading /).", code="invalid_path")
    if value.endswith("/"):
        raise ValidationError("A path may not end with /.", code="invalid_path")
    if "\\" in value:
        raise ValidationError("Use / to separate directories, not \\.", code="invalid_path")
    if _has_control_character(value):
        raise ValidationError("A path may not contain control characters.", code="invalid_path")
    if any(segment in ("", ".", "..") for segment in value.split("/")):
        raise ValidationError(
            "A path may not contain empty, '.' or '..' segments.", code="invalid_path"
        )


def validate_absolute_directory(value):
    """An asset directory: `/`, or `/` followed by a PRJ-40 path (e.g. `/public/images`)."""
    if not value.startswith("/"):
        raise ValidationError("A directory starts with /.", code="invalid_path")
    if value != "/":
        validate_relative_path(value[1:])


def validate_file_name(value):
    """One path segment under PRJ-40: what an asset's `filename` may be."""
    validate_relative_path(value)
    if "/" in value:
        raise ValidationError("A file name may not contain /.", code="invalid_path")


def validate_preview_path(value):
    """A browser path only: `/`-rooted, with no scheme, host, whitespace or control characters."""
    if not value.startswith("/") or value.startswith("//"):
        raise ValidationError(
            "Enter a path that starts with a single /, without scheme or host.", code="invalid"
        )
    if "\\" in value or any(c.isspace() for c in value) or _has_control_character(value):
        raise ValidationError(
            "A path may not contain whitespace, \\ or control characters.", code="invalid"
        )


def validate_git_remote_url(value):
    """PRJ-3: a public https URL with no credentials, query or fragment."""
    validate_public_https_url(value)
    parts = urlsplit(value)
    if parts.query or parts.fragment or value.endswith(("?", "#")):
        raise ValidationError("The URL may not carry a query or fragment.", code="query")


def environment_errors(variables, *, allow_null=False):
    """The per-name errors of a variables dict (plain variables and container secrets).

    Names follow `ENV_NAME_RE`; values are strings of at most 32 KiB (or null where a null
    removes the name, PRJ-23); at most 200 entries.
    """
    if not isinstance(variables, dict):
        return {"": ["Enter a JSON object of names to strings."]}
    errors = {}
    if len(variables) > ENV_MAX_ENTRIES:
        errors[""] = [f"Use at most {ENV_MAX_ENTRIES} variables."]
    for name, value in variables.items():
        if not _ENV_NAME.match(name):
            errors[name] = ["A name is letters, digits and _, and does not start with a digit."]
        elif value is None and allow_null:
            continue
        elif not isinstance(value, str):
            errors[name] = ["A value is a string."]
        elif len(value.encode()) > ENV_VALUE_MAX_BYTES:
            errors[name] = [f"A value is at most {ENV_VALUE_MAX_BYTES // 1024} KiB."]
        elif "\x00" in value:
            errors[name] = ["A value may not contain NUL characters."]
    return errors


def validate_environment_vars(value):
    """A rule of the column's `JsonValidator`."""
    errors = environment_errors(value)
    if errors:
        raise ValidationError(
            [f"{name}: {messages[0]}" if name else messages[0] for name, messages in errors.items()]
        )


def connection_config_errors(connector_type, config):
    """PRJ-31: an `env_injection` config is `{"env": {"NAME": "value or ${SOURCE_VAR}"}}`, or
    `{}` until it is filled in; other connector types take any object. Errors by dotted path."""
    if connector_type != "env_injection":
        return {}
    if not isinstance(config, dict) or set(config) - {"env"}:
        return {"config": ['Use {"env": {"NAME": "value"}}.']}
    errors = environment_errors(config.get("env", {}))
    return {f"config.env.{name}" if name else "config.env": m for name, m in errors.items()}


def validate_provider_metadata(value):
    """PRJ-82: no key that looks like a secret may reach the plain metadata column (a rule of
    the column's `JsonValidator`, run on a value it has bounded)."""
    suspicious = sorted(
        key for key in _all_keys(value) if any(w in key.lower() for w in SECRET_METADATA_WORDS)
    )
    if suspicious:
        raise ValidationError(
            f"Secrets do not belong in provider_metadata (keys: {', '.join(suspicious)}).",
            code="secret_in_metadata",
        )


def _all_keys(value):
    """Every key of a JSON value, nested objects and arrays included."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _all_keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _all_keys(item)


def validate_file_content(content):
    """PRJ-41: a file's content is at most PROJECT_FILE_MAX_BYTES once encoded as UTF-8."""
    limit = conf.get("PROJECT_FILE_MAX_BYTES")
    if len(content.encode()) > limit:
        raise ValidationError(f"Keep a file under {limit // 1024} KiB.", code="max_length")


def JsonObjectValidator(**bounds):
    """Projects' migrations 0001 and 0004 name their JSON bound so; landed migrations are
    history, so the name stays and builds the one validator."""
    return JsonValidator(**bounds)
