"""Projects API routes, under /api/v1/ (docs/spec/API.md §9.2).

Nested routes carry the project as `pid` and every id as a UUID path converter, so a malformed
id is an unrouted 404 before any view runs.
"""

from django.urls import path
from rest_framework.routers import SimpleRouter

from projects.views import canvas, credentials, files, projects, runtime
from projects.views.base import SERVICE_ACTION

NESTED = "projects/<uuid:pid>"

router = SimpleRouter(use_regex_path=False)
router.register("projects", projects.ProjectViewSet, basename="project")
router.register(f"{NESTED}/containers", canvas.ContainerViewSet, basename="project-container")
router.register(
    f"{NESTED}/connections", canvas.ContainerConnectionViewSet, basename="project-connection"
)
router.register(f"{NESTED}/previews", canvas.BrowserPreviewViewSet, basename="project-preview")
router.register(f"{NESTED}/files", files.ProjectFileViewSet, basename="project-file")
router.register(f"{NESTED}/assets", files.ProjectAssetViewSet, basename="project-asset")
router.register(f"{NESTED}/snapshots", runtime.ProjectSnapshotViewSet, basename="project-snapshot")
router.register(f"{NESTED}/deployments", runtime.DeploymentViewSet, basename="project-deployment")
router.register(f"{NESTED}/databases", runtime.ProjectDatabaseViewSet, basename="project-database")
router.register(
    "deployment-credentials",
    credentials.DeploymentCredentialViewSet,
    basename="deployment-credential",
)
router.register(
    "git-credentials", credentials.GitProviderCredentialViewSet, basename="git-credential"
)
router.register("connectors", credentials.ConnectorCredentialViewSet, basename="connector")

urlpatterns = [
    *router.urls,
    path(
        f"{NESTED}/domain/",
        runtime.ProjectDomainViewSet.as_view(
            {"get": "retrieve_domain", "put": "claim", "delete": "release"}
        ),
        name="project-domain",
    ),
    path(
        f"{NESTED}/domain/status/",
        runtime.ProjectDomainViewSet.as_view({"post": "status"}, permission_classes=SERVICE_ACTION),
        name="project-domain-status",
    ),
]
