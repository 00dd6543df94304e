"""Building blocks of the billing admin: read-only money tables, links between rows and exact
search on indexed columns. Actions that ask for input use `config.admin.action_form`."""

from django.contrib import admin
from django.db.models import Q

from accounts.models import normalize_email
from config.admin import EstimatedCountPaginator, ViewOnlyMixin


class ExactSearchMixin:
    """Search that matches `exact_search_fields` exactly (index-backed, no LIKE scans);
    fields ending in `email` compare the normalised address.

    A field on a related row (`user__email`) is looked up first, by its own unique index, and
    matched by id: each alternative is then a column of this table with its own index, so
    their OR stays a bitmap of index scans. Joined, the OR would filter the whole table row
    by row (PERFORMANCE.md W8)."""

    exact_search_fields = ()

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        match = Q()
        related_ids = {}
        for field in self.exact_search_fields:
            value = normalize_email(term) if field.endswith("email") else term
            relation, _, remote = field.partition("__")
            if not remote:
                match |= Q(**{field: value})
                continue
            model = self.model._meta.get_field(relation).related_model
            if (model, remote) not in related_ids:
                rows = model._default_manager.filter(**{remote: value})
                related_ids[model, remote] = list(rows.values_list("pk", flat=True))
            match |= Q(**{f"{relation}__in": related_ids[model, remote]})
        return queryset.filter(match), False


class MoneyAdmin(ViewOnlyMixin, ExactSearchMixin, admin.ModelAdmin):
    """A table that grows without bound and that only services write: no add, change or
    delete (DATA_MODEL.md §1.8, §1.9), and no full-table count."""

    show_full_result_count = False
    paginator = EstimatedCountPaginator
