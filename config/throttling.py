import logging

from django.core.cache import cache as default_cache
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
    """

    def __init__(self, *, fail_open):
        self.fail_open = fail_open

    def _unreachable(self, error):
        logger.warning("Throttle cache unreachable (%s)", type(error).__name__)
        if not self.fail_open:
            raise ThrottleUnavailable()

    def get(self, key, default=None):
        try:
            return default_cache.get(key, default)
        except (RedisError, OSError) as error:
            self._unreachable(error)
            return default

    def set(self, key, value, timeout=None):
        try:
            default_cache.set(key, value, timeout)
        except (RedisError, OSError) as error:
            self._unreachable(error)


FAIL_OPEN = ThrottleCache(fail_open=True)
FAIL_CLOSED = ThrottleCache(fail_open=False)


class RatesFromSettingsMixin:
    """Reads the rate when used, not at import, so settings overrides take effect; counts in
    the cache with the fail-open policy unless a throttle says otherwise (`ThrottleCache`)."""

    cache = FAIL_OPEN

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]


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
        self.scope = "service"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        # The history already fetched for the user key counts toward the service rate too.
        if len(self.history) >= self.num_requests:
            return self.throttle_failure()
        return self.throttle_success()


class ScopedRateThrottle(RatesFromSettingsMixin, throttling.ScopedRateThrottle):
    pass
