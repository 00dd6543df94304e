"""The admin permission matrix (issue 18), the back office's R1: every registered model's
changelist, add, change, delete, history and export pages, every custom admin view and every
admin action, as each role: anonymous, a plain user, staff without a group, each staff group and
a superuser. The expected outcome comes from one table, tests/backoffice/roles.py, which
mirrors the roles table of docs/roles.md; a completeness guard fails on any page or action the table
does not name. Reported as R22: cases, escalations (a role let further than the table says),
audit leaks (the same, on a history or Events page).
"""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import RequestFactory
from django.urls import reverse

from accounts.permissions import is_privileged
from tests import figures
from tests.backoffice.roles import ACTIONS, MODEL_RULES, STAFF_GROUPS, SUPERUSER, offered, perms
from tests.factories import UserFactory

ANONYMOUS, USER, STAFF = "anonymous", "plain user", "staff without a group"
ROLES = (ANONYMOUS, USER, STAFF, *STAFF_GROUPS, SUPERUSER)
SIGNED_OUT = (ANONYMOUS, USER)  # the admin sends both to its login page

# A model's pages, and the perms letters any one of which opens each.
MODEL_PAGES = {"changelist": "cv", "add": "a", "export": "cv"}
ROW_PAGES = {"change": "cv", "delete": "d", "history": "cv"}
# Custom admin views of a row, by URL name: the perms letters that open them (on a customer's
# row; staff and superuser rows are tests/backoffice/test_staff_management.py's).
CUSTOM_ROW_VIEWS = {"auth_user_password_change": "c"}
# The Events list has rows of every model but no row pages of its own: a row's history is its
# model's History page.
NO_ROW_PAGES = {"pghistory.Events"}
AUDIT_PAGES = ("_history",)


def url_names(model_admin):
    return {pattern.name for pattern in model_admin.get_urls() if pattern.name}


def page_names(model):
    opts = model._meta
    return {f"{opts.app_label}_{opts.model_name}_{page}" for page in (*MODEL_PAGES, *ROW_PAGES)}


def a_row(model):
    """A row to open: for users, a customer (privileged accounts have rules of their own)."""
    rows = model._default_manager.order_by("pk")
    if model._meta.label == "accounts.User":
        return next(user for user in rows if not is_privileged(user))
    return rows.first()


def sign_in(client, role):
    if role == ANONYMOUS:
        return None
    user = UserFactory(staff=role not in SIGNED_OUT, superuser=role == SUPERUSER)
    if role in STAFF_GROUPS:
        user.groups.add(Group.objects.get(name=role))
    client.force_login(user)
    return user


def expected_status(role, letters, granted):
    if role in SIGNED_OUT:
        return 302
    return 200 if set(letters) & set(granted) else 403


def cases(role):
    """(what, url, expected status) for every page of every registered model."""
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label
        opts = model._meta
        granted = perms(role, label)
        names = url_names(model_admin)
        for page, letters in MODEL_PAGES.items():
            name = f"{opts.app_label}_{opts.model_name}_{page}"
            if name in names:
                yield (
                    f"{label} {page}",
                    reverse(f"admin:{name}"),
                    expected_status(role, letters, granted),
                )
        if label in NO_ROW_PAGES:
            continue
        row = a_row(model)
        assert row is not None, f"the demo data has no {label} to open"
        views = {
            f"{opts.app_label}_{opts.model_name}_{page}": ROW_PAGES[page] for page in ROW_PAGES
        }
        views.update({name: CUSTOM_ROW_VIEWS[name] for name in names - page_names(model)})
        for name, letters in views.items():
            url = reverse(f"admin:{name}", args=[row.pk])
            yield f"{label} {name}", url, expected_status(role, letters, granted)


def test_the_tables_name_every_registered_model_page_and_action():
    """The completeness guard: a new model, custom view or action needs its row first."""
    registered = {model._meta.label for model in admin.site._registry}
    assert registered == set(MODEL_RULES)
    for group, table in STAFF_GROUPS.items():
        assert set(table) <= registered, group
    unlisted_views = {
        name
        for model, model_admin in admin.site._registry.items()
        for name in url_names(model_admin) - page_names(model)
        if name not in CUSTOM_ROW_VIEWS
    }
    assert unlisted_views == set()
    request = RequestFactory().get("/admin/")
    request.user = UserFactory.build(is_superuser=True, is_staff=True)
    unlisted_actions = {
        (model._meta.label, name)
        for model, model_admin in admin.site._registry.items()
        for name in model_admin.get_actions(request)
        if name != "delete_selected" and name not in ACTIONS.get(model._meta.label, {})
    }
    assert unlisted_actions == set()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_admin_matrix(client, world, role):
    user = sign_in(client, role)
    mismatches, escalations, leaks, total = [], 0, 0, 0

    for what, url, expected in cases(role):
        response = client.get(url)
        total += 1
        if response.status_code != expected:
            mismatches.append(f"{what}: {response.status_code}, expected {expected} ({url})")
            if expected != 200 and response.status_code == 200:
                escalations += 1
                leaks += what.endswith(AUDIT_PAGES) or what.startswith("pghistory")
        elif what.endswith("_change") and expected == 200:
            # A change page opens read-only for a viewer; only "c" makes it a form.
            editable = response.context["has_change_permission"]
            if editable != ("c" in perms(role, what.split()[0])):
                mismatches.append(f"{what}: editable {editable}")
                escalations += editable

    request = RequestFactory().post("/admin/")
    request.user = user
    for model, model_admin in admin.site._registry.items():
        label, opts = model._meta.label, model._meta
        given = set(model_admin.get_actions(request)) if user and user.is_staff else set()
        for name in {"delete_selected", *ACTIONS.get(label, {})}:
            total += 1
            expected = role not in SIGNED_OUT and offered(role, label, name)
            if (name in given) != expected:
                mismatches.append(f"{label} action {name}: offered {name in given}")
                escalations += name in given
            if expected or label in NO_ROW_PAGES:
                continue
            changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            crafted = {"action": name, "_selected_action": [str(a_row(model).pk)]}
            response = client.post(changelist, crafted)
            total += 1
            refused = 302 if role in SIGNED_OUT else 403
            if response.status_code != refused:
                mismatches.append(f"{label} crafted {name}: {response.status_code}")
                escalations += 1

    figures.count("R22", "admin matrix cases", total)
    figures.count("R22", "escalations", escalations)
    figures.count("R22", "audit leaks", leaks)
    assert mismatches == []
