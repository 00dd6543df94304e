"""pytest's settings: a fast default password hasher and in-memory email and cache.

One test asserts that the production hasher setting (argon2 first) stands in `base`.
"""

from .base import *  # noqa: F403
from .base import DATABASES, INSTALLED_APPS

# bench: the benchmark (tests/perf) and the demo and large data sets the tests load.
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]

SECRET_KEY = "test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ"
# Argon2 stays available for what must be argon2 whatever the default (one-time codes).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Threads in concurrency tests open their own connections; close them after each request.
DATABASES["default"]["CONN_MAX_AGE"] = 0
