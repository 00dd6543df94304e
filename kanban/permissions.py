"""Who may do what on a board: predicates shared by the API, the services and admin.

In the API every kanban row is the project owner's alone (API.md §3, "owner"), and the views
reach rows only through `visible_to(user)`, so another user's row is a 404 before any check
here runs. The services check again, because admin calls them too: there, staff act on any
board with the model permission Django admin already asked for.
"""

from rest_framework.permissions import BasePermission

from projects.permissions import user_owns_project

CHANGE_BOARD = "kanban.change_kanbanboard"
ADD_TASK = "kanban.add_kanbantask"
CHANGE_TASK = "kanban.change_kanbantask"
DELETE_TASK = "kanban.delete_kanbantask"


def user_can_write_board(user, *, owner_id, permission):
    """The owner, or staff in admin holding `permission` (a model permission name)."""
    return user_owns_project(user, owner_id) or (
        user.is_authenticated and user.is_staff and user.has_perm(permission)
    )


def user_is_comment_author(user, comment):
    """KAN-13: only the author edits or deletes a comment."""
    return user.is_authenticated and comment.user_id == user.pk


class IsCommentAuthor(BasePermission):
    """Object level, so a comment the caller cannot see is a 404 before this 403 (API.md §3)."""

    def has_object_permission(self, request, view, obj):
        return user_is_comment_author(request.user, obj)
