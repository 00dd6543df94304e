"""The back office's admin site: Django's, with a home page of the numbers staff look at first
(backoffice/dashboard.py), a CSV export on every changelist and the audit timeline as every
row's "History" page (backoffice/history.py).

Every model registered here gets both without its admin having to ask. The export is the
changelist as filtered and searched, CSV only, formula-escaped and without secret columns, in
words: the changelist's columns first, related rows by name (with their ids in a column of
their own), booleans as true/false, datetimes in UTC as ISO 8601.
"""

import json
import re
from datetime import UTC, date, datetime
from functools import wraps

import tablib
from django.conf import settings
from django.contrib import admin
from django.db.models import Manager, Model
from django.db.models.base import ModelBase
from django.template.response import SimpleTemplateResponse, TemplateResponse
from django.urls import path
from import_export import widgets
from import_export.admin import ExportMixin
from import_export.fields import Field
from import_export.formats.base_formats import CSV
from import_export.resources import ModelResource

from backoffice import dashboard, search
from backoffice.history import HistoryTimelineMixin
from config.admin import RefuseCraftedActions, field_behind, may_view, rendering_for
from config.encryption import is_secret_field
from config.replica import lag_tolerant

# OWASP "CSV injection": a cell a spreadsheet would run as a formula. The library's own option
# only strips a leading "=", which leaves +, -, @ and the control characters.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")


def escape_formula(value):
    """The cell as text, prefixed with ' when it would start a formula (a signed number is a
    number, and stays as it is)."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START) and not NUMBER.fullmatch(text):
        return f"'{text}"
    return text


class EscapedCSV(CSV):
    def export_data(self, dataset, **kwargs):
        escaped = tablib.Dataset(headers=dataset.headers)
        for row in dataset:
            escaped.append([escape_formula(cell) for cell in row])
        return super().export_data(escaped, **kwargs)


def natural_name(row):
    """A related row as staff name it: a user by email, a group, project or item by name."""
    for attribute in ("email", "name", "title", "slug"):
        value = getattr(row, attribute, None)
        if isinstance(value, str) and value:
            return value
    return str(row)


class InWords(widgets.Widget):
    """A cell as a spreadsheet reader reads it: true/false, datetimes in UTC as ISO 8601,
    related rows by name (`natural_name`), several (a many-to-many) separated by commas."""

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, datetime):
            return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, Model):
            return natural_name(value)
        if isinstance(value, Manager):
            return ", ".join(sorted(natural_name(row) for row in value.all()))
        if isinstance(value, dict | list):
            return json.dumps(value, sort_keys=True)
        return str(value)


def exported_fields(model):
    """The model's columns but its secrets (`config.encryption.is_secret_field`), each related
    row's name followed by its id, and its many-to-many rows by name."""
    opts = model._meta
    fields = {}
    for field in (*opts.concrete_fields, *opts.many_to_many):
        if is_secret_field(field):
            continue
        fields[field.name] = Field(attribute=field.name, column_name=field.name, widget=InWords())
        if field.many_to_one:
            name = field.attname
            fields[name] = Field(attribute=name, column_name=name, widget=InWords())
    return fields


def changelist_columns(model_admin, request):
    """The model fields behind the changelist's columns, in its order: a column of the
    admin's own names the field it sorts by (`money_column`'s `<field>_usd`, say)."""
    return [
        field_behind(model_admin, column)
        for column in model_admin.get_list_display(request)
        if isinstance(column, str)
    ]


def export_resource(model, leading=()):
    """The CSV of `model` in words (`InWords`), its `leading` fields first (the changelist's
    columns), then the rest in the model's order; never a secret column."""
    fields = exported_fields(model)
    ids = {f"{name}_id" for name in fields} & set(fields)
    named = [n for n in dict.fromkeys((*leading, *fields)) if n in fields and n not in ids]
    # A related row's id goes right after its name.
    order = [column for name in named for column in (name, f"{name}_id") if column in fields]
    meta = type("Meta", (), {"model": model, "fields": tuple(fields), "export_order": order})
    return type(f"{model.__name__}Resource", (ModelResource,), {**fields, "Meta": meta})


class CsvExportMixin(ExportMixin):
    export_formats = [EscapedCSV]

    def get_export_resource_classes(self, request):
        return [export_resource(self.model, changelist_columns(self, request))]

    def get_export_queryset(self, request):
        """The changelist's rows, with the related rows the CSV names read in the same query."""
        opts = self.model._meta
        related = [f.name for f in opts.concrete_fields if f.many_to_one]
        return (
            super()
            .get_export_queryset(request)
            .select_related(*related)
            .prefetch_related(*(f.name for f in opts.many_to_many))
        )


def for_back_office(admin_class):
    """The admin class with a crafted action refused (403), the CSV export and the audit
    timeline, unless it has its own."""
    extras = tuple(
        mixin
        for mixin, own in (
            (RefuseCraftedActions, RefuseCraftedActions),
            (CsvExportMixin, ExportMixin),
            (HistoryTimelineMixin, HistoryTimelineMixin),
        )
        if not issubclass(admin_class, own)
    )
    return type(admin_class.__name__, (*extras, admin_class), {}) if extras else admin_class


class StudioAdminSite(admin.AdminSite):
    site_header = site_title = settings.ADMIN_SITE_HEADER
    index_title = "Back office"
    index_template = "admin/studio_index.html"
    # "View site": the landing page linking the admin, the API root and the docs.
    site_url = "/"

    def register(self, model_or_iterable, admin_class=None, **options):
        models = (
            [model_or_iterable] if isinstance(model_or_iterable, ModelBase) else model_or_iterable
        )
        for model in models:
            if model._meta.app_label == "pghistory":
                # The Events list: no export (it would copy every event unfiltered), and no
                # row of its own to give a history.
                super().register(model, admin_class, **options)
            else:
                super().register(model, for_back_office(admin_class or admin.ModelAdmin), **options)

    def admin_view(self, view, cacheable=False):
        """Each admin page is rendered knowing its viewer (`config.admin.may_open`), so a link
        to a page the viewer may not open is never drawn."""
        protected = super().admin_view(view, cacheable)

        @wraps(protected)
        def rendered_for_viewer(request, *args, **kwargs):
            with rendering_for(request):
                response = protected(request, *args, **kwargs)
                if isinstance(response, SimpleTemplateResponse):
                    response.render()
            return response

        return rendered_for_viewer

    def get_urls(self):
        search = path("search/", self.admin_view(self.search_view), name="search")
        return [search, *super().get_urls()]

    def search_view(self, request):
        """The home's search box: the term in users, projects and chats at once."""
        term = request.GET.get("q", "").strip()
        context = {
            **self.each_context(request),
            "title": f"Search: {term}" if term else "Search",
            "term": term,
            "found": search.search_everywhere(request, term) if term else [],
        }
        return TemplateResponse(request, "admin/studio_search.html", context)

    @lag_tolerant
    def index(self, request, extra_context=None):
        context = {
            "dashboard": dashboard.tiles_for(request),
            "searchable": any(may_view(request, model) for model in search.SEARCHED),
        }
        return super().index(request, {**context, **(extra_context or {})})
