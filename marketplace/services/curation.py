"""Staff curation in admin (DATA_MODEL.md §5 "Admin"): the switches only staff flip, and the
repairs of counters after hand edits. Each reports whether it changed anything, so admin
actions can say what they did."""

from django.db import transaction
from django.db.models.functions import Now

from marketplace.library import library_model
from marketplace.permissions import user_can_curate
from marketplace.services.common import require


def set_flag(*, actor, row, field, value):
    """A staff switch (`is_featured`, `is_active`, `is_published` of a template): one conditional
    UPDATE, so the answer says whether this call changed it. Admin only."""
    require(user_can_curate(actor, row))
    changed = (
        type(row)
        .objects.filter(pk=row.pk, **{field: not value})
        .update(**{field: value, "updated_at": Now()})
    )
    setattr(row, field, value)
    return bool(changed)


def item_recount_downloads(*, actor, item):
    """Staff repair of MKT-10: downloads = library rows of users other than the creator.

    The item row is locked first, so a first add racing this waits and then adds its own 1 to
    the recounted value. True when the stored count was wrong.
    """
    require(user_can_curate(actor, item))
    model, field = library_model(item)
    with transaction.atomic():
        stored = (
            type(item)
            .objects.select_for_update(no_key=True)
            .filter(pk=item.pk)
            .values_list("downloads", flat=True)
            .get()
        )
        actual = (
            model.objects.filter(**{field: item}).exclude(user_id=item.created_by_user_id).count()
        )
        if actual != stored:
            # A counter-only change: updated_at stays (DATA_MODEL.md §1.1).
            type(item).objects.filter(pk=item.pk).update(downloads=actual)
    item.downloads = actual
    return actual != stored


def item_set_featured(*, actor, item, featured):
    """`is_featured` of an agent, a base or a workflow template."""
    return set_flag(actor=actor, row=item, field="is_featured", value=featured)


def item_set_active(*, actor, item, active):
    """Delist or relist an agent or a base (`is_active`, §5): a delisted item leaves browsing;
    library rows keep working."""
    return set_flag(actor=actor, row=item, field="is_active", value=active)


def workflow_set_published(*, actor, template, published):
    """Workflow templates are written in admin only; publishing lists them (§5.3)."""
    return set_flag(actor=actor, row=template, field="is_published", value=published)
