"""Settings shared by every environment, read from the environment with django-environ.

The other modules of this package only flip switches: `development` (the run command),
`test` (pytest) and `production` (gunicorn, `check --deploy`). Every variable is listed in the
docs/configuration.md.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])

INSTALLED_APPS = [
    "backoffice.apps.StudioAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Its app puts an index operator class (OpClass, config.models.contains_index) outside the
    # parentheses of the indexed expression, as PostgreSQL requires.
    "django.contrib.postgres",
    "corsheaders",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "pgtrigger",
    "backoffice.apps.AuditHistoryConfig",  # django-pghistory, named for staff
    "import_export",
    "config",
    "accounts",
    "projects",
    "chat",
    "marketplace",
    "billing",
    "kanban",
    "feedback",
    # Above the seven: the admin site and home, and the admins that compose several apps.
    "backoffice",
]

MIDDLEWARE = [
    "config.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.audit.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
CSRF_FAILURE_VIEW = "config.exceptions.csrf_failure"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Before every app's templates: the admin app (listed first) ships its own
        # admin/base_site.html, which only a directory here can extend.
        "DIRS": [BASE_DIR / "backoffice" / "site_templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# PostgreSQL only (DESIGN.md "Database"). The run and test commands export DATABASE_URL for the
# project-local server (scripts/localdb) when it is unset.
if "DATABASE_URL" not in env:
    raise ImproperlyConfigured(
        "DATABASE_URL is unset. Run through `make run` / `make test`, or prefix the command with "
        "`scripts/localdb run --`, to use the project-local PostgreSQL."
    )
DATABASES = {"default": env.db_url("DATABASE_URL")}
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must name a PostgreSQL database.")
# Connections outlive a request (checked with one `SELECT 1` at the start of the next), so a
# request does not pay a connect: the benchmark holds this within 1.1x a connection that never
# closes (PERFORMANCE.md, "Connections").
CONNECTION_REUSE = {
    "CONN_MAX_AGE": env.int("CONN_MAX_AGE", default=60),
    "CONN_HEALTH_CHECKS": True,
}
DATABASES["default"].update(CONNECTION_REUSE)

# A streaming read replica (docs/operations.md, "Read replica"): unset, everything reads the
# primary. Set, the views marked `@lag_tolerant` (config/replica.py) read it; tests mirror it
# onto the test database.
REPLICA_READ_YOUR_WRITES_SECONDS = env.int("REPLICA_READ_YOUR_WRITES_SECONDS", default=5)
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = {
        **env.db_url("DATABASE_REPLICA_URL"),
        **CONNECTION_REUSE,
        "TEST": {"MIRROR": "default"},
    }
    # A replica that does not answer costs a request this long once, then is skipped a while.
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 2)
    DATABASE_ROUTERS = ["config.replica.ReplicaRouter"]
    MIDDLEWARE.insert(
        MIDDLEWARE.index("config.audit.AuditMiddleware"), "config.replica.ReadYourWritesMiddleware"
    )

# Every call to another server has a timeout (docs/configuration.md, "Timeouts"): a slow
# Redis, SMTP server or Stripe costs a request at most this long, never a worker.
REDIS_TIMEOUT = env.float("REDIS_TIMEOUT", default=1.0)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
STRIPE_TIMEOUT = env.float("STRIPE_TIMEOUT", default=20.0)
STRIPE_MAX_NETWORK_RETRIES = env.int("STRIPE_MAX_NETWORK_RETRIES", default=2)


def with_static_files(middleware):
    """Production's middleware: whitenoise serves the static files, right after security."""
    at = middleware.index("django.middleware.security.SecurityMiddleware") + 1
    return [*middleware[:at], "whitenoise.middleware.WhiteNoiseMiddleware", *middleware[at:]]


def cache_settings(url):
    """CACHES for `url`, with Redis calls bounded by REDIS_TIMEOUT."""
    cache = env.cache_url_config(url)
    if "redis" in cache["BACKEND"].lower():
        cache.setdefault("OPTIONS", {}).update(
            socket_connect_timeout=REDIS_TIMEOUT, socket_timeout=REDIS_TIMEOUT
        )
    return {"default": cache}


CACHES = cache_settings(env.str("CACHE_URL", default="locmemcache://"))

# The task queue (config/celery.py). Without a broker, tasks run eagerly, inside the request
# that queues them: that is development and the test suite. Production names the broker.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True  # an eager task's failure reaches its caller's log
# A task is acknowledged once it has run, so a worker killed mid-task leaves it queued.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_TIMEOUT
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": REDIS_TIMEOUT,
    "socket_timeout": REDIS_TIMEOUT,
    # A message unacknowledged this long (its worker died) is handed to another worker.
    "visibility_timeout": 15 * 60,
}
# Queuing while the broker is down fails after this, instead of holding the request.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2}
# The longest wait between two tries of a mail (1 s, 2 s, 4 s, ... up to this).
MAIL_RETRY_MAX_DELAY = env.int("MAIL_RETRY_MAX_DELAY", default=60)
# The web app's sign-up page, which a waitlist invitation links to (ACC-48).
SIGNUP_URL = env.str("SIGNUP_URL", default="http://localhost:3000/signup")

AUTH_USER_MODEL = "accounts.User"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "username", "name")},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Studio <no-reply@localhost>")

# Projects' own domains are `<subdomain>.<PROJECT_DOMAIN_ROOT>` (PRJ-101).
PROJECT_DOMAIN_ROOT = env.str("PROJECT_DOMAIN_ROOT", default="apps.localhost")

# django-cryptography: the Fernet key material defaults to SECRET_KEY; its signer always uses
# SECRET_KEY (ECOSYSTEM.md), so rotating either needs `rotate_encryption_keys`.
CRYPTOGRAPHY_KEY = env.str("CRYPTOGRAPHY_KEY", default=None)

# Stripe features are off while the secret key is unset.
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_PUBLISHABLE_KEY = env.str("STRIPE_PUBLISHABLE_KEY", default="")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_ENABLED = bool(STRIPE_SECRET_KEY)
# Stripe price id → subscription tier, e.g. "price_123=basic,price_456=pro".
STRIPE_PRICE_TIERS = env.dict("STRIPE_PRICE_TIERS", default={})
# Where Checkout sends the buyer back to (the web app).
STRIPE_SUCCESS_URL = env.str("STRIPE_SUCCESS_URL", default="http://localhost:3000/billing/success")
STRIPE_CANCEL_URL = env.str("STRIPE_CANCEL_URL", default="http://localhost:3000/billing/cancel")
# The exact URLs a client may ask Stripe to send the user back to (no open redirects).
BILLING_RETURN_URLS = env.list(
    "BILLING_RETURN_URLS", default=[STRIPE_SUCCESS_URL, STRIPE_CANCEL_URL]
)

# Billing (DATA_MODEL.md §6). Money is integer cents; one credit is one cent.
CREDIT_PACKAGES = {"small": 500, "medium": 2500, "large": 10000, "team": 50000}
SIGNUP_BONUS_CREDITS = 15000
SIGNUP_BONUS_DAYS = 60
MARKETPLACE_CREATOR_SHARE_PERCENT = 90
TIER_ALLOWANCES = {
    "free": {"bundled_credits": 0, "daily_credits": 5, "byok": False},
    "basic": {"bundled_credits": 500, "daily_credits": 0, "byok": True},
    "pro": {"bundled_credits": 2000, "daily_credits": 0, "byok": True},
    "ultra": {"bundled_credits": 8000, "daily_credits": 0, "byok": True},
}

ACCESS_TOKEN_TTL = timedelta(days=env.int("ACCESS_TOKEN_TTL_DAYS", default=7))
ACCESS_TOKEN_MAX_PER_USER = env.int("ACCESS_TOKEN_MAX_PER_USER", default=20)

# Sign-in with Google and GitHub: a provider is offered once its client id is set.
OAUTH_CLIENTS = {
    "google": {
        "client_id": env.str("GOOGLE_OAUTH_CLIENT_ID", default=""),
        "client_secret": env.str("GOOGLE_OAUTH_CLIENT_SECRET", default=""),
    },
    "github": {
        "client_id": env.str("GITHUB_OAUTH_CLIENT_ID", default=""),
        "client_secret": env.str("GITHUB_OAUTH_CLIENT_SECRET", default=""),
    },
}
# Where the web app receives the provider's redirect; the first is the default.
OAUTH_REDIRECT_URIS = env.list("OAUTH_REDIRECT_URIS", default=[])

LOGIN_URL = "/admin/login/"

# Bodies over this get 413 payload_too_large (docs/spec/API.md §1); asset uploads allow more.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.AccessTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "config.renderers.ORJSONRenderer",
        "config.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["config.parsers.JSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "config.renderers.ContentNegotiation",
    "DEFAULT_PAGINATION_CLASS": "config.pagination.PageNumberPagination",
    "DEFAULT_FILTER_BACKENDS": ["config.filters.FilterBackend"],
    "DEFAULT_THROTTLE_CLASSES": [
        "config.throttling.AnonRateThrottle",
        "config.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON", default="60/min"),
        "user": env.str("THROTTLE_USER", default="1200/min"),
        "service": env.str("THROTTLE_SERVICE", default="12000/min"),
        "login": "10/min",
        "login_email": "5/min",
        "register": "5/hour",
        "password_reset": "5/hour",
        "password_reset_email": "3/hour",
        "code": "10/min",
        "waitlist": "10/hour",
    },
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "DEFAULT_SCHEMA_CLASS": "config.schema.AutoSchema",
    "EXCEPTION_HANDLER": "config.exceptions.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": True,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Studio back office API",
    "DESCRIPTION": "REST API of the Studio AI app-builder platform. Errors share one shape: "
    "`{code, message, fields}`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1/",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choice sets that two fields share (a domain's DNS and TLS status), or whose field name
    # another set already uses (a canvas connection's `connector_type`), named once.
    "ENUM_NAME_OVERRIDES": {
        "DomainStatusEnum": "projects.models.DomainStatus",
        "ConnectorKindEnum": "projects.models.ConnectorKind",
        "ConnectorTypeEnum": "projects.models.ConnectorType",
        "ConnectorStatusEnum": "projects.models.ConnectorStatus",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.schema.drop_rule_ids",
    ],
}

# `plain` for people (development), `json` for machines (production's default): one object
# per line, each with the request id. The request log (studio.request) is one line per request.
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "config.logging.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "config.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # The API's exception handler logs unexpected errors itself, with the request id, and
        # the request log has every status: Django's own request logger would say it twice.
        "django.request": {"level": "CRITICAL", "handlers": ["console"], "propagate": False},
        "django.server": {"level": "WARNING", "handlers": ["console"], "propagate": False},
    },
}

ADMIN_SITE_HEADER = "Studio back office"

# Audit history (config/audit.py). Reads write nothing worth auditing, so GET requests skip the
# context.
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

# CSV export of admin changelists (backoffice/site.py): whoever may view a changelist may
# export it.
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"


def require_real_secret(secret_key):
    """Refuse to start a non-debug process on a missing or placeholder SECRET_KEY."""
    if len(secret_key) < 50 or secret_key.startswith("django-insecure") or len(set(secret_key)) < 5:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set to a random value of at least 50 characters "
            "(python -c 'import secrets; print(secrets.token_urlsafe(64))')."
        )
