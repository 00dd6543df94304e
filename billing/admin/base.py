"""Building blocks of the billing admin: read-only money tables, links between rows, exact
search on indexed columns, and the intermediate page of actions that ask for input."""

from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.template.response import TemplateResponse

from config.admin import DeclaredSearchMixin, EstimatedCountPaginator, ViewOnlyMixin

ACTION_FORM_TEMPLATE = "admin/billing/action_form.html"
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


class MoneyAdmin(ViewOnlyMixin, DeclaredSearchMixin, admin.ModelAdmin):
    """A table that grows without bound and that only services write: no add, change or
    delete (DATA_MODEL.md §1.8, §1.9), and no full-table count."""

    show_full_result_count = False
    paginator = EstimatedCountPaginator
