"""Filter pieces every list shares (spec/API.md §6): strict booleans, times whose offset is
at most ±15:59 (§1), and stable ordering.

A bad value is a 400 through the filter form, never silently read as "unset".
"""

import django_filters
from django import forms
from django.db.models.functions import Lower
from django_filters.fields import IsoDateTimeField

from config.validators import validate_utc_offset


class StrictBooleanField(forms.Field):
    """`true` or `false` (any case); anything else is refused rather than read as "unset"."""

    widget = forms.TextInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        normalized = str(value).lower()
        if normalized not in ("true", "false"):
            raise forms.ValidationError("Use true or false.", code="invalid")
        return normalized == "true"


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class UtcIsoDateTimeField(IsoDateTimeField):
    """ISO-8601 with an offset of at most ±15:59 (API.md §1); naive times are read as UTC."""

    def to_python(self, value):
        parsed = super().to_python(value)  # keeps the offset the client sent
        if parsed is not None:
            validate_utc_offset(parsed)
        return parsed


class UtcDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class OrderingFilter(django_filters.OrderingFilter):
    """The listed fields only (400 otherwise), then the `then` terms not already named, then
    `id`, so ties are stable and pages never overlap.

    Fields in `case_insensitive` (names people read) sort as people expect, `beta` before
    `Gamma`, not in the database's byte order.
    """

    def __init__(self, *args, then=(), case_insensitive=(), **kwargs):
        self.then = tuple(then)
        self.case_insensitive = frozenset(case_insensitive)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        ordering = [self.get_ordering_value(param) for param in value]
        named = {term.lstrip("-") for term in ordering}
        tie_breaks = [term for term in self.then if term.lstrip("-") not in named]
        return qs.order_by(*(self.expression(term) for term in ordering), *tie_breaks, "id")

    def expression(self, ordering):
        field_name = ordering.lstrip("-")
        if field_name not in self.case_insensitive:
            return ordering
        lowered = Lower(field_name)
        return lowered.desc() if ordering.startswith("-") else lowered.asc()
