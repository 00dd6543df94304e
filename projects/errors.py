"""The projects domain's errors with their stable codes (docs/spec/API.md §4, DATA_MODEL.md §3).

Those naming a `constraint` also answer a race that only the database saw (config.exceptions).
"""

from rest_framework import status

from config.exceptions import AlreadyExists, DomainError, InvalidStateTransition


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


class SubdomainTaken(AlreadyExists):
    """PRJ-102: another project holds the subdomain; a race meets the unique constraint."""

    message = "This subdomain is taken."
    constraint = "projects_domain_subdomain_unique"

    def __init__(self, message=None):
        super().__init__(message, fields={"subdomain": [message or self.message]})


class FullDomainTaken(SubdomainTaken):
    """The same clash, met on the other unique key first (they go together)."""

    constraint = "projects_domain_full_domain_unique"


class ConnectorExists(AlreadyExists):
    """PRJ-110: one connector per user, type and account label."""

    message = "You already have a connector of this type with this account label."
    constraint = "projects_connector_unique"

    def __init__(self, message=None):
        super().__init__(message, fields={"account_label": [message or self.message]})


class ConnectorTokenLinked(AlreadyExists):
    """PRJ-111: a token belongs to one connector (its digest is unique)."""

    message = "This token is already linked to a connector."
    constraint = "projects_connector_token_digest_unique"

    def __init__(self, message=None):
        super().__init__(message, fields={"access_token": [message or self.message]})


class DefaultConnectorChanged(DomainError):
    """PRJ-112: two requests made different connectors the default at once; one wins."""

    status = status.HTTP_409_CONFLICT
    code = "already_exists"
    message = "Another connector of this type became the default meanwhile. Try again."
    constraint = "projects_connector_one_default"


class DatabaseExists(AlreadyExists):
    """PRJ-121: one active database per project, provider and name."""

    message = "This project already has an active database of this provider with this name."
    constraint = "projects_database_active_unique"

    def __init__(self, message=None):
        super().__init__(message, fields={"database_name": [message or self.message]})
