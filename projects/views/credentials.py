"""deployment-credentials/ and git-credentials/."""

from config.api import StudioViewSet
from projects import filters
from projects.models import DeploymentCredential, GitProviderCredential
from projects.serializers.credentials import (
    DeploymentCredentialCreateSerializer,
    DeploymentCredentialSerializer,
    DeploymentCredentialUpdateSerializer,
    GitProviderCredentialCreateSerializer,
    GitProviderCredentialSerializer,
    GitProviderCredentialUpdateSerializer,
)
from projects.views.base import PlainWritesMixin, write_schemas


class CredentialViewSet(PlainWritesMixin, StudioViewSet):
    """A user's own credentials. Encrypted columns are never loaded: responses say whether a
    token is set from its stored last four characters."""

    lookup_url_kwarg = "id"
    lookup_value_converter = "uuid"
    model = None

    def get_queryset(self):
        return (
            self.model.objects.visible_to(self.request.user)
            .defer(*self.model.secret_fields)
            .order_by("-created_at", "-id")
        )

    def owner_fields(self):
        return {"user": self.request.user}


@write_schemas(
    DeploymentCredentialSerializer,
    create=DeploymentCredentialCreateSerializer,
    update=DeploymentCredentialUpdateSerializer,
)
class DeploymentCredentialViewSet(CredentialViewSet):
    model = DeploymentCredential
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
    serializer_class = GitProviderCredentialSerializer
    write_serializers = {
        "create": GitProviderCredentialCreateSerializer,
        "partial_update": GitProviderCredentialUpdateSerializer,
    }
