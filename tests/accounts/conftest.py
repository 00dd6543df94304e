import re

import pytest

from accounts.models import User
from tests.factories import UserFactory

CODE_IN_MAIL = re.compile(r"\b(\d{6})\b")


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Runs what a request queues for after commit (emails), as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def mailed_code(mailoutbox):
    """The 6-digit code in the latest email to `to`."""

    def latest(to):
        messages = [message for message in mailoutbox if to in message.to]
        assert messages, f"no email to {to}"
        return CODE_IN_MAIL.search(messages[-1].body).group(1)

    return latest


@pytest.fixture
def two_fa_user(db):
    return UserFactory(two_fa_enabled=True)


def reload(user):
    return User.objects.get(pk=user.pk)
