"""Filter pieces every list shares (spec/API.md §6): strict booleans and stable ordering."""

import django_filters
from django import forms


class StrictBooleanField(forms.Field):
    """`true` or `false`; Django's NullBooleanField would read any other word as "unset"."""

    VALUES = {"true": True, "false": False}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return self.VALUES[value]
        except KeyError:
            raise forms.ValidationError("Use true or false.", code="invalid") from None


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class TieBreakingOrderingFilter(django_filters.OrderingFilter):
    """The requested order, then newest first, then `id`, so pages never overlap."""

    def filter(self, qs, value):
        if not value:
            return qs
        ordering = [self.get_ordering_value(param) for param in value]
        named = {term.lstrip("-") for term in ordering}
        tie_breaks = ["id"] if "created_at" in named else ["-created_at", "id"]
        return qs.order_by(*ordering, *tie_breaks)
