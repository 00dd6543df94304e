from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.models import AccessToken
from config.roles import MODERATORS_GROUP, SERVICE_ACCOUNTS_GROUP
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


@pytest.fixture
def service_account(db):
    """A member of the Service accounts group (each app's migration grants its permissions)."""
    member = UserFactory(name="Agent runtime")
    member.groups.add(Group.objects.get_or_create(name=SERVICE_ACCOUNTS_GROUP)[0])
    return member
