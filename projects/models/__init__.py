"""Projects and everything that runs in them (DATA_MODEL.md §3).

Lifecycle columns (environment, container, snapshot and deployment status) change only through
`projects.services`; the models hold the fields, the database constraints and the properties.
"""

from projects.models.canvas import (
    BrowserPreview,
    ConnectorType,
    Container,
    ContainerConnection,
    ContainerStatus,
    ContainerType,
    DeploymentMode,
)
from projects.models.credentials import (
    ConnectorCredential,
    ConnectorKind,
    ConnectorStatus,
    CredentialProvider,
    DeploymentCredential,
    GitProvider,
    GitProviderCredential,
)
from projects.models.databases import DatabaseProvider, ProjectDatabase
from projects.models.files import AssetFileType, ProjectAsset, ProjectFile
from projects.models.project import DIAGRAM_MAX_BYTES, EnvironmentStatus, Project
from projects.models.runtime import (
    DEPLOYMENT_COMPLETED,
    DEPLOYMENT_IN_PROGRESS,
    SUBDOMAIN_RE,
    Deployment,
    DeploymentEnvironment,
    DeploymentErrorPhase,
    DeploymentProvider,
    DeploymentStatus,
    DomainStatus,
    ProjectDomain,
    ProjectSnapshot,
    SnapshotStatus,
    SnapshotType,
)

__all__ = [
    "DEPLOYMENT_COMPLETED",
    "DEPLOYMENT_IN_PROGRESS",
    "DIAGRAM_MAX_BYTES",
    "SUBDOMAIN_RE",
    "AssetFileType",
    "BrowserPreview",
    "ConnectorCredential",
    "ConnectorKind",
    "ConnectorStatus",
    "ConnectorType",
    "Container",
    "ContainerConnection",
    "ContainerStatus",
    "ContainerType",
    "CredentialProvider",
    "DatabaseProvider",
    "Deployment",
    "DeploymentCredential",
    "DeploymentEnvironment",
    "DeploymentErrorPhase",
    "DeploymentMode",
    "DeploymentProvider",
    "DeploymentStatus",
    "DomainStatus",
    "EnvironmentStatus",
    "GitProvider",
    "GitProviderCredential",
    "Project",
    "ProjectAsset",
    "ProjectDatabase",
    "ProjectDomain",
    "ProjectFile",
    "ProjectSnapshot",
    "SnapshotStatus",
    "SnapshotType",
]
