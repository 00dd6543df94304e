"""The `auth/` endpoints of docs/spec/API.md §9.1. Each view validates, calls one service,
answers."""

from django.conf import settings
from django.contrib.auth import logout as session_logout
from django.contrib.auth import update_session_auth_hash
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.status import HTTP_201_CREATED

from accounts import oauth, services
from accounts.models import AccessToken, McpServer, OAuthAccount, OAuthProvider, User
from accounts.serializers import (
    AccessTokenSerializer,
    ChallengeSerializer,
    ChallengeTokenSerializer,
    CodeSerializer,
    CurrentPasswordSerializer,
    EmailChangeSerializer,
    EmailSerializer,
    LoginSerializer,
    McpServerSerializer,
    McpServerUpdateSerializer,
    McpServerWriteSerializer,
    MeSerializer,
    MeUpdateSerializer,
    OAuthAccountSerializer,
    OAuthAuthorizeQuerySerializer,
    OAuthAuthorizeSerializer,
    OAuthCallbackSerializer,
    PasswordChangeSerializer,
    PasswordResetConfirmSerializer,
    PersonalTokenCreateSerializer,
    PersonalTokenSerializer,
    RegisterSerializer,
    ResendChallengeSerializer,
    TokenResponseSerializer,
    TwoFactorSerializer,
    WaitlistJoinSerializer,
)
from accounts.throttles import (
    CodeThrottle,
    LoginEmailThrottle,
    LoginThrottle,
    PasswordResetEmailThrottle,
    PasswordResetThrottle,
    RegisterThrottle,
    WaitlistThrottle,
    with_default_throttles,
)
from config.api import APIView, GenericViewSet, StudioViewSet, shown_fields, validated_body
from config.exceptions import DomainError
from config.schema import error

EMPTY = {"type": "object", "properties": {}}
ME_FIELDS = shown_fields(MeSerializer)


def valid_data(serializer_class, request):
    return validated_body(serializer_class, request)


def valid_query(serializer_class, request):
    serializer = serializer_class(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def me_data(user, request):
    fresh = User.objects.get(pk=user.pk)
    return MeSerializer(fresh, context={"request": request}).data


def token_body(request, user, token, raw):
    """TokenResponse: the raw token appears here once and never again (ACC-20)."""
    return {
        "token": raw,
        "token_prefix": token.token_prefix,
        "expires_at": token.expires_at,
        "user": me_data(user, request),
    }


def token_response(request, user, *, name="web", http_status=status.HTTP_200_OK):
    token, raw = services.token_issue(user=user, request=request, name=name)
    return Response(token_body(request, user, token, raw), status=http_status)


def current_token(request):
    return request.auth if isinstance(request.auth, AccessToken) else None


class RegisterView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = with_default_throttles(RegisterThrottle)

    @extend_schema(request=RegisterSerializer, responses={201: TokenResponseSerializer})
    def post(self, request):
        data = valid_data(RegisterSerializer, request)
        user, token, raw = services.user_register(**data, request=request)
        return Response(token_body(request, user, token, raw), status=status.HTTP_201_CREATED)


class LoginView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = with_default_throttles(LoginThrottle, LoginEmailThrottle)

    @extend_schema(
        request=LoginSerializer,
        responses={200: TokenResponseSerializer, 202: ChallengeSerializer},
    )
    def post(self, request):
        data = valid_data(LoginSerializer, request)
        result = services.login_password(
            email=data["email"], password=data["password"], request=request
        )
        if isinstance(result, services.Challenge):
            body = {
                "two_factor_required": True,
                "challenge_token": result.token,
                "challenge_expires_at": result.expires_at,
            }
            return Response(body, status=status.HTTP_202_ACCEPTED)
        return token_response(request, result, name=data.get("token_name", "web"))


class LoginTwoFactorView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = with_default_throttles(LoginThrottle)

    @extend_schema(request=TwoFactorSerializer, responses={200: TokenResponseSerializer})
    def post(self, request):
        data = valid_data(TwoFactorSerializer, request)
        user = services.login_two_factor(challenge_token=data["challenge_token"], raw=data["code"])
        return token_response(request, user)


class LoginTwoFactorResendView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = with_default_throttles(CodeThrottle)

    @extend_schema(request=ChallengeTokenSerializer, responses={202: ResendChallengeSerializer})
    def post(self, request):
        data = valid_data(ChallengeTokenSerializer, request)
        challenge = services.login_two_factor_resend(challenge_token=data["challenge_token"])
        body = {"challenge_token": challenge.token, "challenge_expires_at": challenge.expires_at}
        return Response(body, status=status.HTTP_202_ACCEPTED)


class LogoutView(APIView):
    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        token = current_token(request)
        if token is not None:
            token.delete()
        else:
            session_logout(request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllView(APIView):
    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        services.tokens_revoke_all(user=request.user)
        if current_token(request) is None:
            session_logout(request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordResetView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = with_default_throttles(PasswordResetThrottle, PasswordResetEmailThrottle)

    @extend_schema(request=EmailSerializer, responses={202: EMPTY})
    def post(self, request):
        services.password_reset_request(email=valid_data(EmailSerializer, request)["email"])
        return Response({}, status=status.HTTP_202_ACCEPTED)


class WaitlistJoinView(APIView):
    """ACC-46: the same 202 and empty body whether the address is new, already listed or
    already a user's, so the endpoint tells no one which addresses it knows."""

    permission_classes = [AllowAny]
    throttle_classes = with_default_throttles(WaitlistThrottle)

    @extend_schema(
        summary="Join the waitlist (always 202: it never says whether the email was listed)",
        request=WaitlistJoinSerializer,
        responses={202: EMPTY},
    )
    def post(self, request):
        services.waitlist_join(**valid_data(WaitlistJoinSerializer, request))
        return Response({}, status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = with_default_throttles(CodeThrottle)

    @extend_schema(request=PasswordResetConfirmSerializer, responses={204: None})
    def post(self, request):
        data = valid_data(PasswordResetConfirmSerializer, request)
        services.password_reset_confirm(
            email=data["email"], raw=data["code"], new_password=data["new_password"]
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeView(APIView):
    @extend_schema(request=PasswordChangeSerializer, responses={204: None})
    def post(self, request):
        data = valid_data(PasswordChangeSerializer, request)
        services.password_change(
            user=request.user,
            current_password=data["current_password"],
            new_password=data["new_password"],
            current_token=current_token(request),
        )
        if current_token(request) is None:
            update_session_auth_hash(request, request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class EmailConfirmView(APIView):
    """Confirms the address the live verification code went to (sign-up or email change)."""

    @extend_schema(request=CodeSerializer, responses={200: MeSerializer})
    def post(self, request):
        data = valid_data(CodeSerializer, request)
        services.email_confirm(
            user=request.user, raw=data["code"], current_token=current_token(request)
        )
        return Response(me_data(request.user, request))


class VerifyEmailResendView(APIView):
    @extend_schema(request=None, responses={202: EMPTY})
    def post(self, request):
        services.email_verify_resend(user=request.user)
        return Response({}, status=status.HTTP_202_ACCEPTED)


class EmailChangeView(APIView):
    @extend_schema(request=EmailChangeSerializer, responses={202: EMPTY})
    def post(self, request):
        data = valid_data(EmailChangeSerializer, request)
        services.email_change_request(
            user=request.user,
            new_email=data["new_email"],
            current_password=data["current_password"],
        )
        return Response({}, status=status.HTTP_202_ACCEPTED)


class MeView(APIView):
    @extend_schema(responses={200: MeSerializer})
    def get(self, request):
        return Response(me_data(request.user, request))

    @extend_schema(request=MeUpdateSerializer, responses={200: MeSerializer})
    def patch(self, request):
        changes = dict(
            validated_body(MeUpdateSerializer, request, instance=request.user, shown=ME_FIELDS)
        )
        current_password = changes.pop("current_password", None)
        services.me_update(user=request.user, changes=changes, current_password=current_password)
        return Response(me_data(request.user, request))

    @extend_schema(request=CurrentPasswordSerializer, responses={204: None})
    def delete(self, request):
        data = valid_data(CurrentPasswordSerializer, request)
        services.require_current_password(request.user, data["current_password"])
        services.user_delete(user=request.user, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AccessTokenViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, GenericViewSet):
    """The caller's live tokens; deleting one revokes it; creating one makes a personal token
    for scripts (ACC-41)."""

    serializer_class = AccessTokenSerializer
    queryset = AccessToken.objects.none()  # the model, for the schema; rows come from below

    def get_queryset(self):
        return (
            AccessToken.objects.live().filter(user=self.request.user).order_by("-created_at", "-id")
        )

    @extend_schema(
        summary="Make a personal API token (ACC-41); its value is shown only in this answer",
        request=PersonalTokenCreateSerializer,
        responses={201: PersonalTokenSerializer},
    )
    def create(self, request):
        data = valid_data(PersonalTokenCreateSerializer, request)
        token, raw = services.personal_token_issue(actor=request.user, **data)
        context = {"request": request, "raw": raw}
        body = PersonalTokenSerializer(token, context=context).data
        return Response(body, status=status.HTTP_201_CREATED)


class OAuthAccountViewSet(mixins.ListModelMixin, mixins.DestroyModelMixin, GenericViewSet):
    """The caller's linked providers; unlinking the last way to sign in is refused (ACC-12)."""

    serializer_class = OAuthAccountSerializer
    queryset = OAuthAccount.objects.none()  # the model, for the schema; rows come from below

    def get_queryset(self):
        return OAuthAccount.objects.filter(user=self.request.user).order_by("created_at", "id")

    def perform_destroy(self, instance):
        services.oauth_account_unlink(account=instance, actor=self.request.user)


PROVIDER_PARAMETER = OpenApiParameter(
    "provider", str, OpenApiParameter.PATH, enum=OAuthProvider.values
)


def provider_or_400(name):
    provider = oauth.configured_provider(name)
    if provider is None:
        raise DomainError(fields={"provider": ["This sign-in provider is not available."]})
    return provider


class OAuthAuthorizeView(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[PROVIDER_PARAMETER, OAuthAuthorizeQuerySerializer],
        responses={200: OAuthAuthorizeSerializer},
    )
    def get(self, request, provider):
        provider = provider_or_400(provider)
        query = valid_query(OAuthAuthorizeQuerySerializer, request)
        allowed = settings.OAUTH_REDIRECT_URIS
        redirect_uri = query.get("redirect_uri") or (allowed[0] if allowed else "")
        if redirect_uri not in allowed:
            raise DomainError(fields={"redirect_uri": ["This redirect URI is not allowed."]})
        state = oauth.state_issue(provider=provider, redirect_uri=redirect_uri)
        url = provider.authorization_url(state=state, redirect_uri=redirect_uri)
        return Response({"authorization_url": url, "state": state})


class OAuthCallbackView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = with_default_throttles(LoginThrottle)

    @extend_schema(
        parameters=[PROVIDER_PARAMETER],
        request=OAuthCallbackSerializer,
        responses={200: TokenResponseSerializer, 201: TokenResponseSerializer},
    )
    def post(self, request, provider):
        provider = provider_or_400(provider)
        data = valid_data(OAuthCallbackSerializer, request)
        user, created = oauth.oauth_sign_in(
            provider=provider, code=data["code"], state=data["state"]
        )
        return token_response(
            request, user, http_status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


@extend_schema_view(
    list=extend_schema(summary="Your MCP servers (header values never returned)"),
    retrieve=extend_schema(summary="One of your MCP servers"),
    create=extend_schema(
        summary="Add an MCP server (ACC-42, ACC-43)",
        request=McpServerWriteSerializer,
        responses={
            201: McpServerSerializer,
            409: error(
                "`already_exists`: you have a server with this name; "
                "`mcp_server_limit_reached`: you have 20."
            ),
        },
    ),
    partial_update=extend_schema(
        summary="Change an MCP server; `headers` replaces them all",
        request=McpServerUpdateSerializer,
        responses={
            200: McpServerSerializer,
            409: error("`already_exists`: you have a server with this name."),
        },
    ),
    destroy=extend_schema(summary="Delete an MCP server and its headers"),
)
class McpServerViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, StudioViewSet
):
    """The caller's MCP servers, newest first; anyone else's is a 404 (ACC-42)."""

    serializer_class = McpServerSerializer
    queryset = McpServer.objects.none()  # the model, for the schema; rows come from below
    write_serializers = {
        "create": McpServerWriteSerializer,
        "partial_update": McpServerUpdateSerializer,
    }

    def get_queryset(self):
        return (
            McpServer.objects.filter(user=self.request.user)
            .defer("headers")
            .order_by("-created_at", "-id")
        )

    def create(self, request):
        data = self.validated(McpServerWriteSerializer)
        return self.read(services.mcp_server_create(actor=request.user, **data), HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        server = McpServer.objects.get(pk=self.get_object().pk)  # with its headers, to keep them
        changes = self.validated(McpServerUpdateSerializer, instance=server)
        if changes:
            services.mcp_server_update(actor=request.user, server=server, changes=changes)
        return self.read(server)

    def perform_destroy(self, instance):
        services.mcp_server_delete(actor=self.request.user, server=instance)
