"""Audit history (issue 11, RELIABILITY.md R21).

PostgreSQL triggers (django-pghistory) copy each insert, update and delete of an audited model
into its event table (`<Model>Event`), in the same transaction as the change. Being triggers,
they also see `QuerySet.update()`, `F()` debits, cascades and raw SQL, which signal-based
history libraries miss. Event tables are append-only (a trigger refuses updates and deletes).

Who made the change is the event's context (`pghistory.Context`, its `metadata`):
- a request (admin or API): `user` (the session or bearer-token user, so a service account is
  named by its own user) and `url`, set by `AuditMiddleware` and completed when DRF
  authenticates;
- a management command: `command` and the operating-system user, for the connection's whole
  session (`manage.py`);
- nothing (a shell without `manage.py`, a migration): no context, and the event still exists.

Money keeps its own ledger too (billing.CreditLedgerEntry, one entry per bucket movement); every
bucket movement is also an update of the user row, hence a `UserEvent`.
"""

import getpass
import json
import uuid

import pghistory
import pgtrigger
from django.apps import apps
from django.db.backends.signals import connection_created
from django.db.models import Q
from pghistory.middleware import HistoryMiddleware

from config.encryption import is_secret_field

# Columns the platform itself keeps moving (counters, last-seen stamps). An event for each
# message, sign-in or download would drown the changes people make; the columns are left out
# of the snapshots, so changing only them records nothing.
MACHINE_COLUMNS = frozenset(
    {
        "updated_at",
        "last_login",
        "last_used_at",
        "last_activity",
        "last_activity_at",
        "message_count",
        "last_message_at",
        "bytes_read",
        "bytes_written",
        "downloads",
        "reviews_count",
        "co_install_count",
        "upvote_count",
        "task_counter",
    }
)

# A secret column is never copied; that it changed is still recorded, under its own label.
SECRET_CHANGE = "secret_change"  # noqa: S105 - an event label


def audited(*, machine_columns=(), only_updates=False, app_label=None, model_name=None):
    """A class decorator: every write to the model leaves an event row.

    Secret columns (`config.encryption.is_secret_field`) and machine-maintained columns
    (`MACHINE_COLUMNS`, plus this model's `machine_columns`) stay out of the snapshot.
    `only_updates` is for insert-only tables whose rows staff may only move along (a status).
    """

    def decorate(model):
        fields = model._meta.concrete_model._meta.local_concrete_fields
        secrets = [f for f in fields if is_secret_field(f)]
        machine = MACHINE_COLUMNS.union(machine_columns)
        # New trackers for each model: a tracker keeps the column list of the model it serves.
        trackers = [pghistory.UpdateEvent()]
        if not only_updates:
            trackers += [pghistory.InsertEvent(), pghistory.DeleteEvent()]
        if secrets:
            trackers.append(pghistory.UpdateEvent(SECRET_CHANGE, condition=changed(secrets)))
        return pghistory.track(
            *trackers,
            exclude=[f.name for f in fields if f in secrets or f.name in machine],
            append_only=True,
            app_label=app_label,
            model_name=model_name,
        )(model)

    return decorate


def changed(fields):
    """A trigger condition: any of these columns changed. Written in SQL because encrypted
    fields allow no lookups, so pgtrigger's `AnyChange` cannot compare them."""
    return pgtrigger.Condition(
        " OR ".join(f'OLD."{f.column}" IS DISTINCT FROM NEW."{f.column}"' for f in fields)
    )


def audited_membership(label):
    """A class decorator for a proxy of a many-to-many through table (group memberships,
    granted permissions): each row added or removed leaves an event."""
    return pghistory.track(
        pghistory.InsertEvent(f"{label}.add"),
        pghistory.DeleteEvent(f"{label}.remove"),
        obj_field=None,
        append_only=True,
    )


def grantable(permissions):
    """`permissions` without add, change and delete on the event tables: their triggers refuse
    every write, so those permissions would grant nothing (a permission picker offers these)."""
    from pghistory.models import Event

    writes = Q(pk__in=[])
    for model in apps.get_models():
        if issubclass(model, Event):
            writes |= Q(
                content_type__app_label=model._meta.app_label,
                content_type__model=model._meta.model_name,
            )
    return permissions.exclude(writes & ~Q(codename__startswith="view_"))


class AuditMiddleware(HistoryMiddleware):
    """Names the request's user and URL in the context of every change it makes.

    The user is the session user here; DRF's authentication replaces it with the token's
    user as soon as it authenticates (pghistory's request class follows `request.user`).
    """

    def get_context(self, request):
        return {**super().get_context(request), "method": request.method}


def attach_command_context(argv):
    """Names a `manage.py` run (the command, and who ran it) on every database connection it
    opens, for the whole session: no statement is rewritten, so raw SQL with a literal `%`
    runs as written. `runserver` gets none; its requests name their own users."""
    command = argv[1] if len(argv) > 1 else ""
    if command == "runserver":
        return
    context_id = str(uuid.uuid4())
    metadata = json.dumps({"command": command, "os_user": getpass.getuser()})

    def attach(sender, connection, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('pghistory.context_id', %s, false), "
                "set_config('pghistory.context_metadata', %s, false)",
                [context_id, metadata],
            )

    connection_created.connect(attach, weak=False)
