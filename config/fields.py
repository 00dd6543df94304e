"""Serializer fields every app shares."""

from datetime import UTC

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.dateparse import parse_datetime
from rest_framework import serializers

from config.validators import validate_utc_offset


class UtcDateTimeField(serializers.DateTimeField):
    """ISO-8601 with an offset of at most ±15:59, stored and returned in UTC (API.md §1);
    naive times are read as UTC.

    The offset is read before DRF converts the time to UTC, which would hide it.
    """

    def to_internal_value(self, value):
        try:
            parsed = parse_datetime(value) if isinstance(value, str) else None
        except ValueError:
            parsed = None  # well-formed but impossible (`2025-02-30`): the parent refuses it
        if parsed is not None:
            try:
                validate_utc_offset(parsed)
            except DjangoValidationError as error:
                raise serializers.ValidationError(error.messages, code=error.code) from None
        return super().to_internal_value(value).astimezone(UTC)
