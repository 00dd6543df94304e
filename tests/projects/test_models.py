"""DATA_MODEL.md §3: fields, properties, generated names and the database constraints."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from psycopg import errors as pg_errors

from projects.models import (
    BrowserPreview,
    Container,
    ContainerConnection,
    Deployment,
    DeploymentCredential,
    GitProviderCredential,
    Project,
    ProjectAsset,
    ProjectFile,
    ProjectSnapshot,
)
from projects.models import project as project_module
from projects.models.common import slug_base
from projects.validators import (
    validate_absolute_directory,
    validate_preview_path,
    validate_relative_path,
)
from tests.projects.factories import (
    BrowserPreviewFactory,
    ContainerConnectionFactory,
    ContainerFactory,
    DeploymentCredentialFactory,
    DeploymentFactory,
    GitProviderCredentialFactory,
    ProjectAssetFactory,
    ProjectFactory,
    ProjectFileFactory,
    ProjectSnapshotFactory,
)

pytestmark = pytest.mark.django_db

SLUG = re.compile(r"^(?P<base>[a-z0-9-]+)-[0-9a-z]{6}$")


# --- PRJ-1 slugs and generated names ---------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "base"),
    [
        ("My App!", "my-app"),
        ("  --Hello   World--  ", "hello-world"),
        ("Ünïcode only ÄÖÜ", "ncode-only"),
        ("ÄÖÜ", "project"),
        ("a - b -- c", "a-b-c"),
        ("x" * 49 + " yz", "x" * 49),
        ("y" * 100, "y" * 50),
    ],
)
def test_prj_1_slug_is_the_cleaned_name_with_a_random_suffix(user, name, base):
    project = ProjectFactory(owner=user, name=name)
    match = SLUG.match(project.slug)
    assert match is not None, project.slug
    assert match["base"] == base
    assert slug_base(name) == base


def test_prj_1_renaming_keeps_the_slug_and_network_name(project):
    slug, network = project.slug, project.network_name
    project.name = "Something else entirely"
    project.save()
    project.refresh_from_db()
    assert (project.slug, project.network_name) == (slug, network)


def test_prj_1_a_clash_is_retried_with_another_suffix(user, monkeypatch):
    taken = ProjectFactory(owner=user, name="Clash")
    suffixes = iter([taken.slug.rsplit("-", 1)[1], "second"])
    monkeypatch.setattr(project_module, "random_suffix", lambda length=6: next(suffixes))
    project = ProjectFactory(owner=user, name="Clash")
    assert project.slug == "clash-second"


def test_prj_1_network_name_uses_the_configured_prefix(user, settings):
    settings.PROJECT_NETWORK_PREFIX = "studio-"
    project = ProjectFactory(owner=user)
    assert project.network_name == f"studio-{project.slug}"


def test_container_name_is_project_slug_and_name_with_a_suffix_only_on_a_clash(project):
    first = ContainerFactory(project=project, name="web")
    assert first.container_name == f"{project.slug}-web"
    other = ProjectFactory(owner=project.owner)
    Container.objects.filter(pk=first.pk).update(container_name=f"{other.slug}-web")
    clash = ContainerFactory(project=other, name="web")
    assert re.fullmatch(rf"{other.slug}-web-[0-9a-z]{{6}}", clash.container_name)


def test_container_name_is_cut_to_63_characters(user):
    project = ProjectFactory(owner=user, name="n" * 60)
    container = ContainerFactory(project=project, name="c" * 60)
    assert len(container.container_name) <= 63
    assert container.container_name.startswith(project.slug)


# --- Properties ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("container_type", "internal_port", "port", "expected"),
    [
        ("base", 5173, 8000, 5173),
        ("base", None, 8000, 8000),
        ("base", None, None, 3000),
        ("service", None, 6379, 6379),
        ("service", None, None, None),
    ],
)
def test_prj_20_effective_port(container_type, internal_port, port, expected):
    container = Container(container_type=container_type, internal_port=internal_port, port=port)
    assert container.effective_port == expected


def test_secret_names_are_sorted_keys():
    container = Container(encrypted_secrets={"ZED": "1", "ALPHA": "2"})
    assert container.secret_names == ["ALPHA", "ZED"]


def test_every_model_has_a_readable_str(project):
    rows = [
        project,
        ContainerFactory(project=project, name="api"),
        ContainerConnectionFactory(project=project),
        BrowserPreviewFactory(project=project),
        ProjectFileFactory(project=project, file_path="src/a.ts"),
        ProjectAssetFactory(project=project, filename="a.txt"),
        ProjectSnapshotFactory(project=project, label="Before"),
        DeploymentFactory(project=project),
        DeploymentCredentialFactory(user=project.owner),
        GitProviderCredentialFactory(user=project.owner, provider_username="octo"),
    ]
    texts = [str(row) for row in rows]
    assert texts[0] == f"{project.name} ({project.slug})"
    assert texts[1].endswith("-api")
    assert texts[4] == "src/a.ts"
    assert texts[5] == "/public/a.txt"
    assert texts[6] == "Before"
    assert texts[-1] == "github: octo"
    assert all(texts)


def test_secret_last4_follows_the_token():
    credential = DeploymentCredentialFactory(access_token_encrypted="abcdefgh1234")
    assert credential.access_token_encrypted_last4 == "1234"
    git = GitProviderCredentialFactory(refresh_token=None)
    assert git.refresh_token_last4 == ""


# --- Constraints -----------------------------------------------------------------------------


def violated_constraint(model, pk, **changes):
    """The name of the constraint PostgreSQL names when `changes` are written to the row."""
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        model.objects.filter(pk=pk).update(**changes)
    return caught.value.__cause__.diag.constraint_name


CHECKS = [
    (ProjectFactory, {"environment_status": "paused"}, "projects_project_environment_status_valid"),
    (
        ProjectFactory,
        {"environment_status": "hibernated", "hibernated_at": None},
        "projects_project_hibernated_has_time",
    ),
    (ProjectFactory, {"s3_archive_size_bytes": -1}, "projects_project_archive_size_non_negative"),
    (ProjectFactory, {"name": "   "}, "projects_project_name_not_blank"),
    (ProjectFactory, {"description": "d" * 10_001}, "projects_project_description_length"),
    (ProjectFactory, {"architecture_diagram": "é" * 60_000}, "projects_project_diagram_size"),
    (ContainerFactory, {"container_type": "vm"}, "projects_container_container_type_valid"),
    (ContainerFactory, {"deployment_mode": "cloud"}, "projects_container_deployment_mode_valid"),
    (ContainerFactory, {"status": "paused"}, "projects_container_status_valid"),
    (ContainerFactory, {"port": 70000}, "projects_container_ports_in_range"),
    (ContainerFactory, {"internal_port": 0}, "projects_container_ports_in_range"),
    (ContainerFactory, {"container_type": "service"}, "projects_container_service_has_slug"),
    (
        ContainerFactory,
        {"deployment_mode": "external", "status": "connected"},
        "projects_container_external_has_endpoint",
    ),
    (ContainerFactory, {"status": "connected"}, "projects_container_connected_iff_external"),
    (ContainerFactory, {"name": "Bad_Name"}, "projects_container_name_valid"),
    (ContainerFactory, {"directory": "../up"}, "projects_container_directory_valid"),
    (
        ContainerConnectionFactory,
        {"connector_type": "carrier_pigeon"},
        "projects_connection_connector_type_valid",
    ),
    (
        BrowserPreviewFactory,
        {"current_path": "//evil.example"},
        "projects_preview_current_path_valid",
    ),
    (ProjectFileFactory, {"version": 0}, "projects_file_version_positive"),
    (ProjectFileFactory, {"file_path": "/etc/passwd"}, "projects_file_path_valid"),
    (ProjectFileFactory, {"file_path": "a/../b"}, "projects_file_path_valid"),
    (ProjectFileFactory, {"size_bytes": 1}, "projects_file_size_matches_content"),
    (ProjectAssetFactory, {"file_type": "binary"}, "projects_asset_file_type_valid"),
    (ProjectAssetFactory, {"file_size": -1}, "projects_asset_size_non_negative"),
    (ProjectAssetFactory, {"width": 10, "height": 10}, "projects_asset_dimensions_only_images"),
    (ProjectAssetFactory, {"directory": "public"}, "projects_asset_directory_valid"),
    (ProjectAssetFactory, {"filename": "a/b.txt"}, "projects_asset_filename_valid"),
    (ProjectSnapshotFactory, {"snapshot_type": "auto"}, "projects_snapshot_snapshot_type_valid"),
    (ProjectSnapshotFactory, {"status": "lost"}, "projects_snapshot_status_valid"),
    (ProjectSnapshotFactory, {"size_bytes": -5}, "projects_snapshot_size_non_negative"),
    (ProjectSnapshotFactory, {"status": "ready"}, "projects_snapshot_ready_has_time"),
    (DeploymentFactory, {"provider": "heroku"}, "projects_deployment_provider_valid"),
    (DeploymentFactory, {"status": "queued"}, "projects_deployment_status_valid"),
    (
        DeploymentFactory,
        {"status": "failed", "completed_at": timezone.now()},
        "projects_deployment_failed_has_error",
    ),
    (
        DeploymentFactory,
        {"status": "deployed", "completed_at": timezone.now()},
        "projects_deployment_deployed_has_url",
    ),
    (
        DeploymentFactory,
        {"completed_at": timezone.now()},
        "projects_deployment_completed_has_time",
    ),
    (DeploymentCredentialFactory, {"provider": "heroku"}, "projects_deploycred_provider_valid"),
    (GitProviderCredentialFactory, {"provider": "gitea"}, "projects_gitcred_provider_valid"),
]


@pytest.mark.parametrize(("factory", "changes", "constraint"), CHECKS)
def test_database_refuses_what_the_rules_refuse(factory, changes, constraint):
    row = factory()
    assert violated_constraint(row._meta.model, row.pk, **changes) == constraint


def test_deployment_completed_needs_its_time():
    deployment = DeploymentFactory()
    name = violated_constraint(
        Deployment, deployment.pk, status="failed", error="boom", completed_at=None
    )
    assert name == "projects_deployment_completed_has_time"


UNIQUES = [
    (
        lambda p: ContainerFactory(project=p, name="web"),
        lambda p: ContainerFactory(project=p, name="web"),
        "projects_container_name_unique",
    ),
    (
        lambda p: ContainerFactory(project=p, is_primary=True),
        lambda p: ContainerFactory(project=p, is_primary=True),
        "projects_container_one_primary",
    ),
    (
        lambda p: ProjectFileFactory(project=p, file_path="a.ts"),
        lambda p: ProjectFileFactory(project=p, file_path="a.ts"),
        "projects_file_path_unique",
    ),
    (
        lambda p: ProjectAssetFactory(project=p, filename="a.txt"),
        lambda p: ProjectAssetFactory(project=p, filename="a.txt"),
        "projects_asset_path_unique",
    ),
    (
        lambda p: ProjectSnapshotFactory(project=p, restoring=True),
        lambda p: ProjectSnapshotFactory(project=p, restoring=True),
        "projects_snapshot_one_restoring",
    ),
    (
        lambda p: DeploymentFactory(project=p),
        lambda p: DeploymentFactory(project=p, deploying=True),
        "projects_deployment_one_in_progress",
    ),
    (
        lambda p: DeploymentCredentialFactory(user=p.owner),
        lambda p: DeploymentCredentialFactory(user=p.owner),
        "projects_deploycred_unique",
    ),
    (
        lambda p: GitProviderCredentialFactory(user=p.owner),
        lambda p: GitProviderCredentialFactory(user=p.owner),
        "projects_gitcred_one_per_provider",
    ),
]


@pytest.mark.parametrize(("first", "second", "constraint"), UNIQUES)
def test_database_refuses_a_second_row_where_one_is_the_rule(project, first, second, constraint):
    first(project)
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        second(project)
    assert isinstance(caught.value.__cause__, pg_errors.UniqueViolation)
    assert caught.value.__cause__.diag.constraint_name == constraint


def test_connection_may_not_join_a_container_to_itself(project):
    container = ContainerFactory(project=project)
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        ContainerConnection.objects.create(
            project=project, source_container=container, target_container=container
        )
    assert caught.value.__cause__.diag.constraint_name == "projects_connection_not_self"


def test_connection_unique_per_pair_and_type(project):
    connection_ = ContainerConnectionFactory(project=project)
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        ContainerConnectionFactory(
            project=project,
            source_container=connection_.source_container,
            target_container=connection_.target_container,
        )
    assert caught.value.__cause__.diag.constraint_name == "projects_connection_unique"
    ContainerConnectionFactory(
        project=project,
        source_container=connection_.source_container,
        target_container=connection_.target_container,
        connector_type="depends_on",
    )


def test_prj_80_one_default_and_one_per_project_per_provider(project):
    """`nulls_distinct=False`: the default credential (project NULL) is unique too."""
    DeploymentCredentialFactory(user=project.owner, project=None)
    DeploymentCredentialFactory(user=project.owner, project=project)
    DeploymentCredentialFactory(user=project.owner, project=None, provider="netlify")
    assert DeploymentCredential.objects.filter(user=project.owner).count() == 3


# --- Path rules: the Python validators and their database twins agree -----------------------

PATHS = [
    ("src/App.tsx", True),
    ("a", True),
    ("deep/er/path with spaces/file.name.md", True),
    ("...hidden/x", True),
    ("", False),
    ("/abs", False),
    ("trailing/", False),
    ("a//b", False),
    ("./a", False),
    ("a/./b", False),
    ("a/..", False),
    ("..", False),
    ("back\\slash", False),
    ("tab\there", False),
    ("bell\x07", False),
    ("c1\x85control", False),
]


def database_accepts(model, pk, **changes):
    try:
        with transaction.atomic():
            model.objects.filter(pk=pk).update(**changes)
    except IntegrityError:
        return False
    return True


def python_accepts(validator, value):
    try:
        validator(value)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize(("path", "valid"), PATHS)
def test_prj_40_path_rule_in_python_and_in_the_database(path, valid):
    file = ProjectFileFactory()
    assert python_accepts(validate_relative_path, path) is valid
    assert database_accepts(ProjectFile, file.pk, file_path=path) is valid


@pytest.mark.parametrize(
    ("directory", "valid"),
    [("/", True), ("/public", True), ("/public/images", True), ("public", False), ("/a/", False)]
    + [("/" + path, valid) for path, valid in PATHS if path],
)
def test_asset_directory_rule_in_python_and_in_the_database(directory, valid):
    asset = ProjectAssetFactory()
    assert python_accepts(validate_absolute_directory, directory) is valid
    assert database_accepts(ProjectAsset, asset.pk, directory=directory) is valid


@pytest.mark.parametrize(
    ("path", "valid"),
    [
        ("/", True),
        ("/dashboard?tab=1#top", True),
        ("/a/b/", True),
        ("", False),
        ("dashboard", False),
        ("//evil.example/x", False),
        ("https://evil.example/", False),
        ("/with space", False),
        ("/back\\slash", False),
        ("/new\nline", False),
    ],
)
def test_preview_path_rule_in_python_and_in_the_database(path, valid):
    preview = BrowserPreviewFactory()
    assert python_accepts(validate_preview_path, path) is valid
    assert database_accepts(BrowserPreview, preview.pk, current_path=path) is valid


# --- Indexes ---------------------------------------------------------------------------------

COMPOSITE_LED_KEYS = [
    (Project, "owner"),
    (Container, "project"),
    (ContainerConnection, "source_container"),
    (ProjectFile, "project"),
    (ProjectAsset, "project"),
    (ProjectSnapshot, "project"),
    (Deployment, "project"),
    (DeploymentCredential, "user"),
    (GitProviderCredential, "user"),
]


@pytest.mark.parametrize(("model", "field_name"), COMPOSITE_LED_KEYS)
def test_keys_led_by_a_composite_index_carry_no_index_of_their_own(model, field_name):
    assert model._meta.get_field(field_name).db_index is False


def test_every_foreign_key_leads_an_index():
    uncovered = []
    with connection.cursor() as cursor:
        for model in (
            Project,
            Container,
            ContainerConnection,
            BrowserPreview,
            ProjectFile,
            ProjectAsset,
            ProjectSnapshot,
            Deployment,
            DeploymentCredential,
            GitProviderCredential,
        ):
            constraints = connection.introspection.get_constraints(cursor, model._meta.db_table)
            leading = {
                c["columns"][0]
                for c in constraints.values()
                if (c["index"] or c["unique"]) and c["columns"]
            }
            for field in model._meta.concrete_fields:
                if field.is_relation and field.column not in leading:
                    uncovered.append(f"{model._meta.label}.{field.name}")
    assert uncovered == []
