"""The marketplace's domain errors with their stable codes (spec/API.md §4,
DATA_MODEL.md §5)."""

from rest_framework import status

from config.exceptions import DomainError


class NotAllowed(DomainError):
    """The caller may see the item but not do this (MKT-4, MKT-6, MKT-7, MKT-8)."""

    status = status.HTTP_403_FORBIDDEN
    code = "permission_denied"
    message = "You do not have permission to perform this action."


class ItemNotFound(DomainError):
    status = status.HTTP_404_NOT_FOUND
    code = "not_found"
    message = "Not found."


class PurchaseRequired(DomainError):
    status = status.HTTP_403_FORBIDDEN
    code = "purchase_required"
    message = "Add this item to your library first."


class OwnItem(DomainError):
    status = status.HTTP_403_FORBIDDEN
    code = "own_item"
    message = "You cannot review your own item."


class AgentInUse(DomainError):
    status = status.HTTP_409_CONFLICT
    code = "agent_in_use"
    message = "Other users have this agent in their library; unpublish it instead."


class BaseInUse(DomainError):
    status = status.HTTP_409_CONFLICT
    code = "base_in_use"
    message = "Other users have this base in their library; make it private instead."


class AgentNotInLibrary(DomainError):
    code = "agent_not_in_library"
    message = "The project owner has no access to this agent; add it to the library first."
