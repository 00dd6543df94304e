"""What the API answers while a service it needs is down (docs/operations.md, "Failure
behaviour"): PostgreSQL is a 503 `database_unavailable` in the error shape everywhere; the
throttles' Redis is let through or refused per scope. The same against real processes is
tests/ops/test_faults.py."""

import pytest
from django.db import InterfaceError, OperationalError
from django.test import RequestFactory

from config.exceptions import exception_handler, handler500
from tests.helpers import assert_error

UNREACHABLE_REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


@pytest.mark.parametrize("error", [OperationalError, InterfaceError])
def test_api_answers_503_database_unavailable(error):
    response = exception_handler(error("connection refused"), {})
    assert (response.status_code, response.data["code"]) == (503, "database_unavailable")
    assert response["Retry-After"] == "1"


@pytest.mark.parametrize("path", ["/api/v1/auth/me/", "/admin/"])
def test_other_views_answer_503_database_unavailable_too(path):
    request = RequestFactory().get(path)
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = handler500(request)
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "1"


def test_reads_go_on_while_the_throttle_cache_is_down(client_for, user, settings):
    settings.CACHES = UNREACHABLE_REDIS
    response = client_for(user).get("/api/v1/auth/me/")
    assert response.status_code == 200


def test_sign_in_fails_closed_while_the_throttle_cache_is_down(api_client, user, settings):
    settings.CACHES = UNREACHABLE_REDIS
    response = api_client.post("/api/v1/auth/login/", {"email": user.email, "password": "x"})
    assert_error(response, 503, "throttle_unavailable")
