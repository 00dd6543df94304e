"""Every write of the projects domain that carries a rule (DATA_MODEL.md §3, PRJ-*).

Each service takes keyword-only arguments and the `actor` (a user, or None for the scheduled
jobs), runs in one transaction, and raises domain errors with the spec's codes. API views and
admin actions call the same functions. State changes are one conditional UPDATE whose WHERE
names the allowed source states (DATA_MODEL.md §1.7): zero rows means the transition is not
allowed, and nothing changed.
"""

from projects.services.connectors import connector_create, connector_delete, connector_update
from projects.services.containers import (
    CONTAINER_FIELDS,
    connection_create,
    container_create,
    container_report_status,
    container_start,
    container_stop,
    container_update,
)
from projects.services.databases import database_create, database_delete
from projects.services.deployments import deployment_create, deployment_report_status
from projects.services.domains import domain_claim, domain_release, domain_report_status
from projects.services.files import asset_upload, file_create, file_update, file_upsert
from projects.services.projects import (
    UNDELETABLE_STATES,
    project_create,
    project_delete,
    project_environment_transition,
    project_touch,
    projects_fail_stuck,
    projects_hibernate_idle,
)
from projects.services.snapshots import (
    snapshot_create,
    snapshot_delete,
    snapshot_report_status,
    snapshot_restore,
    snapshots_purge_deleted,
)

__all__ = [
    "CONTAINER_FIELDS",
    "UNDELETABLE_STATES",
    "asset_upload",
    "connection_create",
    "connector_create",
    "connector_delete",
    "connector_update",
    "container_create",
    "container_report_status",
    "container_start",
    "container_stop",
    "container_update",
    "database_create",
    "database_delete",
    "deployment_create",
    "deployment_report_status",
    "domain_claim",
    "domain_release",
    "domain_report_status",
    "file_create",
    "file_update",
    "file_upsert",
    "project_create",
    "project_delete",
    "project_environment_transition",
    "project_touch",
    "projects_fail_stuck",
    "projects_hibernate_idle",
    "snapshot_create",
    "snapshot_delete",
    "snapshot_report_status",
    "snapshot_restore",
    "snapshots_purge_deleted",
]
