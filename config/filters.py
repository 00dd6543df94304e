"""Filter pieces every list shares (docs/spec/API.md §6): strict booleans, times whose offset is
at most ±15:59 (§1), and stable ordering; and the filterset and backend every list uses.

A bad value is a 400 through the filter form, never silently read as "unset".
"""

import django_filters
from django import forms
from django.db.models.functions import Lower
from django.forms.utils import ErrorDict, ErrorList
from django_filters.fields import IsoDateTimeField
from django_filters.filters import QuerySetRequestMixin
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation

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

    @staticmethod
    def terms(value):
        """The ordering terms named: empty ones (`?ordering=,,`) name no field."""
        return [param for param in value or () if param]

    def filter(self, qs, value):
        value = self.terms(value)
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


class FilterSet(django_filters.FilterSet):
    """django-filter's FilterSet, with its form class built once per filterset and set of
    filters rather than on every request: that build was a tenth of a small list's time
    (PERFORMANCE.md W2). Each request still gets a form of its own (a form copies its class's
    fields). A filter whose form field depends on the request (a queryset callable) turns
    the cache off for its filterset.

    `formless` names the filters `FilterBackend` may apply without any form when a request
    names no other: each reads one parameter under its own name and validates alone, so its
    class-level instance cleans the value with the same messages as the form.
    """

    formless = ()

    @classmethod
    def cleaned_formless(cls, params):
        """`{name: value}` of the `formless` filters `params` give, cleaned; a 400 in the
        form's shape for a bad one."""
        values, errors = {}, {}
        for name in cls.formless:
            try:
                value = cls.base_filters[name].field.clean(params.get(name))
            except forms.ValidationError as error:
                errors[name] = ErrorList(error.error_list)
            else:
                if value is not None:
                    values[name] = value
        if errors:
            raise translate_validation(ErrorDict(errors))
        return values

    @classmethod
    def filter_formless(cls, queryset, values):
        """`queryset` narrowed by `cleaned_formless()` values, as the filterset would."""
        for name, value in values.items():
            queryset = cls.base_filters[name].filter(queryset, value)
        return queryset

    def get_form_class(self):
        key = (type(self), tuple(self.filters))
        form_class = _form_classes.get(key)
        if form_class is None:
            form_class = super().get_form_class()
            if not any(isinstance(f, QuerySetRequestMixin) for f in self.filters.values()):
                _form_classes[key] = form_class
        return form_class


_form_classes = {}


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, which leaves the filter form out when the request names none
    of its filters: building the form (a new form class and a deep copy of every filter) cost
    the message list (PERFORMANCE.md W1) a tenth of its time, to filter nothing.

    A parameter names a filter when it starts with the filter's name (range filters read
    `<name>_after` and the like). The form still runs when a filter is required, or when the
    filterset's `filter_queryset` does more than apply the filters (marketplace's catalogue
    scopes its rows there). A request that names only `formless` filters (the date range of
    W2 and the ledger) has them applied without a form either."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None or not self.may_skip(filterset_class, request.query_params):
            return super().filter_queryset(request, queryset, view)
        values = filterset_class.cleaned_formless(request.query_params)
        return filterset_class.filter_formless(queryset, values)

    @staticmethod
    def named(filterset_class, params):
        """The filters `params` name (a parameter starting with a filter's name names it)."""
        return {name for name in filterset_class.base_filters for p in params if p.startswith(name)}

    @classmethod
    def may_skip(cls, filterset_class, params):
        """Whether the form may be left out: the request names no filter, or only
        `formless` ones."""
        filters = filterset_class.base_filters
        return (
            filterset_class.filter_queryset is FilterSet.filter_queryset
            and not any(f.extra.get("required") for f in filters.values())
            and cls.named(filterset_class, params) <= set(filterset_class.formless)
        )
