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
    CredentialProvider,
    DeploymentCredential,
    GitProvider,
    GitProviderCredential,
)
from projects.models.files import AssetFileType, ProjectAsset, ProjectFile
from projects.models.project import DIAGRAM_MAX_BYTES, EnvironmentStatus, Project
from projects.models.runtime import (
    DEPLOYMENT_COMPLETED,
    DEPLOYMENT_IN_PROGRESS,
    Deployment,
    DeploymentProvider,
    DeploymentStatus,
    ProjectSnapshot,
    SnapshotStatus,
    SnapshotType,
)

__all__ = [
    "DEPLOYMENT_COMPLETED",
    "DEPLOYMENT_IN_PROGRESS",
    "DIAGRAM_MAX_BYTES",
    "AssetFileType",
    "BrowserPreview",
    "ConnectorType",
    "Container",
    "ContainerConnection",
    "ContainerStatus",
    "ContainerType",
    "CredentialProvider",
    "Deployment",
    "DeploymentCredential",
    "DeploymentMode",
    "DeploymentProvider",
    "DeploymentStatus",
    "EnvironmentStatus",
    "GitProvider",
    "GitProviderCredential",
    "Project",
    "ProjectAsset",
    "ProjectFile",
    "ProjectSnapshot",
    "SnapshotStatus",
    "SnapshotType",
]
