"""The sign-in throttles of docs/spec/API.md §7, per client IP and per lower-cased email.

They are a comfort against abuse: limits that must hold exactly (code attempts, codes issued)
live in the database.
"""

import hashlib

from rest_framework import throttling
from rest_framework.settings import api_settings

from accounts.models import normalize_email
from config.throttling import FAIL_CLOSED, RatesFromSettingsMixin


class IPThrottle(RatesFromSettingsMixin, throttling.SimpleRateThrottle):
    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class EmailThrottle(RatesFromSettingsMixin, throttling.SimpleRateThrottle):
    """Keyed by the `email` in the request body; requests without one are not counted here.

    Serves DRF requests (`request.data`) and the session sign-in form (`request.POST`).
    """

    def get_cache_key(self, request, view):
        data = request.data if hasattr(request, "data") else request.POST
        email = data.get("email") if hasattr(data, "get") else None
        if not isinstance(email, str) or not email.strip():
            return None
        # Hashed: any length fits a cache key, and no address is stored in the cache.
        ident = hashlib.sha256(normalize_email(email).encode()).hexdigest()
        return self.cache_format % {"scope": self.scope, "ident": ident}


class LoginThrottle(IPThrottle):
    scope = "login"
    cache = FAIL_CLOSED  # nothing else limits password guesses


class LoginEmailThrottle(EmailThrottle):
    scope = "login_email"
    cache = FAIL_CLOSED


class RegisterThrottle(IPThrottle):
    scope = "register"
    cache = FAIL_CLOSED  # each sign-up grants credits


class PasswordResetThrottle(IPThrottle):
    scope = "password_reset"


class PasswordResetEmailThrottle(EmailThrottle):
    scope = "password_reset_email"


class CodeThrottle(IPThrottle):
    scope = "code"


class WaitlistThrottle(IPThrottle):
    scope = "waitlist"


def with_default_throttles(*extra):
    """A view's throttles: the project defaults (anon, user) plus its own."""
    return [*api_settings.DEFAULT_THROTTLE_CLASSES, *extra]
