"""Users' libraries: one row per user and item (MKT-20), downloads (MKT-10) and co-installs
(MKT-50). Called by marketplace services and by billing's purchase services (BIL-41)."""

from enum import StrEnum

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.db.models.functions import Now

from accounts.models import User
from marketplace.models import (
    MarketplaceAgent,
    ProjectAgent,
    PurchaseType,
    UserPurchasedAgent,
    UserPurchasedBase,
)


class LibraryChange(StrEnum):
    CREATED = "created"
    REACTIVATED = "reactivated"
    EXTENDED = "extended"


def library_model(item):
    """The library table of an agent or a base, and the row's field pointing at the item."""
    if isinstance(item, MarketplaceAgent):
        return UserPurchasedAgent, "agent"
    return UserPurchasedBase, "base"


def library_row(*, user, item, lock=False):
    model, field = library_model(item)
    rows = model.objects.select_for_update() if lock else model.objects
    return rows.filter(user=user, **{field: item}).first()


def free_install_keyed(*, user, idempotency_key):
    """The id of the item a free install by `user` added under `idempotency_key` (BIL-41), or
    None. A free install records no sale, so its key is kept on the library row."""
    agents = UserPurchasedAgent.objects.filter(user=user, free_install_key=idempotency_key)
    bases = UserPurchasedBase.objects.filter(user=user, free_install_key=idempotency_key)
    keyed = agents.values_list("agent_id", flat=True).union(bases.values_list("base_id", flat=True))
    return next(iter(keyed[:1]), None)


# MKT-50: one statement counts the new agent against every other agent in the user's library,
# both ways round.
_CO_INSTALL_SQL = """
INSERT INTO marketplace_agentcoinstall
    (id, created_at, updated_at, agent_id, related_agent_id, co_install_count)
SELECT gen_random_uuid(), now(), now(), pair.agent_id, pair.related_agent_id, 1
FROM (
    SELECT %(agent)s::uuid AS agent_id, agent_id AS related_agent_id
    FROM marketplace_userpurchasedagent WHERE user_id = %(user)s AND agent_id <> %(agent)s
    UNION ALL
    SELECT agent_id, %(agent)s::uuid
    FROM marketplace_userpurchasedagent WHERE user_id = %(user)s AND agent_id <> %(agent)s
) AS pair
ON CONFLICT (agent_id, related_agent_id)
DO UPDATE SET co_install_count = marketplace_agentcoinstall.co_install_count + 1,
              updated_at = now()
"""


def _count_first_add(*, user, item):
    """MKT-10 and MKT-50: a first add by anyone but the creator is a download."""
    if item.created_by_user_id == user.pk:
        return
    type(item).objects.filter(pk=item.pk).update(downloads=F("downloads") + 1)
    if isinstance(item, MarketplaceAgent):
        with connection.cursor() as cursor:
            cursor.execute(_CO_INSTALL_SQL, {"agent": item.pk, "user": user.pk})


def library_add(*, user, item, purchase_type, expires_at=None):
    """Creates or reactivates the user's row for `item` (MKT-20); returns `(row, change)`.

    `change` is None when nothing changed. A reactivation is not a download (MKT-10), and an
    existing row never loses what it holds: a purchased row stays purchased (MKT-5), and a
    subscription only moves its expiry later.
    """
    model, field = library_model(item)
    with transaction.atomic():
        # One user's adds run one at a time, so MKT-50 sees every other agent they hold.
        User.objects.select_for_update().only("pk").get(pk=user.pk)
        row = library_row(user=user, item=item, lock=True)
        if row is None:
            try:
                # Bases have no subscriptions, so only agent rows carry an expiry.
                expiry = {"expires_at": expires_at} if expires_at is not None else {}
                with transaction.atomic():
                    row = model.objects.create(
                        user=user, purchase_type=purchase_type, **{field: item}, **expiry
                    )
            except IntegrityError:
                # The same user added it concurrently: theirs counts, ours updates it below.
                row = library_row(user=user, item=item, lock=True)
            else:
                _count_first_add(user=user, item=item)
                return row, LibraryChange.CREATED
        return row, _library_update(row, purchase_type=purchase_type, expires_at=expires_at)


def _library_update(row, *, purchase_type, expires_at):
    changes, change = {}, None
    if purchase_type != PurchaseType.FREE and row.purchase_type != purchase_type:
        changes["purchase_type"] = purchase_type
    if expires_at is not None and (row.expires_at is None or expires_at > row.expires_at):
        changes["expires_at"] = expires_at
        change = LibraryChange.EXTENDED
    if not row.is_active:
        changes["is_active"] = True
        change = LibraryChange.REACTIVATED
    if changes:
        type(row).objects.filter(pk=row.pk).update(**changes, updated_at=Now())
        for name, value in changes.items():
            setattr(row, name, value)
    return change


def library_remove(*, row):
    """MKT-21: the row stays, inactive; the user's project assignments of that agent stop."""
    with transaction.atomic():
        type(row).objects.filter(pk=row.pk).update(is_active=False, updated_at=Now())
        row.is_active = False
        if isinstance(row, UserPurchasedAgent):
            ProjectAgent.objects.filter(project__owner=row.user_id, agent=row.agent_id).update(
                enabled=False, updated_at=Now()
            )
