"""No dead ends (issue 18): every link a staff member is shown leads to a page they may open,
and a page they may not open renders inside the admin with a way back."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from config.roles import BILLING_GROUP, CURATORS_GROUP, MODERATORS_GROUP, SUPPORT_GROUP
from tests.backoffice.crawl import crawl
from tests.factories import UserFactory

GROUPS = (SUPPORT_GROUP, BILLING_GROUP, CURATORS_GROUP, MODERATORS_GROUP)


@pytest.fixture
def demo(db):
    call_command("seed_demo", force=True, stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.mark.django_db
@pytest.mark.parametrize("group", GROUPS)
def test_every_link_a_group_is_shown_opens(client, demo, group):
    member = UserFactory(staff=True)
    member.groups.add(Group.objects.get(name=group))
    client.force_login(member)

    pages = crawl(client)

    dead = {url: found for url, found in pages.items() if found[0] != 200}
    print(
        "DEAD",
        group,
        sorted((u.split("?")[0], s[0], (s[1] or "").split("?")[0]) for u, s in dead.items()),
    )
    assert dead == {}
    assert len(pages) > 5
