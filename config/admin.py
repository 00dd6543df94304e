"""Building blocks for the apps' admins: the paginator for tables that grow without bound,
cascading deletes, links only to pages the viewer may open, and the report of an action (the
site itself is backoffice/site.py)."""

import uuid
from collections import Counter
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Q
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html

from config.replica import lag_tolerant

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


class LargeTableMixin:
    """A changelist that never counts a whole table (DATA_MODEL.md §1.1, PERFORMANCE.md W8):
    for the tables that grow without bound."""

    show_full_result_count = False
    paginator = EstimatedCountPaginator


class ViewOnlyMixin:
    """Rows staff look at and never add, change or delete here: the ones only services write
    (money, insert-only tables) and the audit history. Their lists may lag the primary by a
    few seconds, so they read the replica when there is one."""

    @lag_tolerant
    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """Rows shown under their parent that are changed elsewhere (their own admin, a service)."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# pg_trgm reads text in trigrams: a shorter term gives its index nothing to look up, and the
# contains-search would read the whole table (PERFORMANCE.md W8).
TRIGRAM = 3


def contains(term):
    """The term for an `icontains` lookup backed by a trigram index (`config.models.
    contains_index`), or None when it is too short for the index to narrow anything down."""
    return term if len(term) >= TRIGRAM else None


def as_uuid(term):
    """The term as a UUID, or None when it is not one (a search reader)."""
    try:
        return uuid.UUID(term)
    except ValueError:
        return None


class DeclaredSearchMixin:
    """Admin search by the lookups an admin declares, OR-ed together: `search_lookups` maps a
    lookup to how the typed term is read for it (None: as typed; a reader answering None, say
    `as_uuid` for a term that is no UUID, drops its lookup). On large tables each lookup is one
    an index serves (an exact match, a prefix, a related row's unique key, or `icontains` read
    by `contains` on a column with a trigram index), so a search never reads the table whole
    (PERFORMANCE.md W8), where Django's own `search_fields` would OR unindexed `icontains`
    scans. `search_fields` stays declared only so the admin shows its search box.

    A lookup on a related row (`owner__email`) is answered first, by the related table's own
    index, and matched by id: each alternative is then a column of this table with its own
    index, and their OR a bitmap of index scans. Joined, the OR would filter both tables row by
    row, and no index could serve it."""

    search_lookups = {}
    search_each_word = False  # True: every word typed is a term of its own (pasted ids)

    def get_search_results(self, request, queryset, search_term):
        terms = search_term.split() if self.search_each_word else [search_term.strip()]
        terms = [term for term in terms if term]
        if not terms:
            return queryset, False
        match = Q()
        related_ids = {}
        for term in terms:
            for lookup, read in self.search_lookups.items():
                value = term if read is None else read(term)
                if value is not None:
                    match |= self.search_match(lookup, value, related_ids)
        return (queryset.filter(match) if match else queryset.none()), False

    def search_match(self, lookup, value, related_ids):
        """`related_ids` keeps the ids already found for a related row's lookup, so two
        relations to one table (a payment's buyer and creator) ask it once per term."""
        relation, _, remote = lookup.partition("__")
        field = self.model._meta.get_field(relation) if remote else None
        if field is None or not field.many_to_one:
            return Q(**{lookup: value})
        key = (field.related_model, remote, value)
        if key not in related_ids:
            related = field.related_model._default_manager.filter(**{remote: value})
            related_ids[key] = list(related.values_list("pk", flat=True))
        return Q(**{f"{relation}__in": related_ids[key]})


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


def money(cents, *, signed=False):
    """Credits (cents) as staff read money: "$1,234.56", "-$4.99", "+$5.00" when `signed`. A
    price held in fractions of a cent (a model's price per 1M tokens) keeps them: "$0.275"."""
    sign = "-" if cents < 0 else "+" if signed and cents > 0 else ""
    dollars = Decimal(abs(cents)) / 100
    if dollars == round(dollars, 2):
        return f"{sign}${dollars:,.2f}"
    return f"{sign}${dollars:,f}".rstrip("0")


def money_column(field, *, signed=False, description=None, sortable=True):
    """An admin column (changelist or read-only change-page field) showing `field`, held in
    cents, as `money()`. Declared on the admin as `<field>_usd`: a model field's own name always
    shows the raw integer. It sorts by the field (a property is not `sortable`), and the CSV
    export reads the field itself."""

    def column(modeladmin, row):
        cents = getattr(row, field)
        return "-" if cents is None else money(cents, signed=signed)

    label = description or field.removesuffix("_cents").replace("_", " ")
    return admin.display(description=label, ordering=field if sortable else None)(column)


def field_behind(model_admin, name):
    """The model field an admin column or read-only field `name` shows: its own name, or for
    a column of the admin's own (`money_column`'s `<field>_usd`) the field it sorts by."""
    column = getattr(model_admin, name, None)
    return getattr(column, "admin_order_field", name) if callable(column) else name


class MoneyField(forms.DecimalField):
    """An amount as staff type it, in dollars and cents ("25", "-4.99"), cleaned to cents; a
    stored amount (cents) is shown in dollars. `signed=False` for a price."""

    def __init__(self, *, limit_cents, signed=True, **kwargs):
        limit = limit_cents // 100
        super().__init__(
            max_digits=len(str(limit)) + 2,
            decimal_places=2,
            min_value=-limit if signed else 0,
            max_value=limit,
            **kwargs,
        )

    def prepare_value(self, value):
        # An int is a stored amount in cents; anything else is what staff typed.
        return Decimal(value) / 100 if isinstance(value, int) else value

    def clean(self, value):
        dollars = super().clean(value)
        return None if dollars is None else int(dollars * 100)


def plural(count, noun):
    return f"{count} {noun}{'' if count == 1 else 's'}"


def service_action(
    service,
    *,
    name,
    description,
    done,
    already,
    row_keyword,
    noun=None,
    permission="change",
    **arguments,
):
    """An admin action that calls `service(actor=…, <row_keyword>=row, **arguments)` for each
    selected row, the service answering whether it changed the row, and reports what it did
    and what was already so: "Hid 2 posts; skipped 1: already hidden". Rows are counted as
    `noun` (the model's name by default)."""

    def run(modeladmin, request, queryset):
        rows = list(queryset.order_by("pk"))
        changed = sum(
            bool(service(actor=request.user, **{row_keyword: row}, **arguments)) for row in rows
        )
        counted = plural(changed, noun or modeladmin.model._meta.verbose_name)
        report(modeladmin, request, f"{done} {counted}", [already] * (len(rows) - changed))

    run.__name__ = name
    return admin.action(description=description, permissions=[permission])(run)


ACTION_FORM_TEMPLATE = "admin/action_form.html"
LISTED_ON_FORM = 20  # rows named on an action's page; the action still applies to all


def action_form(modeladmin, request, queryset, form_class, *, title, submit, describe=None):
    """The action's input: `(form, None)` once submitted and valid, else `(None, page)` to
    return, which posts the same action and selection back with the form's fields.

    The page names the first rows it applies to, each as `describe(row)` says (its text by
    default), so staff see what they are about to change."""
    form = form_class(request.POST if "apply" in request.POST else None)
    if form.is_valid():
        return form, None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "opts": modeladmin.model._meta,
        "form": form,
        # The select the action came from, as Django's changelist reads it.
        "action": request.POST.getlist("action")[int(request.POST.get("index", 0))],
        "rows": [(describe or str)(row) for row in queryset[:LISTED_ON_FORM]],
        "count": queryset.count(),
        "selected": request.POST.getlist(ACTION_CHECKBOX_NAME),
        "select_across": request.POST.get("select_across", "0"),
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
        "submit": submit,
    }
    return None, TemplateResponse(request, ACTION_FORM_TEMPLATE, context)


def report(modeladmin, request, done, skipped=()):
    """An action's outcome in one message: `done`, then the rows it skipped or refused, each
    by its reason ("Refunded 2 sales; skipped 1: a@example.com (already refunded)").

    A run that skipped anything is a warning, never the green success: staff must not read
    "…for 0 users" as done.
    """
    if not skipped:
        modeladmin.message_user(request, f"{done}.", messages.SUCCESS)
        return
    counts = Counter(skipped)
    reasons = "; ".join(
        reason if count == 1 or len(counts) == 1 else f"{reason} ({count})"
        for reason, count in counts.items()
    )
    modeladmin.message_user(
        request, f"{done}; skipped {len(skipped)}: {reasons}.", messages.WARNING
    )


# The request an admin page is being rendered for (set by the site around each admin view), so
# links drawn deep inside a page can ask whether this viewer may follow them.
_admin_request = ContextVar("admin_request", default=None)


@contextmanager
def rendering_for(request):
    token = _admin_request.set(request)
    try:
        yield
    finally:
        _admin_request.reset(token)


def admin_of(model):
    """The model's registered admin (a proxy without one of its own: its concrete model's)."""
    registry = admin.site._registry
    return registry.get(model) or registry.get(model._meta.concrete_model)


def may_view(request, model):
    """May this viewer open `model`'s changelist and rows? A model with no admin of its own
    (one edited inline) asks for its view or change permission."""
    model_admin = admin_of(model)
    if model_admin is not None:
        return model_admin.has_view_or_change_permission(request)
    opts = model._meta
    return any(
        request.user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}")
        for action in ("view", "change")
    )


def may_open(model):
    """May the viewer of the admin page being rendered open `model`'s pages?"""
    request = _admin_request.get()
    return request is not None and may_view(request, model)


def admin_link(model, pk, text=None):
    """A link to `model` row `pk`'s change page from its id alone (no query), or the text
    alone when the viewer may not open it: no link leads to a 403."""
    opts = model._meta
    if pk is None:
        return "-"
    text = text or f"{opts.verbose_name} {pk}"
    if not may_open(model):
        return text
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk])
    return format_html('<a href="{}">{}</a>', url, text)


def changelist_link(model, query, text):
    """A link to `model`'s changelist filtered by `query`, or nothing for a viewer who may not
    open it."""
    if not may_open(model):
        return "-"
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    return format_html('<a href="{}?{}">{}</a>', url, query, text)


def link_related_rows_only_where_allowed():
    """Django links a read-only foreign key on a change page to the related row's change page
    without asking whether the viewer may open it (`AdminReadonlyField.get_admin_url` has no
    permission check and no hook), so a Moderator's feedback post linked to a user page that
    answers 403. Installed once by the admin app's `ready()`."""
    link = helpers.AdminReadonlyField.get_admin_url

    def get_admin_url(self, remote_field, remote_obj):
        if may_open(remote_field.model):
            return link(self, remote_field, remote_obj)
        return str(remote_obj)

    helpers.AdminReadonlyField.get_admin_url = get_admin_url


class RefuseCraftedActions:
    """An action the viewer is not offered, posted anyway, is refused with a 403 (Django would
    answer "No action selected" and a redirect, which reads as a glitch, not a refusal)."""

    def changelist_view(self, request, extra_context=None):
        if request.method == "POST" and posted_action(request) not in (
            None,
            *self.get_actions(request),
        ):
            raise PermissionDenied
        return super().changelist_view(request, extra_context)


def posted_action(request):
    """The action a changelist POST names (the top or bottom select, as `index` says)."""
    names = request.POST.getlist("action")
    if not names:
        return None
    index = request.POST.get("index", "0")
    position = int(index) if index.isdigit() and int(index) < len(names) else 0
    return names[position] or None
