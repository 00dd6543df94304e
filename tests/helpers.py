"""Helpers every test folder shares: the API's error shape, list ids, and driving the admin
as staff do (changelists, actions and their intermediate pages, change forms)."""

from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages

from tests.factories import UserFactory


def assert_error(response, status, code):
    """The one error shape (config/exceptions.py), asserting on the stable `code`."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == code, body
    assert isinstance(body["message"], str) and body["message"]
    return body


def assert_refused(response, *fields):
    """A 400 naming exactly `fields` as ones the endpoint does not take (docs/api.md
    "Unknown fields are refused")."""
    assert set(assert_error(response, 400, "validation_error")["fields"]) == set(fields)


def ids(response):
    return [row["id"] for row in response.json()["results"]]


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


def change_form_data(page):
    """What the browser would post back from a change page: its form and inline forms."""
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        data.update(
            {management.add_prefix(name): management[name].value() for name in management.fields}
        )
        for row in formset.forms:
            data.update({row.add_prefix(name): row[name].value() for name in row.fields})
    return {name: value for name, value in data.items() if value is not None}


def staff_with(*codenames):
    member = UserFactory(staff=True)
    member.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return member
