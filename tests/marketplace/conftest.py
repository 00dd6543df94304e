import pytest
from rest_framework.test import APIClient

from tests.factories import UserFactory
from tests.marketplace.factories import AgentFactory, BaseFactory
from tests.projects.factories import ProjectFactory


@pytest.fixture
def creator(db):
    return UserFactory(name="Creator")


@pytest.fixture
def agent(creator):
    """A listed agent of `creator`."""
    return AgentFactory(created_by_user=creator, listed=True)


@pytest.fixture
def base(creator):
    """A public base of `creator`."""
    return BaseFactory(created_by_user=creator, listed=True)


@pytest.fixture
def project(user):
    return ProjectFactory(owner=user)


@pytest.fixture
def as_user(client_for):
    """`as_user(u)`: an API client for `u`, or an anonymous one for None."""
    return lambda member: APIClient() if member is None else client_for(member)
