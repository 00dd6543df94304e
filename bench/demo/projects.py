"""Demo projects for the run command (`seed_demo`): idempotent, built through the services.

Each demo user gets one project in a different state, so staff clicking through admin see
containers on a canvas, files, an image asset, snapshots, versioned deployments (one live, one
preview failed at build), a domain and credentials.
"""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from bench.demo.accounts import demo_users
from projects import services
from projects.models import (
    ConnectorType,
    ContainerType,
    DeploymentCredential,
    DeploymentMode,
    DeploymentStatus,
    EnvironmentStatus,
    GitProviderCredential,
    Project,
)

DEMO_FILES = {
    "package.json": '{\n  "name": "recipe-box",\n  "scripts": {"dev": "vite"}\n}\n',
    "src/App.tsx": "export default function App() {\n  return <h1>Recipe Box</h1>;\n}\n",
    "README.md": "# Recipe Box\n\nSave and share family recipes.\n",
}


def seed(stdout):
    users = {user.username: user for user in demo_users()}
    builders = {"ada": _recipe_box, "grace": _compiler_playground, "linus": _molecule_viewer}
    created = 0
    for username, build in builders.items():
        owner = users.get(username)
        if owner is not None and not Project.objects.filter(owner=owner).exists():
            build(owner)
            created += 1
    stdout.write(f"Demo projects: {created} created.")


def _png(width, height, colour):
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def _recipe_box(owner):
    """An active full-stack project, deployed to Vercel."""
    project = services.project_create(
        actor=owner,
        owner=owner,
        name="Recipe Box",
        description="A family recipe collection with search and shopping lists.",
        has_git_repo=True,
        git_remote_url="https://github.com/ada-demo/recipe-box",
        architecture_diagram="graph LR\n  frontend --> api --> postgres\n",
        settings={"preview_mode": "split"},
    )
    frontend = services.container_create(
        actor=owner,
        project=project,
        name="frontend",
        directory="packages/frontend",
        internal_port=5173,
        is_primary=True,
        environment_vars={"VITE_API_URL": "http://api:8000"},
    )
    api = services.container_create(
        actor=owner,
        project=project,
        name="api",
        directory="packages/api",
        port=8000,
        position_x=320,
        secrets={"SESSION_SECRET": "demo-session-secret-7f3a"},
    )
    database = services.container_create(
        actor=owner,
        project=project,
        name="postgres",
        container_type=ContainerType.SERVICE,
        service_slug="postgres",
        port=5432,
        position_x=640,
    )
    api.connections_from.create(
        project=project, target_container=database, connector_type=ConnectorType.DATABASE
    )
    frontend.connections_from.create(
        project=project, target_container=api, connector_type=ConnectorType.HTTP_API
    )
    project.browser_previews.create(connected_container=frontend, position_y=240)
    for path, content in DEMO_FILES.items():
        services.file_upsert(actor=owner, project=project, file_path=path, content=content)
    services.asset_upload(
        actor=owner,
        project=project,
        upload=SimpleUploadedFile("logo.png", _png(64, 64, (220, 90, 40)), "image/png"),
        filename="logo.png",
        directory="/public/images",
    )
    services.container_start(actor=owner, container=frontend)
    services.container_report_status(actor=None, container=frontend, status="running")
    DeploymentCredential.objects.create(
        user=owner,
        provider="vercel",
        access_token_encrypted="vercel_demo_token_9c1e",  # noqa: S106 - demo data only
    )
    deployment = services.deployment_create(actor=owner, project=project, provider="vercel")
    services.deployment_report_status(
        actor=None, deployment=deployment, status=DeploymentStatus.DEPLOYING
    )
    services.deployment_report_status(
        actor=None,
        deployment=deployment,
        status=DeploymentStatus.DEPLOYED,
        deployment_url="https://recipe-box-demo.vercel.app",
        provider_deployment_id="dpl_demo_1",
    )
    preview = services.deployment_create(
        actor=owner, project=project, provider="vercel", environment="preview"
    )
    services.deployment_report_status(
        actor=None,
        deployment=preview,
        status=DeploymentStatus.FAILED,
        error="vite build: Cannot find module './RecipeCard'",
        error_phase="build",
    )
    domain, _ = services.domain_claim(actor=owner, project=project, subdomain="recipe-box")
    services.domain_report_status(
        actor=None,
        domain=domain,
        dns_status="active",
        ssl_status="active",
        provider_record_id="rec_demo_recipe_box",
        deployment=deployment,
    )
    services.connector_create(
        actor=owner,
        connector_type="notion",
        account_label="Family recipes wiki",
        access_token="secret_demo_notion_token_3f9a",  # noqa: S106 - demo data only
        metadata={"workspace": "Ada's recipes"},
        enabled_tools=["search", "read_page"],
        status="active",
        is_default=True,
    )
    services.connector_create(
        actor=owner,
        connector_type="composio",
        account_label="Google Drive via Composio",
        access_token="cmp_demo_access_token_77c2",  # noqa: S106 - demo data only
        endpoint_url="https://mcp.composio.dev/demo/recipe-box",
        metadata={"toolkit_slug": "googledrive", "connected_account_id": "ca_demo_1"},
        status="needs_reauth",
    )
    GitProviderCredential.objects.create(
        user=owner,
        provider="github",
        access_token="gho_demo_access_token_51b2",  # noqa: S106 - demo data only
        refresh_token="ghr_demo_refresh_token_a7d4",  # noqa: S106 - demo data only
        scope="repo read:user",
        provider_username="ada-demo",
    )


def _compiler_playground(owner):
    """A hibernated project with a hibernation snapshot and a manual one."""
    project = services.project_create(
        actor=owner, owner=owner, name="Compiler Playground", description="A tiny COBOL REPL."
    )
    services.container_create(actor=owner, project=project, name="repl", is_primary=True)
    services.file_upsert(
        actor=owner,
        project=project,
        file_path="src/main.cob",
        content='       DISPLAY "HELLO, WORLD".\n',
    )
    services.snapshot_create(actor=owner, project=project, label="Before the parser rewrite")
    services.project_environment_transition(
        project=project, to=EnvironmentStatus.STOPPING, actor=owner
    )
    services.project_environment_transition(
        project=project,
        to=EnvironmentStatus.HIBERNATED,
        actor=None,
        archive_size_bytes=48_000_000,
        snapshot={"snapshot_name": "snap-compiler-playground-1", "size_bytes": 48_000_000},
    )


def _molecule_viewer(owner):
    """An active project with an external Supabase service."""
    project = services.project_create(
        actor=owner, owner=owner, name="Molecule Viewer", description="3D viewer for proteins."
    )
    viewer = services.container_create(actor=owner, project=project, name="viewer", port=3000)
    supabase = services.container_create(
        actor=owner,
        project=project,
        name="supabase",
        container_type=ContainerType.SERVICE,
        service_slug="supabase",
        deployment_mode=DeploymentMode.EXTERNAL,
        external_endpoint="https://molecule-demo.supabase.co",
        position_x=320,
    )
    viewer.connections_from.create(
        project=project,
        target_container=supabase,
        config={"env": {"SUPABASE_URL": "https://molecule-demo.supabase.co"}},
    )
    services.database_create(
        actor=None,
        project=project,
        provider="supabase",
        container=supabase,
        database_name="postgres",
        role_name="authenticator",
        host="db.molecule-demo.supabase.co",
        connection_string=(
            "postgresql://authenticator:demo-db-pass-51c0@db.molecule-demo.supabase.co/postgres"
        ),
        metadata={"project_ref": "molecule-demo"},
    )
