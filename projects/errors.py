"""The projects domain's errors with their stable codes (docs/spec/API.md §4, DATA_MODEL.md §3).

Those naming a `constraint` also answer a race that only the database saw (config.exceptions).
"""

from rest_framework import status

from config.exceptions import DomainError, InvalidStateTransition


class ProjectNotActive(DomainError):
    status = status.HTTP_409_CONFLICT
    code = "project_not_active"
    message = "Containers start and stop only while the project is active."


class DeploymentInProgress(DomainError):
    status = status.HTTP_409_CONFLICT
    code = "deployment_in_progress"
    message = "A deployment to this provider is already in progress for this project."
    constraint = "projects_deployment_one_in_progress"


class SnapshotAlreadyRestoring(InvalidStateTransition):
    message = "Another snapshot of this project is being restored."
    constraint = "projects_snapshot_one_restoring"


class SnapshotLimitReached(DomainError):
    status = status.HTTP_409_CONFLICT
    code = "snapshot_limit_reached"
    message = (
        "This project has the most snapshots it may keep, and none is ready to be rotated out."
    )


class MissingCredential(DomainError):
    code = "missing_credential"
    message = "Add a deployment credential for this provider first."


class InvalidAsset(DomainError):
    """PRJ-50, PRJ-51: an upload that is too large, not allowed, or not what it claims to be."""

    def __init__(self, message):
        super().__init__(message, fields={"file": [message]})
