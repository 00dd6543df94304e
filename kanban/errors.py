"""The kanban domain's errors with their stable codes (DATA_MODEL.md §7)."""

from rest_framework import status as http

from config.exceptions import DomainError


class InvalidInput(DomainError):
    """A rule that needs the database to decide, broken by the input (400, per field)."""


class WipLimitReached(DomainError):
    status = http.HTTP_409_CONFLICT
    code = "wip_limit_reached"
    message = "This column already holds as many tasks as its limit allows."


class ColumnNotEmpty(DomainError):
    status = http.HTTP_409_CONFLICT
    code = "column_not_empty"
    message = "Move or delete this column's tasks before deleting it."
