"""The filter backend leaves the filter form out only when that cannot change the answer
(config.filters.FilterBackend)."""

import django_filters
from django.http import QueryDict

from accounts.models import User
from billing.filters import UsageLogFilter
from config.filters import FilterBackend, FilterSet
from marketplace.filters import CatalogueFilter


class RequiredEmailFilter(FilterSet):
    email = django_filters.CharFilter(required=True)

    class Meta:
        model = User
        fields = []


def test_a_request_naming_no_filter_skips_the_form():
    assert FilterBackend.may_skip(UsageLogFilter, QueryDict("cursor=abc&page_size=10"))


def test_a_parameter_starting_with_a_filters_name_runs_the_form():
    for query in ("model=", "created_after=2025-01-01&is_byok=true", "is_byok_typo=1"):
        assert not FilterBackend.may_skip(UsageLogFilter, QueryDict(query)), query


def test_a_request_naming_only_formless_filters_skips_the_form():
    """The date range of W2 and the ledger is cleaned and applied without a form."""
    query = QueryDict("created_after=2025-01-01&created_before=2025-02-01&cursor=abc")
    assert FilterBackend.may_skip(UsageLogFilter, query)


def test_a_filterset_that_scopes_its_rows_always_runs():
    """The catalogue shows listed items unless `mine` is asked for, in `filter_queryset`."""
    assert not FilterBackend.may_skip(CatalogueFilter, QueryDict(""))


def test_a_required_filter_always_runs():
    assert not FilterBackend.may_skip(RequiredEmailFilter, QueryDict(""))
