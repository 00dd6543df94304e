from datetime import timedelta

import pytest

from accounts.models import AccessToken
from tests.chat.factories import ChatFactory, MessageFactory
from tests.factories import UserFactory
from tests.ops.test_faults import Redis


def token_for(user):
    return AccessToken.issue(user=user, ttl=timedelta(hours=1), name="ops")[1]


@pytest.fixture
def redis(tmp_path):
    """A Redis server of the test's own on loopback (throttle counters, the broker)."""
    server = Redis(tmp_path)
    server.start()
    yield server
    if server.process.poll() is None:
        server.stop()


@pytest.fixture
def member():
    """A user's token, and a chat of 60 messages of theirs."""
    user = UserFactory()
    chat = ChatFactory(project__owner=user)
    MessageFactory.create_batch(60, chat=chat)
    return token_for(user), chat
