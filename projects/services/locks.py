"""The project row lock that serializes a project's state changes."""

from config.exceptions import NotFound
from projects.models import Project


def lock_project(project_id):
    """Locks the project row for this transaction and returns its environment status.

    FOR NO KEY UPDATE: it waits for, and holds off, the project's own transitions, but not
    inserts of child rows.
    """
    status = (
        Project.objects.select_for_update(no_key=True)
        .filter(pk=project_id)
        .values_list("environment_status", flat=True)
        .first()
    )
    if status is None:
        raise NotFound()
    return status
