"""deployment-credentials/, git-credentials/ and connectors/."""

from rest_framework.status import HTTP_201_CREATED

from config.api import OwnRowsViewSet
from projects import filters, services
from projects.models import ConnectorCredential, DeploymentCredential, GitProviderCredential
from projects.serializers.credentials import (
    ConnectorCredentialCreateSerializer,
    ConnectorCredentialSerializer,
    ConnectorCredentialUpdateSerializer,
    DeploymentCredentialCreateSerializer,
    DeploymentCredentialSerializer,
    DeploymentCredentialUpdateSerializer,
    GitProviderCredentialCreateSerializer,
    GitProviderCredentialSerializer,
    GitProviderCredentialUpdateSerializer,
)
from projects.views.base import PlainWritesMixin, write_schemas


class CredentialViewSet(PlainWritesMixin, OwnRowsViewSet):
    """A user's own credentials. Encrypted columns are never loaded (`deferred`): responses
    say whether a token is set from its stored last four characters."""

    lookup_url_kwarg = "id"

    def owner_fields(self):
        return {"user": self.request.user}


@write_schemas(
    DeploymentCredentialSerializer,
    create=DeploymentCredentialCreateSerializer,
    update=DeploymentCredentialUpdateSerializer,
)
class DeploymentCredentialViewSet(CredentialViewSet):
    model = DeploymentCredential
    deferred = DeploymentCredential.secret_fields
    serializer_class = DeploymentCredentialSerializer
    write_serializers = {
        "create": DeploymentCredentialCreateSerializer,
        "partial_update": DeploymentCredentialUpdateSerializer,
    }
    filterset_class = filters.DeploymentCredentialFilter


@write_schemas(
    GitProviderCredentialSerializer,
    create=GitProviderCredentialCreateSerializer,
    update=GitProviderCredentialUpdateSerializer,
)
class GitProviderCredentialViewSet(CredentialViewSet):
    model = GitProviderCredential
    deferred = GitProviderCredential.secret_fields
    serializer_class = GitProviderCredentialSerializer
    write_serializers = {
        "create": GitProviderCredentialCreateSerializer,
        "partial_update": GitProviderCredentialUpdateSerializer,
    }


@write_schemas(
    ConnectorCredentialSerializer,
    create=ConnectorCredentialCreateSerializer,
    update=ConnectorCredentialUpdateSerializer,
)
class ConnectorCredentialViewSet(OwnRowsViewSet):
    """The caller's own connectors (PRJ-110 to PRJ-113); writes go through the services."""

    lookup_url_kwarg = "id"
    model = ConnectorCredential
    deferred = ConnectorCredential.secret_fields
    serializer_class = ConnectorCredentialSerializer
    write_serializers = {
        "create": ConnectorCredentialCreateSerializer,
        "partial_update": ConnectorCredentialUpdateSerializer,
    }
    filterset_class = filters.ConnectorCredentialFilter

    def create(self, request, *args, **kwargs):
        connector = services.connector_create(actor=request.user, **self.validated())
        return self.read(connector, HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        connector = self.get_object()
        data = self.validated(instance=connector)
        return self.read(services.connector_update(actor=request.user, connector=connector, **data))

    def perform_destroy(self, instance):
        services.connector_delete(actor=self.request.user, connector=instance)
