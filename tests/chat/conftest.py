import pytest
from rest_framework.test import APIClient

from tests.chat.factories import ChatFactory, ShellSessionFactory
from tests.projects.factories import ContainerFactory, ProjectFactory


@pytest.fixture
def owner(user):
    """The owner of `project` and everything under it."""
    return user


@pytest.fixture
def project(owner):
    return ProjectFactory(owner=owner)


@pytest.fixture
def chat(project):
    return ChatFactory(project=project)


@pytest.fixture
def container(project):
    return ContainerFactory(project=project, name="frontend")


@pytest.fixture
def session(project, container):
    return ShellSessionFactory(project=project, container_name=container.container_name)


@pytest.fixture
def owner_client(client_for, owner):
    return client_for(owner)


@pytest.fixture
def service_client(client_for, service_account):
    return client_for(service_account)


@pytest.fixture
def as_user(client_for):
    """`as_user(u)`: an API client for `u`, or an anonymous one for None."""
    return lambda member: APIClient() if member is None else client_for(member)
