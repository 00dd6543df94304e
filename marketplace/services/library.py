"""Users' libraries as users and staff change them: removal (MKT-21), staff switching a row on
or off, and the daily expiry of subscriptions (MKT-22). Adding is `marketplace.library`."""

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Now
from django.utils import timezone

from marketplace.library import library_add, library_remove
from marketplace.models import ProjectAgent, UserPurchasedAgent
from marketplace.permissions import user_can_curate
from marketplace.services.common import require

EXPIRY_BATCH_SIZE = 500


def _library_item(row):
    return row.agent if isinstance(row, UserPurchasedAgent) else row.base


def library_entry_remove(*, actor, row):
    """MKT-21: the owner removes an item from their library; the row stays, inactive, and the
    owner's project assignments of that agent are switched off. Removing twice is harmless."""
    require(actor.is_authenticated and row.user_id == actor.pk)
    library_remove(row=row)


def library_entry_set_active(*, actor, row, active):
    """Staff switch a library row off (as MKT-21) or back on (as a re-add: no new download,
    no charge, MKT-21). True when this call changed it."""
    require(user_can_curate(actor, row))
    # The stored state, not the instance's: an admin form has already set the new value on it.
    stored = type(row).objects.filter(pk=row.pk).values_list("is_active", flat=True).get()
    if stored == active:
        return False
    if active:
        _, change = library_add(
            user=row.user, item=_library_item(row), purchase_type=row.purchase_type
        )
        row.is_active = True
        return change is not None
    library_remove(row=row)
    return True


def subscriptions_expire(*, now=None, batch_size=EXPIRY_BATCH_SIZE):
    """MKT-22: active subscription rows past `expires_at` become inactive, and their users'
    project assignments of those agents are switched off, as on removal (MKT-21).

    Batches of `batch_size`, one transaction each. A renewal racing this holds the row lock;
    FOR UPDATE waits for it and then re-checks the condition on the renewed row, which no
    longer matches. Running it again finds nothing more to do. Returns
    `(subscriptions expired, project agents disabled)`.
    """
    now = now or timezone.now()
    expired = disabled = 0
    while True:
        with transaction.atomic():
            batch = list(
                UserPurchasedAgent.objects.select_for_update()
                .filter(is_active=True, expires_at__lte=now)
                .order_by("pk")
                .values_list("pk", "user_id", "agent_id")[:batch_size]
            )
            if not batch:
                return expired, disabled
            UserPurchasedAgent.objects.filter(pk__in=[pk for pk, _, _ in batch]).update(
                is_active=False, updated_at=Now()
            )
            assignments = Q()
            for _, user_id, agent_id in batch:
                assignments |= Q(project__owner_id=user_id, agent_id=agent_id)
            disabled += ProjectAgent.objects.filter(assignments, enabled=True).update(
                enabled=False, updated_at=Now()
            )
            expired += len(batch)
