"""The back office's admin site: Django's, with a home page of the numbers staff look at first
(backoffice/dashboard.py), a CSV export on every changelist and the audit timeline as every
row's "History" page (backoffice/history.py).

Every model registered here gets both without its admin having to ask. The export is the
changelist as filtered and searched, CSV only, formula-escaped and without secret columns.
"""

import re
from functools import wraps

import tablib
from django.conf import settings
from django.contrib import admin
from django.db.models.base import ModelBase
from django.template.response import SimpleTemplateResponse
from import_export.admin import ExportMixin
from import_export.formats.base_formats import CSV
from import_export.resources import modelresource_factory

from backoffice import dashboard
from backoffice.history import HistoryTimelineMixin
from config.admin import RefuseCraftedActions, rendering_for
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


def export_resource(model):
    """Every column of the model but its secrets (`config.encryption.is_secret_field`)."""
    secrets = [f.name for f in model._meta.concrete_fields if is_secret_field(f)]
    return modelresource_factory(model, meta_options={"exclude": secrets})


class CsvExportMixin(ExportMixin):
    export_formats = [EscapedCSV]

    def get_export_resource_classes(self, request):
        return [export_resource(self.model)]


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
    # The web app lives elsewhere and "/" has no page here: no "View site" link to a 404.
    site_url = None

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

    @lag_tolerant
    def index(self, request, extra_context=None):
        tiles = dashboard.tiles_for(request)
        return super().index(request, {"dashboard": tiles, **(extra_context or {})})
