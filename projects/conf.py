"""The projects app's settings, with the spec's defaults (DATA_MODEL.md §3).

Read when used, not at import, so `override_settings` and the test `settings` fixture apply.
"""

from django.conf import settings

DEFAULTS = {
    "PROJECT_NETWORK_PREFIX": "tesslate-",
    "PROJECT_IDLE_MINUTES": 2880,
    "PROJECT_STUCK_MINUTES": 10,
    "PROJECT_MAX_SNAPSHOTS": 5,
    "PROJECT_FILE_MAX_BYTES": 2 * 1024 * 1024,
    "ASSET_MAX_BYTES": 25 * 1024 * 1024,
    "SNAPSHOT_PURGE_DAYS": 30,
    "PROJECT_DOMAIN_ROOT": "apps.localhost",
    # PRJ-101: labels the platform keeps for itself; no project may claim them.
    "PROJECT_RESERVED_SUBDOMAINS": (
        "admin",
        "api",
        "app",
        "auth",
        "billing",
        "cdn",
        "dashboard",
        "docs",
        "help",
        "mail",
        "static",
        "status",
        "studio",
        "support",
        "www",
    ),
}


def get(name):
    return getattr(settings, name, DEFAULTS[name])
