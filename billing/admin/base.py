"""Building blocks of the billing admin: read-only money tables, links between rows and exact
search on indexed columns. Actions that ask for input use `config.admin.action_form`."""

from django.contrib import admin

from config.admin import DeclaredSearchMixin, LargeTableMixin, ViewOnlyMixin


class MoneyAdmin(ViewOnlyMixin, LargeTableMixin, DeclaredSearchMixin, admin.ModelAdmin):
    """A table that grows without bound and that only services write: no add, change or
    delete (DATA_MODEL.md §1.8, §1.9), and no full-table count."""
