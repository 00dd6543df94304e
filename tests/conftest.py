from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.db.models import Q
from rest_framework.test import APIClient

from accounts.models import AccessToken
from config.roles import MODERATORS_GROUP, SERVICE_ACCOUNTS_GROUP, SERVICE_PERMISSIONS
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def client_for(db):
    """An API client authenticated as `user` with a real bearer token."""

    def make(user, *, ttl=timedelta(days=1)):
        _, raw = AccessToken.issue(user=user, ttl=ttl, name="test")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
        client.raw_token = raw
        return client

    return make


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def other_user(db):
    return UserFactory()


@pytest.fixture
def staff_user(db):
    return UserFactory(staff=True)


@pytest.fixture
def superuser(db):
    return UserFactory(superuser=True)


@pytest.fixture
def moderator(db):
    """A member of the Moderators group (the feedback migrations grant its permissions)."""
    member = UserFactory()
    member.groups.add(Group.objects.get_or_create(name=MODERATORS_GROUP)[0])
    return member


def granted_group(name, permissions):
    """The group, holding `permissions` ("app.codename"). The data migrations grant them, but
    transactional tests flush those rows, so the fixtures grant them again."""
    group, _ = Group.objects.get_or_create(name=name)
    wanted = Q()
    for permission in permissions:
        app_label, codename = permission.split(".")
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    group.permissions.add(*Permission.objects.filter(wanted))
    return group


@pytest.fixture
def service_account(db):
    """A member of the Service accounts group, holding the service permissions (ACC-9)."""
    member = UserFactory(name="Agent runtime")
    member.groups.add(granted_group(SERVICE_ACCOUNTS_GROUP, SERVICE_PERMISSIONS))
    return member
