"""Building blocks of the billing admin: read-only money tables, links between rows and exact
search on indexed columns. Actions that ask for input use `config.admin.action_form`."""

from django.contrib import admin

from config.admin import DeclaredSearchMixin, EstimatedCountPaginator, ViewOnlyMixin


class MoneyAdmin(ViewOnlyMixin, DeclaredSearchMixin, admin.ModelAdmin):
    """A table that grows without bound and that only services write: no add, change or
    delete (DATA_MODEL.md §1.8, §1.9), and no full-table count."""

    show_full_result_count = False
    paginator = EstimatedCountPaginator
