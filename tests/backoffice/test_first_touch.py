"""What staff meet first in admin (issue 22): names that read as English, money that reads as
money, search that finds a customer by part of a name, and the columns staff scan."""

import pytest
from django.contrib.auth.models import Permission

from accounts.models import User
from billing.models import UsageLog
from marketplace.models import MarketplaceAgent
from tests.helpers import admin_url


@pytest.fixture
def staff_client(client, superuser):
    client.force_login(superuser)
    return client


# Names


@pytest.mark.django_db
def test_the_admin_home_names_every_table_in_english(staff_client):
    page = staff_client.get("/admin/").content.decode()
    for name in ("Credit ledger entries", "OAuth accounts", "User API keys", "Agent co-installs"):
        assert name in page
    assert "Audit history" in page
    for garbled in ("entrys", "O auth", "User api keys", "co installs", "Pghistory"):
        assert garbled not in page


@pytest.mark.django_db
def test_filters_and_choices_name_acronyms_as_written(staff_client):
    users = staff_client.get(admin_url(User)).content.decode()
    assert "By two-factor enabled" in users
    logs = staff_client.get(admin_url(UsageLog)).content.decode()
    assert "By BYOK" in logs
    agents = staff_client.get(admin_url(MarketplaceAgent)).content.decode()
    assert ">API</a>" in agents and ">Api</a>" not in agents


@pytest.mark.django_db
def test_the_permission_picker_offers_no_write_on_audit_event_tables(staff_client, user):
    page = staff_client.get(admin_url(User, f"{user.pk}/change/"))
    offered = page.context["adminform"].form.fields["user_permissions"].queryset
    codenames = set(offered.values_list("codename", flat=True))
    assert "view_userevent" in codenames
    assert not {"add_userevent", "change_userevent", "delete_userevent"} & codenames
    # Ordinary tables keep their write permissions.
    assert {"add_user", "change_user", "delete_user"} <= codenames
    assert Permission.objects.filter(codename="add_userevent").exists()
