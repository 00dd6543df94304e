import pytest

from tests.projects.factories import ProjectFactory


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded bytes go to a throw-away directory, never the checkout's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def project(user):
    return ProjectFactory(owner=user)


@pytest.fixture
def owner_client(client_for, user):
    return client_for(user)
