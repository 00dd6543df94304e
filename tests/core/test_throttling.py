"""Throttles (docs/spec/API.md §7) and the check order 401 → 429 → 404 → 403 (§3)."""

import time

import pytest
import redis

from tests.ops.test_faults import Redis

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.probe")]


def with_rates(settings, **rates):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates},
    }


def test_anonymous_throttled_exactly_after_the_limit(api_client):
    statuses = [api_client.get("/api/v1/probe/public/").status_code for _ in range(61)]
    assert statuses[:60] == [200] * 60
    response = api_client.get("/api/v1/probe/public/")
    assert statuses[60] == 429 and response.status_code == 429
    body = response.json()
    assert body["code"] == "throttled"
    assert int(response["Retry-After"]) >= 1


def test_user_rate_then_429(client_for, user, settings):
    with_rates(settings, user="3/min", service="6/min")
    client = client_for(user)
    statuses = [client.get("/api/v1/probe/public/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_service_rate_applies_to_callers_with_service_permissions(client_for, superuser, settings):
    # Superusers hold every permission, the service ones included (docs/spec/API.md §3).
    with_rates(settings, user="3/min", service="6/min")
    client = client_for(superuser)
    statuses = [client.get("/api/v1/probe/public/").status_code for _ in range(7)]
    assert statuses == [200] * 6 + [429]


def test_throttled_before_permission_denied(client_for, user, settings):
    with_rates(settings, user="2/min")
    client = client_for(user)
    statuses = [client.get("/api/v1/probe/denied/").status_code for _ in range(3)]
    assert statuses == [403, 403, 429]


def test_not_authenticated_before_throttled(api_client, settings):
    with_rates(settings, anon="1/min")
    statuses = [api_client.get("/api/v1/probe/denied/").status_code for _ in range(3)]
    assert statuses == [401, 401, 401]


@pytest.fixture
def redis_cache(settings, tmp_path):
    """The default cache on a Redis server of the test's own, as in production."""
    server = Redis(tmp_path)
    server.start()
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": server.url,
        }
    }
    yield redis.Redis.from_url(server.url)
    server.stop()


def test_counters_in_redis_keep_the_rate_and_the_429(client_for, user, settings, redis_cache):
    """Production counts in Redis: one pipelined round trip per request, a window that expires
    on its own, and the same 429 as the local cache gives."""
    with_rates(settings, user="3/min")
    client = client_for(user)
    responses = [client.get("/api/v1/probe/public/") for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert responses[-1].json()["code"] == "throttled"
    assert 1 <= int(responses[-1]["Retry-After"]) <= 60
    (key,) = redis_cache.keys("*throttle_user_*")
    assert 0 < redis_cache.ttl(key) <= 60


def test_a_redis_window_reopens_after_its_duration(client_for, user, settings, redis_cache):
    with_rates(settings, user="2/s")
    client = client_for(user)
    first = [client.get("/api/v1/probe/public/").status_code for _ in range(3)]
    time.sleep(1.1)
    assert first == [200, 200, 429]
    assert client.get("/api/v1/probe/public/").status_code == 200
