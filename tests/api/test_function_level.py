"""R4, staff-only half: every admin page and admin action as a signed-in user who is not staff.

The API has no staff-only endpoint (API.md §3: staff work in Django admin), so staff-only
functions are admin's. A plain user with a session must reach none of them: every changelist,
add page and bulk action answers with the redirect to the admin login, and nothing changes.
The moderator- and service-only API actions as a plain user are rows of the R1 matrix
(tests/api/test_permission_matrix.py), which counts them on the same line.
"""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests import figures
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def admin_urls():
    for model, model_admin in admin.site._registry.items():
        info = model._meta.app_label, model._meta.model_name
        yield model_admin, reverse("admin:{}_{}_changelist".format(*info))
        yield None, reverse("admin:{}_{}_add".format(*info))


def test_r4_a_signed_in_user_who_is_not_staff_reaches_no_admin_page(client):
    user = UserFactory()
    client.force_login(user)
    allowed = []
    for model_admin, url in admin_urls():
        figures.count("R4", "privileged calls as a plain user")
        response = client.get(url)
        if response.status_code != 302 or "/admin/login/" not in response["Location"]:
            allowed.append(f"GET {url}: {response.status_code}")
        figures.count("R4", "allowed", int(response.status_code == 200))
        actions = [a for a in getattr(model_admin, "actions", None) or () if isinstance(a, str)]
        for action in actions:
            figures.count("R4", "privileged calls as a plain user")
            response = client.post(url, {"action": action, "_selected_action": [], "index": 0})
            if response.status_code != 302 or "/admin/login/" not in response["Location"]:
                allowed.append(f"POST {url} {action}: {response.status_code}")
            figures.count("R4", "allowed", int(response.status_code == 200))
    assert not allowed
