"""The marketplace's domain errors with their stable codes (docs/spec/API.md §4,
DATA_MODEL.md §5)."""

from rest_framework import status

from config.exceptions import AlreadyExists, DomainError


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


class SkillExists(AlreadyExists):
    """MKT-61: a user's skill names are unique (built-ins apart); a race meets the constraint."""

    message = "You already have a skill with this name."
    constraint = "marketplace_skill_unique"

    def __init__(self, message=None):
        super().__init__(message, fields={"name": [message or self.message]})
