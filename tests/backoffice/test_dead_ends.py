"""No dead ends (issue 18): every link a staff member is shown leads to a page they may open,
and a page they may not open renders inside the admin with a way back."""

import pytest
from django.contrib.auth.models import Group

from config.roles import BILLING_GROUP, CURATORS_GROUP, MODERATORS_GROUP, SUPPORT_GROUP
from tests.backoffice.crawl import crawl
from tests.factories import UserFactory

GROUPS = (SUPPORT_GROUP, BILLING_GROUP, CURATORS_GROUP, MODERATORS_GROUP)


@pytest.mark.django_db
@pytest.mark.parametrize("group", GROUPS)
def test_every_link_a_group_is_shown_opens(client, world, group):
    member = UserFactory(staff=True)
    member.groups.add(Group.objects.get(name=group))
    client.force_login(member)

    pages = crawl(client)

    dead = {url: found for url, found in pages.items() if found[0] != 200}
    assert dead == {}
    assert len(pages) > 5


@pytest.mark.django_db
def test_a_refused_admin_page_stays_in_the_admin_with_a_way_back(client):
    member = UserFactory(staff=True)
    member.groups.add(Group.objects.get(name=SUPPORT_GROUP))
    client.force_login(member)

    came_from = "http://testserver/admin/accounts/user/"
    response = client.get("/admin/billing/stripeevent/", HTTP_REFERER=came_from)

    assert response.status_code == 403
    html = response.content.decode()
    assert "Studio back office" in html and "You may not open this page" in html
    assert f'href="{came_from}"' in html


@pytest.mark.django_db
def test_a_refused_page_never_links_back_off_site(client):
    member = UserFactory(staff=True)
    client.force_login(member)
    response = client.get("/admin/billing/stripeevent/", HTTP_REFERER="https://evil.example/")
    assert response.status_code == 403
    assert "evil.example" not in response.content.decode()
    assert 'href="/admin/"' in response.content.decode()
