from rest_framework import throttling
from rest_framework.settings import api_settings

from config.roles import is_service_account


class RatesFromSettingsMixin:
    """Reads the rate when used, not at import, so settings overrides take effect."""

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
