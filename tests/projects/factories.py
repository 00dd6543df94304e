"""Factories of the projects models: minimal valid rows, with traits for states."""

import factory
from django.utils import timezone

from projects.models import (
    BrowserPreview,
    ConnectorCredential,
    Container,
    ContainerConnection,
    ContainerStatus,
    Deployment,
    DeploymentCredential,
    DeploymentMode,
    DeploymentStatus,
    EnvironmentStatus,
    GitProviderCredential,
    Project,
    ProjectAsset,
    ProjectDatabase,
    ProjectDomain,
    ProjectFile,
    ProjectSnapshot,
    SnapshotStatus,
    SnapshotType,
)
from tests.factories import UserFactory


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    owner = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Project {n}")
    last_activity = factory.LazyFunction(timezone.now)

    class Params:
        stopping = factory.Trait(environment_status=EnvironmentStatus.STOPPING)
        starting = factory.Trait(environment_status=EnvironmentStatus.STARTING)
        error = factory.Trait(environment_status=EnvironmentStatus.ERROR)
        hibernated = factory.Trait(
            environment_status=EnvironmentStatus.HIBERNATED,
            hibernated_at=factory.LazyFunction(timezone.now),
        )


class ContainerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Container

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"service-{n}")

    class Params:
        starting = factory.Trait(status=ContainerStatus.STARTING)
        running = factory.Trait(status=ContainerStatus.RUNNING)
        failed = factory.Trait(status=ContainerStatus.FAILED)
        external = factory.Trait(
            deployment_mode=DeploymentMode.EXTERNAL,
            status=ContainerStatus.CONNECTED,
            external_endpoint="https://db.example.com",
        )


class ContainerConnectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContainerConnection

    project = factory.SubFactory(ProjectFactory)
    source_container = factory.SubFactory(
        ContainerFactory, project=factory.SelfAttribute("..project")
    )
    target_container = factory.SubFactory(
        ContainerFactory, project=factory.SelfAttribute("..project")
    )


class BrowserPreviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BrowserPreview

    project = factory.SubFactory(ProjectFactory)


class ProjectFileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectFile

    project = factory.SubFactory(ProjectFactory)
    file_path = factory.Sequence(lambda n: f"src/file_{n}.ts")
    content = "export const answer = 42;\n"
    size_bytes = factory.LazyAttribute(lambda file: len(file.content.encode()))


class ProjectAssetFactory(factory.django.DjangoModelFactory):
    """A small text asset; its bytes go to the (test) MEDIA_ROOT."""

    class Meta:
        model = ProjectAsset

    project = factory.SubFactory(ProjectFactory)
    filename = factory.Sequence(lambda n: f"notes-{n}.txt")
    directory = "/public"
    file = factory.django.FileField(data=b"hello asset\n", filename="asset")
    file_type = "document"
    file_size = 12
    mime_type = "text/plain"


class ProjectSnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectSnapshot

    project = factory.SubFactory(ProjectFactory)
    snapshot_type = SnapshotType.MANUAL

    class Params:
        ready = factory.Trait(
            status=SnapshotStatus.READY,
            ready_at=factory.LazyFunction(timezone.now),
            snapshot_name="snap-1",
        )
        restoring = factory.Trait(
            status=SnapshotStatus.RESTORING, ready_at=factory.LazyFunction(timezone.now)
        )
        error = factory.Trait(status=SnapshotStatus.ERROR)


class DeploymentCredentialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeploymentCredential

    user = factory.SubFactory(UserFactory)
    provider = "vercel"
    access_token_encrypted = factory.Sequence(lambda n: f"vercel-token-{n:06d}")


class DeploymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Deployment

    project = factory.SubFactory(ProjectFactory)
    provider = "vercel"

    class Params:
        deploying = factory.Trait(status=DeploymentStatus.DEPLOYING)
        deployed = factory.Trait(
            status=DeploymentStatus.DEPLOYED,
            deployment_url="https://app.example.com",
            completed_at=factory.LazyFunction(timezone.now),
        )


class ProjectDomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectDomain

    project = factory.SubFactory(ProjectFactory)
    subdomain = factory.Sequence(lambda n: f"site-{n:05d}")
    full_domain = factory.LazyAttribute(lambda domain: f"{domain.subdomain}.apps.localhost")
    claimed_by = factory.LazyAttribute(lambda domain: domain.project.owner)
    claimed_at = factory.LazyFunction(timezone.now)


class GitProviderCredentialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GitProviderCredential

    user = factory.SubFactory(UserFactory)
    provider = "github"
    access_token = factory.Sequence(lambda n: f"gho_access_{n:06d}")
    refresh_token = factory.Sequence(lambda n: f"ghr_refresh_{n:06d}")
    provider_username = factory.Sequence(lambda n: f"octo{n}")


class ConnectorCredentialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConnectorCredential

    user = factory.SubFactory(UserFactory)
    connector_type = "slack"
    account_label = factory.Sequence(lambda n: f"workspace-{n}")
    access_token = factory.Sequence(lambda n: f"xoxb-connector-{n:06d}")
    status = "active"


class ProjectDatabaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectDatabase

    project = factory.SubFactory(ProjectFactory)
    provider = "postgres"
    database_name = factory.Sequence(lambda n: f"db_{n}")
    connection_string = factory.Sequence(
        lambda n: f"postgresql://app:pw-{n:06d}@db.example.com/app"
    )
