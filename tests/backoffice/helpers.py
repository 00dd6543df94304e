"""Reading the audit history the way staff do, and the admin's registry of models."""

from django.apps import apps
from django.contrib import admin
from django.test import RequestFactory
from pghistory.models import Event

PROJECT_APPS = ("accounts", "projects", "chat", "marketplace", "billing", "kanban", "feedback")


def event_models():
    """{tracked model: its event model} for every audited model."""
    return {
        model.pgh_tracked_model: model
        for model in apps.get_models()
        if issubclass(model, Event) and model.pgh_tracked_model is not None
    }


def domain_models(app_label):
    """An app's own models, without the audit tables and proxies config/audit.py adds."""
    return {
        model
        for model in apps.get_app_config(app_label).get_models()
        if not issubclass(model, Event) and not model._meta.proxy
    }


def events_of(obj, label=None):
    """The events of one row, oldest first, with their context."""
    events = event_models()[type(obj)].objects.filter(pgh_obj_id=obj.pk)
    if label:
        events = events.filter(pgh_label=label)
    return list(events.select_related("pgh_context").order_by("pgh_id"))


def actor(event):
    """Who made the change: the context's metadata (user id as text, url, command)."""
    return event.pgh_context.metadata if event.pgh_context else {}


def registered_admins():
    """(model, its ModelAdmin) for every model of the project's apps in the admin."""
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in PROJECT_APPS
    ]


def as_request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request
