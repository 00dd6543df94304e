"""Building blocks for the apps' admins: the paginator for tables that grow without bound, and
cascading deletes (the site itself is config/admin_site.py)."""

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property

EXACT_COUNT_BELOW = 10_000


def estimated_row_count(model):
    """PostgreSQL's planner estimate of a table's rows (`pg_class.reltuples`), or None."""
    with connections["default"].cursor() as cursor:
        cursor.execute(
            "SELECT reltuples::bigint FROM pg_class WHERE oid = %s::regclass",
            [model._meta.db_table],
        )
        row = cursor.fetchone()
    return row[0] if row and row[0] >= 0 else None


class EstimatedCountPaginator(Paginator):
    """An admin paginator that never runs `COUNT(*)` over a whole large table.

    Unfiltered lists take the count from the table statistics; small tables, and filtered or
    searched lists (which indexes narrow down), are counted exactly. Use it with
    `show_full_result_count = False`, which alone still counts the whole table once.
    """

    @cached_property
    def count(self):
        queryset = self.object_list
        if not queryset.query.where:
            estimate = estimated_row_count(queryset.model)
            if estimate is not None and estimate >= EXACT_COUNT_BELOW:
                return estimate
        return super().count


ALL_CASCADED = "__all__"


class CascadeAdminMixin:
    """Deleting a row takes its `cascaded_models` rows with it, whatever the staff member may
    do to those models on their own. Insert-only or view-only children (upvotes, decisions,
    messages) have no delete in admin, so Django would otherwise refuse to delete their parent.

    `ALL_CASCADED` covers every model but this admin's own: for rows deleted through one
    service that takes everything under them (users, projects). Whether this row itself may
    go is still asked (`has_delete_permission`).
    """

    cascaded_models = ()

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if self.cascaded_models == ALL_CASCADED:
            perms_needed &= {self.model._meta.verbose_name}
        else:
            perms_needed -= {model._meta.verbose_name for model in self.cascaded_models}
        return deleted, counts, perms_needed, protected
