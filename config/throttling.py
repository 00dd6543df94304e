import logging
import math
import time

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError
from rest_framework import exceptions, status, throttling
from rest_framework.settings import api_settings

from config.roles import is_service_account

logger = logging.getLogger("studio.api")


class ThrottleUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "Sign-in is briefly unavailable; retry shortly."
    default_code = "throttle_unavailable"


class ThrottleCache:
    """The throttles' counters in the default cache (Redis in production), with what a throttle
    does when Redis cannot be reached (docs/operations.md, "Failure behaviour"):

    - fail open (`fail_open=True`): the request is let through uncounted and a warning is
      logged. The general `anon`, `user` and `service` rates, and the scopes whose real limit
      lives in the database (codes issued per hour, attempts per code), so reads and writes go
      on while Redis is down;
    - fail closed: a 503 `throttle_unavailable`. The scopes that stand alone against
      password guessing and sign-up abuse (`login`, `login_email`, `register`).

    A counter is a fixed window that opens at its key's first request and lasts the rate's
    duration. On Redis a request costs one pipelined round trip (`INCR`, `EXPIRE … NX`,
    `PTTL`) whatever the rate, where DRF's sliding window read and wrote a pickled list of
    every timestamp in the window in two (PERFORMANCE.md, issue 21's profile).
    """

    def __init__(self, *, fail_open):
        self.fail_open = fail_open

    def _unreachable(self, error):
        logger.warning("Throttle cache unreachable (%s)", type(error).__name__)
        if not self.fail_open:
            raise ThrottleUnavailable()

    def hit(self, key, duration):
        """Counts one request on `key`'s window of `duration` seconds. Returns `(count,
        seconds_left)`, the count including this request, or None when the cache cannot be
        reached and the policy lets the request through uncounted."""
        backend = caches["default"]
        try:
            if isinstance(backend, RedisCache):
                return _redis_hit(backend, key, duration)
            return _local_hit(backend, key, duration)
        except (RedisError, OSError) as error:
            self._unreachable(error)
            return None


def _redis_hit(backend, key, duration):
    key = backend.make_and_validate_key(key)
    client = backend._cache.get_client(key, write=True)
    count, _, left_ms = (
        client.pipeline(transaction=False).incr(key).expire(key, duration, nx=True).pttl(key)
    ).execute()
    return count, (left_ms if left_ms > 0 else duration * 1000) / 1000


def _local_hit(backend, key, duration):
    """The same window in a cache without counters (local memory in tests and development)."""
    now = time.time()
    opened, count = backend.get(key) or (now, 0)
    left = opened + duration - now
    if left <= 0:
        opened, count, left = now, 0, duration
    backend.set(key, (opened, count + 1), math.ceil(left))
    return count + 1, left


FAIL_OPEN = ThrottleCache(fail_open=True)
FAIL_CLOSED = ThrottleCache(fail_open=False)


class RatesFromSettingsMixin:
    """Reads the rate when used, not at import, so settings overrides take effect; counts in
    the cache (`ThrottleCache.hit`) with the fail-open policy unless a throttle says otherwise.

    The rates and the 429 (`throttled`, `Retry-After` in whole seconds) are DRF's; the counter
    is not its list of timestamps, and its key has a suffix of its own, so workers of the
    previous release sharing the cache during a deploy never read one another's values.
    """

    cache = FAIL_OPEN
    seconds_left = None

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        return self.counted(f"{self.key}:window")

    def counted(self, key):
        hit = self.cache.hit(key, self.duration)
        if hit is None:
            return True
        self.count, self.seconds_left = hit
        return self.count <= self.num_requests

    def wait(self):
        return max(1, math.ceil(self.seconds_left or self.duration))


class AnonRateThrottle(RatesFromSettingsMixin, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(RatesFromSettingsMixin, throttling.UserRateThrottle):
    """The `user` rate per signed-in user, raised to the `service` rate for service accounts.

    Whether the caller is a service account is only asked once the user rate is used up, so
    ordinary requests pay no permission queries for it.
    """

    def allow_request(self, request, view):
        if super().allow_request(request, view):
            return True
        if not is_service_account(request.user):
            return False
        user_duration = self.duration
        self.scope = "service"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        if self.duration != user_duration:
            return self.counted(f"{self.key}:service")
        # The requests already counted at the user rate count toward the service rate too.
        return self.count <= self.num_requests
