"""The run command's settings: debug on, console email, a development-only secret."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str(
    "SECRET_KEY", default="development-only-secret-key-never-used-in-production-0123456789"
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

# bench: the demo data (`make run`) and the benchmark (`make bench`), never in production.
# `manage.py lintmigrations` (make check): reviews new migrations for locking and compatibility.
INSTALLED_APPS = [*INSTALLED_APPS, "bench", "django_migration_linter"]  # noqa: F405
# The unique indexes on the live deployment table are built CONCURRENTLY, which the linter
# cannot tell from a blocking build; that migration holds nothing else.
MIGRATION_LINTER_OPTIONS = {"ignore_name": ["0010_deployment_unique_indexes"]}
