"""The R3 response scan and the R20 log scan (tests/leaks.py) see what they look for.

These leak on purpose, then clear what the watch found, so the autouse check passes.
"""

import logging
from datetime import timedelta

import pytest
from django.http import JsonResponse
from django.test import RequestFactory

from accounts.models import AccessToken
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.leaks import watch

pytestmark = pytest.mark.django_db


@pytest.fixture
def found():
    """What the watch found in the test, cleared before the autouse check."""
    yield watch
    watch.response_hits.clear()
    watch.log_hits.clear()


def scan(body, user=None, path="/api/v1/projects/"):
    request = RequestFactory().get(path)
    if user is not None:
        request.user = user
    watch.scan_response(request, JsonResponse(body, safe=False))


def test_responses_with_a_hash_a_digest_a_secret_or_another_email_are_caught(found):
    owner, other = UserFactory(), UserFactory()
    token, raw = AccessToken.issue(user=owner, ttl=timedelta(hours=1), name="t")
    owner.refresh_from_db()
    scan({"password": owner.password}, owner)
    scan({"digest": token.token_digest}, owner)
    scan({"email": other.email}, owner)
    watch.add_plaintext("sk-live-plaintext-1234")
    scan({"key": "sk-live-plaintext-1234"}, owner)
    assert len(found.response_hits) == 4, found.response_hits
    assert raw in watch.tokens


def test_legitimate_emails_are_not_flagged(found):
    owner, other = UserFactory(), UserFactory()
    scan({"email": owner.email}, owner)
    scan({"user": {"email": other.email}, "token": "x"}, None, path="/api/v1/auth/login/")
    assert found.response_hits == []


def test_logs_with_a_token_a_password_a_code_or_a_secret_are_caught(found, settings):
    _, raw = AccessToken.issue(user=UserFactory(), ttl=timedelta(hours=1), name="t")
    settings.STRIPE_WEBHOOK_SECRET = "whsec_watch_test_secret"
    watch.codes.add("493817")
    log = logging.getLogger("studio.test")
    log.debug("token %s", raw)
    log.debug("password", extra={"fields": {"password": DEFAULT_PASSWORD}})
    log.info("your code is 493817.")
    log.warning("secret whsec_watch_test_secret")
    assert len(found.log_hits) == 4, found.log_hits
