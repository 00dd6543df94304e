"""Who may do what to a project (docs/spec/API.md §3, §9.2), for the API, the services and admin.

Ownership is not a permission class: querysets are scoped to the caller's projects, so another
user's project is a 404 before any permission runs. What remains is the service role.
"""

from rest_framework.permissions import BasePermission

REPORT_RUNTIME_STATE = "projects.report_runtime_state"


def user_can_report_runtime_state(user):
    """The agent runtime's role: report state for, and touch, any project (ACC-9)."""
    return user.is_authenticated and user.has_perm(REPORT_RUNTIME_STATE)


class CanReportRuntimeState(BasePermission):
    """Object-level, so a caller who cannot see the project gets 404 before this 403."""

    def has_object_permission(self, request, view, obj):
        return user_can_report_runtime_state(request.user)
