"""The chat app's settings, with the spec's defaults (EXTENSIONS.md §1).

Read when used, not at import, so `override_settings` and the test `settings` fixture apply.
"""

from django.conf import settings

DEFAULTS = {
    # CHT-45: an active run with no transition for this long is failed by `fail_stale_runs`.
    "RUN_STALE_MINUTES": 60,
}


def get(name):
    return getattr(settings, name, DEFAULTS[name])
