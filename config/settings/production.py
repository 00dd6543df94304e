"""Production settings: everything secret or shared comes from the environment, no defaults.

The process refuses to start without a real SECRET_KEY, ALLOWED_HOSTS, EMAIL_URL, CACHE_URL
(throttle counters must be shared by every worker) and CELERY_BROKER_URL (mail is queued).
`manage.py check --deploy` is clean with these.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    ALLOWED_HOSTS,
    DATABASES,
    LOGGING,
    MIDDLEWARE,
    SECRET_KEY,
    cache_settings,
    env,
    require_real_secret,
    with_static_files,
)

DEBUG = False
require_real_secret(SECRET_KEY)
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the host names this server answers to.")

vars().update(env.email_url("EMAIL_URL"))
CACHES = cache_settings(env.str("CACHE_URL"))
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = False

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# Static files (admin, API docs) are served by whitenoise, compressed and with hashed names;
# `collectstatic` is a release step.
MIDDLEWARE = with_static_files(MIDDLEWARE)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

LOGGING["handlers"]["console"]["formatter"] = env.str("LOG_FORMAT", default="json")

# PgBouncer in transaction mode hands each transaction to any server connection: no
# server-side cursors (they outlive a transaction). See docs/operations.md.
for database in DATABASES.values():
    database["DISABLE_SERVER_SIDE_CURSORS"] = env.bool("PGBOUNCER_TRANSACTION_MODE", default=False)
