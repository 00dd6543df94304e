"""Connector credentials: a user's links to outside tools (PRJ-110 to PRJ-113)."""

from django.db import transaction

from config.exceptions import require
from projects.errors import ConnectorExists
from projects.models import ConnectorCredential
from projects.permissions import user_owns_connector


def _clear_default(user_id, connector_type, keep=None):
    """PRJ-112: the user's other default of this type stops being one, under a lock on it, so
    two switches of the default take turns; two first defaults racing meet the constraint."""
    others = ConnectorCredential.objects.select_for_update().filter(
        user_id=user_id, connector_type=connector_type, is_default=True
    )
    if keep is not None:
        others = others.exclude(pk=keep.pk)
    pks = list(others.values_list("pk", flat=True))
    if pks:
        ConnectorCredential.objects.filter(pk__in=pks).update(is_default=False)


def connector_create(*, actor, connector_type, account_label, access_token, **fields):
    """PRJ-110 to PRJ-112: the caller's own connector. A clash of label or token is 409
    `already_exists`, from the check or, in a race, from the constraint behind it."""
    require(actor.is_authenticated)
    same_label = ConnectorCredential.objects.filter(
        user=actor, connector_type=connector_type, account_label=account_label
    )
    if same_label.exists():
        raise ConnectorExists()
    connector = ConnectorCredential(
        user=actor,
        connector_type=connector_type,
        account_label=account_label,
        access_token=access_token,
        **fields,
    )
    with transaction.atomic():
        if connector.is_default:
            _clear_default(actor.pk, connector_type)
        connector.save(force_insert=True)
    return connector


def connector_update(*, actor, connector, **changes):
    """PRJ-111, PRJ-112: edits; a new `access_token` replaces the token, its last four and its
    digest (rotation); `is_default: true` moves the default here."""
    require(user_owns_connector(actor, connector))
    for field, value in changes.items():
        setattr(connector, field, value)
    with transaction.atomic():
        if changes.get("is_default"):
            _clear_default(connector.user_id, connector.connector_type, keep=connector)
        connector.save()
    return connector


def connector_delete(*, actor, connector):
    require(user_owns_connector(actor, connector))
    with transaction.atomic():
        connector.delete()
