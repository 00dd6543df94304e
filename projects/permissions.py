"""Who may do what to a project (docs/spec/API.md §3, §9.2), for the API, the services and admin.

Ownership is not a permission class: querysets are scoped to the caller's projects, so another
user's project is a 404 before any permission runs. The services still check their actor
(docs/roles.md, "Who checks the actor"): the owner through the API, staff holding the model's
admin permission, the agent runtime where it reports state.
"""

from rest_framework.permissions import BasePermission

REPORT_RUNTIME_STATE = "projects.report_runtime_state"
RELEASE_DOMAIN = "projects.release_domain"


def _holds(user, permission):
    return user.is_authenticated and user.has_perm(permission)


def user_owns_project(user, owner_id):
    """The project's owner: the one user the API lets work on it and everything under it."""
    return user.is_authenticated and owner_id == user.pk


def user_owns_connector(user, connector):
    """A connector is its user's alone: no staff permission reaches it through a service."""
    return user.is_authenticated and connector.user_id == user.pk


def user_can_report_runtime_state(user):
    """The agent runtime's role: report state for, and touch, any project (ACC-9)."""
    return _holds(user, REPORT_RUNTIME_STATE)


def user_can_work_on(user, project, permission):
    """The owner, or staff holding `permission` (the admin's permission for the row at hand)."""
    return user_owns_project(user, project.owner_id) or _holds(user, permission)


def user_can_run_project(user, project, permission="projects.change_project"):
    """Starting, stopping and touching a project: its owner, staff, or the runtime reporting."""
    return user_can_work_on(user, project, permission) or user_can_report_runtime_state(user)


class CanReportRuntimeState(BasePermission):
    """Object-level, so a caller who cannot see the project gets 404 before this 403."""

    def has_object_permission(self, request, view, obj):
        return user_can_report_runtime_state(request.user)
