"""The read replica (`DATABASE_REPLICA_URL`): which reads may go there (docs/operations.md,
"Read replica").

Everything runs on the primary unless a view method is marked `@lag_tolerant`: within it, reads
outside a transaction go to the `replica` alias. A request never reads the replica when its
user wrote in the last `REPLICA_READ_YOUR_WRITES_SECONDS` (any unsafe request of theirs, from
any app server: the mark lives in the shared cache), so a user reads their own writes. A
replica that cannot be reached sends the reads back to the primary, logged once per outage.
"""

import functools
import logging
import time
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response

from config.exceptions import DATABASE_DOWN

REPLICA = "replica"
# After a failed connect, the replica is tried again this long after.
RETRY_SECONDS = 5.0

logger = logging.getLogger("studio.db")
_routed = ContextVar("replica_reads", default=False)
_down_until = 0.0


def configured():
    return REPLICA in settings.DATABASES


def _wrote_key(user_id):
    return f"replica:wrote:{user_id}"


def wrote_recently(user):
    try:
        return bool(cache.get(_wrote_key(user.pk)))
    except Exception:  # the cache is down: we cannot tell, so the primary answers
        return True


def lag_tolerant(view_method):
    """Marks a view method (DRF action or admin view; `(self, request, ...)`) whose reads may
    lag the primary by a few seconds: they go to the replica unless the request writes, runs
    in a transaction, or its user wrote recently. An admin page is rendered inside, so its
    template's reads are routed too."""

    @functools.wraps(view_method)
    def routed(self, request, *args, **kwargs):
        user = request.user
        if (
            not configured()
            or request.method not in SAFE_METHODS
            or (user.is_authenticated and wrote_recently(user))
        ):
            return view_method(self, request, *args, **kwargs)
        token = _routed.set(True)
        try:
            response = view_method(self, request, *args, **kwargs)
            if not isinstance(response, Response) and hasattr(response, "render"):
                response.render()
            return response
        finally:
            _routed.reset(token)

    return routed


def replica_usable():
    """Connects to the replica if need be; False (and the primary answers) while it is down."""
    global _down_until
    if time.monotonic() < _down_until:
        return False
    replica = connections[REPLICA]
    try:
        replica.close_if_health_check_failed()
        replica.ensure_connection()
    except DATABASE_DOWN:
        replica.close()
        if not _down_until:
            logger.warning("Read replica unavailable; reading from the primary", exc_info=True)
        _down_until = time.monotonic() + RETRY_SECONDS
        return False
    if _down_until:
        logger.warning("Read replica reachable again")
        _down_until = 0.0
    return True


class ReplicaRouter:
    """Installed when `DATABASE_REPLICA_URL` is set. Every answer names its alias: Django's
    fallback would follow an instance read from the replica back to the replica."""

    def db_for_read(self, model, **hints):
        if _routed.get() and not connections[DEFAULT_DB_ALIAS].in_atomic_block and replica_usable():
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the primary's rows

    def allow_migrate(self, db, app_label, **hints):
        return db == DEFAULT_DB_ALIAS


class ReadYourWritesMiddleware:
    """Marks a user who sent an unsafe request (POST, PATCH, DELETE) as having written, for
    `REPLICA_READ_YOUR_WRITES_SECONDS`: their `@lag_tolerant` reads go to the primary meanwhile.
    After the view, so DRF's token user is known."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if request.method not in SAFE_METHODS and user is not None and user.is_authenticated:
            try:
                cache.set(_wrote_key(user.pk), 1, settings.REPLICA_READ_YOUR_WRITES_SECONDS)
            except Exception:  # the cache is down: reads of this user may lag (logged)
                logger.warning("Could not mark a write for read-your-writes", exc_info=True)
        return response
