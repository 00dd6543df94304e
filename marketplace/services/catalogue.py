"""Agents and bases: create, edit, publish, fork and delete (MKT-2…8, MKT-15, MKT-17).

Each service checks the caller's right itself (creator in the API, staff in admin), so the API
and admin cannot drift apart, and runs in one transaction.
"""

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce, Now

from config.exceptions import NotFound
from marketplace.errors import AgentInUse, BaseInUse, PurchaseRequired
from marketplace.library import library_add, library_model
from marketplace.models import (
    AgentPricingType,
    BaseVisibility,
    MarketplaceAgent,
    MarketplaceBase,
    PurchaseType,
)
from marketplace.permissions import (
    user_can_curate,
    user_can_delete_item,
    user_can_edit_item,
    user_has_access,
    user_is_creator,
)
from marketplace.services.common import check_fields, insert_with_slug, require

AGENT_FIELDS = frozenset(
    {
        "name",
        "description",
        "long_description",
        "category",
        "icon",
        "system_prompt",
        "tools",
        "tool_configs",
        "model",
        "tags",
        "pricing_type",
        "price",
        "api_pricing_input",
        "api_pricing_output",
        "is_forkable",
    }
)
BASE_FIELDS = frozenset(
    {
        "name",
        "description",
        "long_description",
        "git_repo_url",
        "default_branch",
        "category",
        "tech_stack",
        "tags",
        "icon",
        "pricing_type",
        "price",
        "visibility",
    }
)
# What MKT-7 copies from the parent.
FORK_COPIED_FIELDS = (
    "long_description",
    "description",
    "category",
    "icon",
    "system_prompt",
    "tools",
    "tool_configs",
    "model",
    "tags",
)
FORK_SUFFIX = " (fork)"
NAME_MAX_LENGTH = 100


def _require_create(actor, model, creator):
    """Users create their own items; staff in admin may create platform items (no creator)
    or items on a user's behalf."""
    own = creator is not None and actor.is_authenticated and creator.pk == actor.pk
    require(own or user_can_curate(actor, model, "add"))


def _create(model, *, actor, creator, slug, fields, fallback):
    _require_create(actor, model, creator)
    item = model(created_by_user=creator, slug=slug, **fields)
    with transaction.atomic():
        insert_with_slug(item, fallback=fallback)
        if creator is not None:
            # MKT-3, MKT-15: the creator's own row, never a download (MKT-10).
            library_add(user=creator, item=item, purchase_type=PurchaseType.FREE)
    return item


def _update(item, *, actor, changes, allowed):
    """MKT-4: the creator's edit, or staff's in admin (who may also change the slug, MKT-2)."""
    require(user_can_edit_item(actor, item))
    writable = allowed | {"slug"} if user_can_curate(actor, item) else allowed
    check_fields(changes, writable)
    if not changes:
        return item
    with transaction.atomic():
        type(item).objects.filter(pk=item.pk).update(**changes, updated_at=Now())
    for field, value in changes.items():
        setattr(item, field, value)
    return item


def _delete(item, *, actor, in_use):
    """MKT-8, MKT-17: refused while another user has a library row (any state); otherwise the
    creator's own row goes first, and the cascade takes reviews, co-installs and assignments.

    FOR UPDATE on the item: a concurrent first add must take a key-share lock on it for its
    foreign key, so it waits until this delete has decided, and then finds no item.
    """
    require(user_can_delete_item(actor, item))
    model, field = library_model(item)
    with transaction.atomic():
        if not type(item).objects.select_for_update().filter(pk=item.pk).exists():
            raise NotFound()
        rows = model.objects.filter(**{field: item})
        if rows.exclude(user_id=item.created_by_user_id).exists():
            raise in_use()
        rows.delete()
        item.delete()


# Agents


def agent_create(*, actor, creator, slug="", **fields):
    """MKT-3: unpublished, not featured, no downloads, no rating (the model's defaults), with
    the pricing the caller chose, and in the creator's library."""
    check_fields(fields, AGENT_FIELDS)
    return _create(
        MarketplaceAgent, actor=actor, creator=creator, slug=slug, fields=fields, fallback="agent"
    )


def agent_update(*, actor, agent, changes):
    """MKT-4, MKT-5: library rows are untouched, so a pricing change never takes access away."""
    return _update(agent, actor=actor, changes=changes, allowed=AGENT_FIELDS)


def agent_publish(*, actor, agent):
    """MKT-6: sets `published_at` the first time only. True when this call published it."""
    require(user_can_edit_item(actor, agent))
    changed = MarketplaceAgent.objects.filter(pk=agent.pk, is_published=False).update(
        is_published=True, published_at=Coalesce(F("published_at"), Now()), updated_at=Now()
    )
    return bool(changed)


def agent_unpublish(*, actor, agent):
    """MKT-6: hidden from browsing; library rows keep working. True when this call changed it."""
    require(user_can_edit_item(actor, agent))
    changed = MarketplaceAgent.objects.filter(pk=agent.pk, is_published=True).update(
        is_published=False, updated_at=Now()
    )
    return bool(changed)


def fork_name(parent_name):
    return f"{parent_name[: NAME_MAX_LENGTH - len(FORK_SUFFIX)]}{FORK_SUFFIX}"


def agent_fork(*, actor, parent, name=None):
    """MKT-7: a free, unpublished, unforkable copy owned by the caller, in their library.

    The fork copies the prompt a buyer pays for, so a paid parent also needs the caller's
    access (403 `purchase_required`); a free one is anyone's to add anyway.
    """
    if not MarketplaceAgent.objects.visible_to(actor).filter(pk=parent.pk).exists():
        raise NotFound()
    require(parent.is_forkable, "This agent cannot be forked.")
    paid = parent.pricing_type != AgentPricingType.FREE
    if paid and not user_is_creator(actor, parent) and not user_has_access(actor, parent):
        raise PurchaseRequired("Add this agent to your library before forking it.")
    copied = {field: getattr(parent, field) for field in FORK_COPIED_FIELDS}
    fork = MarketplaceAgent(
        name=name or fork_name(parent.name),
        parent_agent=parent,
        created_by_user=actor,
        **copied,
    )
    with transaction.atomic():
        insert_with_slug(fork, fallback="agent")
        # The forker is the fork's creator: no download, of the fork or of the parent.
        library_add(user=actor, item=fork, purchase_type=PurchaseType.FREE)
    return fork


def agent_delete(*, actor, agent):
    _delete(agent, actor=actor, in_use=AgentInUse)


# Bases


def base_submit(*, actor, creator, slug="", visibility=BaseVisibility.PRIVATE, **fields):
    """MKT-15: a user's base starts private, in their library. Staff seed platform bases in
    admin (no creator), usually public: only they choose `visibility` here."""
    check_fields(fields, BASE_FIELDS - {"visibility"})
    staff = user_can_curate(actor, MarketplaceBase, "add")
    fields["visibility"] = visibility if staff else BaseVisibility.PRIVATE
    return _create(
        MarketplaceBase, actor=actor, creator=creator, slug=slug, fields=fields, fallback="base"
    )


def base_update(*, actor, base, changes):
    """MKT-15, MKT-4: the creator edits the base and switches it between private and public."""
    return _update(base, actor=actor, changes=changes, allowed=BASE_FIELDS)


def base_delete(*, actor, base):
    """MKT-17: containers built from the base keep working, with `base` set to NULL."""
    _delete(base, actor=actor, in_use=BaseInUse)
