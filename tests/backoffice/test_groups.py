"""The staff groups (issue 11, docs/roles.md): each sees in admin what its work needs and
nothing more, and every page it can open renders."""

import pytest
from django.contrib.auth.models import Group

from config.roles import BILLING_GROUP, CURATORS_GROUP, MODERATORS_GROUP, SUPPORT_GROUP
from feedback.models import FeedbackPost
from tests.backoffice.roles import STAFF_GROUPS
from tests.billing.factories import MarketplaceAgentFactory
from tests.factories import UserFactory
from tests.projects.factories import ProjectFactory

# What each group's admin home lists: the roles table (tests/backoffice/roles.py).
SEES = STAFF_GROUPS

# A page each group must not open, though staff.
REFUSED = {
    SUPPORT_GROUP: "/admin/billing/stripeevent/",
    BILLING_GROUP: "/admin/chat/chat/",
    CURATORS_GROUP: "/admin/accounts/user/",
    MODERATORS_GROUP: "/admin/marketplace/marketplaceagent/",
}


def home_models(response):
    return {
        f"{app['app_label']}.{model['object_name']}": (
            "".join(p[0] for p in ("add", "change", "delete", "view") if model["perms"].get(p)),
            model,
        )
        for app in response.context["app_list"]
        for model in app["models"]
    }


@pytest.fixture
def rows(db):
    """Something in the changelists, so rows render too."""
    owner = UserFactory()
    ProjectFactory(owner=owner)
    MarketplaceAgentFactory(created_by_user=owner)
    FeedbackPost.objects.create(user=owner, type="bug", title="Broken", description="It broke.")


@pytest.mark.django_db
@pytest.mark.parametrize("group", list(SEES))
def test_each_group_sees_what_it_should_and_every_page_renders(client, rows, group):
    member = UserFactory(staff=True)
    member.groups.add(Group.objects.get(name=group))
    client.force_login(member)

    home = client.get("/admin/")
    assert home.status_code == 200
    listed = home_models(home)
    assert {label: perms for label, (perms, _) in listed.items()} == SEES[group]

    for perms, model in listed.values():
        assert client.get(model["admin_url"]).status_code == 200, model["admin_url"]
        if "a" in perms:
            assert client.get(model["add_url"]).status_code == 200, model["add_url"]
    assert client.get(REFUSED[group]).status_code == 403


@pytest.mark.django_db
def test_staff_without_a_group_see_an_empty_back_office(client):
    client.force_login(UserFactory(staff=True))
    home = client.get("/admin/")
    assert home.status_code == 200
    assert home.context["app_list"] == []
    assert home.context["dashboard"] == []
