"""Reading the audit history the way staff do, and the admin's registry of models."""

from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.test import RequestFactory
from pghistory.models import Event

from tests.factories import UserFactory

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


def admin_url(model, suffix=""):
    return f"/admin/{model._meta.app_label}/{model._meta.model_name}/{suffix}"


def messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def message_levels(response):
    return [(message.level_tag, str(message)) for message in get_messages(response.wsgi_request)]


def run_action(client, model, action, rows, **form):
    """Posts an action on `rows`; with `form`, also submits its intermediate page."""
    data = {"action": action, "_selected_action": [str(row.pk) for row in rows]}
    if form:
        data.update(form, apply="1")
    return client.post(admin_url(model), data, follow=True)


def action_names(client, model):
    response = client.get(admin_url(model))
    assert response.status_code == 200
    form = response.context["action_form"]  # None when no action is offered
    return set() if form is None else {name for name, _ in form.fields["action"].choices if name}


def staff_with(*codenames):
    member = UserFactory(staff=True)
    member.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return member
