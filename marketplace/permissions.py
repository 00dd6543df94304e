"""Who may do what in the marketplace: predicates shared by the API, services and admin.

The API gives staff no extra rights (DESIGN.md roles): there, creators write their items and
authors their reviews. Staff curate in admin, where the same services accept a member holding
the model's change (or delete) permission.
"""

from django.utils import timezone
from rest_framework.permissions import BasePermission

from marketplace.library import library_row


def user_is_creator(user, item):
    """MKT-4: the item's creator; platform items (no creator) have none in the API."""
    return user.is_authenticated and item.created_by_user_id == user.pk


def user_can_curate(user, item, action="change"):
    """Staff holding the model permission for `action` (`change` or `delete`), in admin."""
    opts = item._meta
    return user.is_authenticated and user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}")


def user_can_edit_item(user, item):
    """MKT-4, MKT-6, MKT-15: the creator, or staff in admin."""
    return user_is_creator(user, item) or user_can_curate(user, item)


def user_can_delete_item(user, item):
    """MKT-8, MKT-17: the creator, or staff with the delete permission in admin."""
    return user_is_creator(user, item) or user_can_curate(user, item, "delete")


def user_has_access(user, item):
    """The user's library row grants use now (§5.4 `has_access`); one query."""
    if not user.is_authenticated:
        return False
    row = library_row(user=user, item=item)
    return row is not None and row.has_access(timezone.now())


def user_can_read_prompt(user, agent):
    """API.md §9.4: `system_prompt` and `tool_configs` are what a buyer pays for, so only the
    creator and callers with access read them. `has_access` is the list query's annotation."""
    return user_is_creator(user, agent) or bool(getattr(agent, "has_access", False))


def user_owns_skill(user, skill):
    """MKT-62: a user's own skill; a built-in (no owner) is nobody's in the API."""
    return user.is_authenticated and skill.owner_id is not None and skill.owner_id == user.pk


def user_can_switch_skill(user):
    """MKT-62: curators (the `change_skill` permission) enable or disable any skill in admin."""
    return user.is_authenticated and user.has_perm("marketplace.change_skill")


def user_is_author(user, review):
    return user.is_authenticated and review.user_id == user.pk


class IsCreator(BasePermission):
    """Object level, so an item the caller cannot see is a 404 before this 403 (API.md §3)."""

    def has_object_permission(self, request, view, obj):
        return user_is_creator(request.user, obj)


class IsAuthor(BasePermission):
    """Object level, so a review the caller cannot see is a 404 before this 403."""

    def has_object_permission(self, request, view, obj):
        return user_is_author(request.user, obj)
