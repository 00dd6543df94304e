from django.core.validators import RegexValidator
from rest_framework import serializers

from accounts.models import (
    USERNAME_PATTERN,
    AccessToken,
    McpServer,
    McpTransport,
    OAuthAccount,
    User,
    validate_mcp_headers,
)
from accounts.signals import models_unknown
from config.schema import EnumChoiceField
from config.validators import JsonValidator

PASSWORD_MAX_LENGTH = 128
DISABLED_MODELS_MAX = 500
MODEL_ID_MAX_LENGTH = 200

code_field = serializers.RegexField(
    r"^\d{6}$", max_length=6, error_messages={"invalid": "Enter the 6-digit code from the email."}
)


def password_field(**kwargs):
    return serializers.CharField(
        max_length=PASSWORD_MAX_LENGTH,
        write_only=True,
        trim_whitespace=False,
        style={"input_type": "password"},
        **kwargs,
    )


class UserSummarySerializer(serializers.ModelSerializer):
    """How another user appears anywhere in the API: never their email."""

    class Meta:
        model = User
        fields = ["id", "username", "name", "avatar_url"]
        read_only_fields = fields


class BalanceSerializer(serializers.ModelSerializer):
    """The user's credit buckets. `total_credits` counts the bonus only while it lasts."""

    total_credits = serializers.IntegerField(read_only=True)

    class Meta:
        model = User
        fields = [
            "daily_credits",
            "daily_credits_reset_at",
            "bundled_credits",
            "credits_reset_at",
            "signup_bonus_credits",
            "signup_bonus_expires_at",
            "purchased_credits",
            "total_credits",
            "subscription_tier",
        ]
        read_only_fields = fields


class MeSerializer(serializers.ModelSerializer):
    credits = BalanceSerializer(source="*", read_only=True)
    is_moderator = serializers.BooleanField(read_only=True)
    has_usable_password = serializers.BooleanField(read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "email_verified_at",
            "slug",
            "referral_code",
            "subscription_tier",
            "created_at",
            "username",
            "name",
            "avatar_url",
            "theme_preset",
            "chat_position",
            "disabled_models",
            "two_fa_enabled",
            "credits",
            "is_moderator",
            "has_usable_password",
        ]
        read_only_fields = fields


class MeUpdateSerializer(serializers.ModelSerializer):
    """The writable profile fields (ACC-6: nothing else is writable)."""

    current_password = password_field(required=False)
    disabled_models = serializers.ListField(
        child=serializers.CharField(max_length=MODEL_ID_MAX_LENGTH),
        max_length=DISABLED_MODELS_MAX,
        required=False,
    )

    class Meta:
        model = User
        fields = [
            "username",
            "name",
            "avatar_url",
            "theme_preset",
            "chat_position",
            "disabled_models",
            "two_fa_enabled",
            "current_password",
        ]
        # Uniqueness of the username is the service's 409, not a 400 here.
        extra_kwargs = {"username": {"validators": [RegexValidator(USERNAME_PATTERN)]}}

    def validate_disabled_models(self, value):
        """BIL-76: each id names a model of the price catalogue (or one of the user's own)."""
        value = list(dict.fromkeys(value))
        answers = models_unknown.send(sender=User, user=self.instance, models=value)
        unknown = sorted({model for _, models in answers for model in models})
        if unknown:
            raise serializers.ValidationError(
                [f"{model!r} is not a model of the catalogue." for model in unknown[:10]]
            )
        return value


class RegisterSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=320)
    password = password_field()
    name = serializers.CharField(max_length=150)
    username = serializers.CharField(
        max_length=40, required=False, validators=[RegexValidator(USERNAME_PATTERN)]
    )
    referral_code = serializers.CharField(max_length=12, required=False)


class LoginSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=320)
    password = password_field()
    token_name = serializers.CharField(max_length=100, required=False)


class TwoFactorSerializer(serializers.Serializer):
    challenge_token = serializers.CharField(max_length=500)
    code = code_field


class ChallengeTokenSerializer(serializers.Serializer):
    challenge_token = serializers.CharField(max_length=500)


class ChallengeSerializer(serializers.Serializer):
    two_factor_required = serializers.BooleanField(default=True)
    challenge_token = serializers.CharField()
    challenge_expires_at = serializers.DateTimeField()


class ResendChallengeSerializer(serializers.Serializer):
    challenge_token = serializers.CharField()
    challenge_expires_at = serializers.DateTimeField()


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="The raw token, shown only in this response.")
    token_prefix = serializers.CharField()
    expires_at = serializers.DateTimeField()
    user = MeSerializer()


class EmailSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=320)


class WaitlistJoinSerializer(serializers.Serializer):
    """ACC-46: `source` says where the person heard of Studio (a campaign, a page)."""

    email = serializers.EmailField(max_length=320)
    source = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class PasswordResetConfirmSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=320)
    code = code_field
    new_password = password_field()


class PasswordChangeSerializer(serializers.Serializer):
    current_password = password_field()
    new_password = password_field()


class CodeSerializer(serializers.Serializer):
    code = code_field


class EmailChangeSerializer(serializers.Serializer):
    new_email = serializers.EmailField(max_length=320)
    current_password = password_field()


class CurrentPasswordSerializer(serializers.Serializer):
    current_password = password_field()


class AccessTokenSerializer(serializers.ModelSerializer):
    is_current = serializers.SerializerMethodField()

    class Meta:
        model = AccessToken
        fields = [
            "id",
            "token_prefix",
            "name",
            "kind",
            "created_at",
            "last_used_at",
            "expires_at",
            "is_current",
        ]
        read_only_fields = fields

    def get_is_current(self, token) -> bool:
        return token == self.context["request"].auth


class PersonalTokenCreateSerializer(serializers.Serializer):
    """ACC-41: a personal token's name and lifetime."""

    name = serializers.CharField(max_length=100)
    ttl_days = serializers.IntegerField(min_value=1, max_value=365)


class PersonalTokenSerializer(AccessTokenSerializer):
    """The new token with its raw value: shown this once (ACC-20)."""

    token = serializers.SerializerMethodField()

    class Meta(AccessTokenSerializer.Meta):
        fields = [*AccessTokenSerializer.Meta.fields, "token"]
        read_only_fields = fields

    def get_token(self, token) -> str:
        return self.context["raw"]


class OAuthAccountSerializer(serializers.ModelSerializer):
    class Meta:
        model = OAuthAccount
        fields = ["id", "oauth_name", "account_email", "created_at"]
        read_only_fields = fields


class OAuthAuthorizeQuerySerializer(serializers.Serializer):
    redirect_uri = serializers.CharField(max_length=2048, required=False)


class OAuthAuthorizeSerializer(serializers.Serializer):
    authorization_url = serializers.URLField()
    state = serializers.CharField()


class OAuthCallbackSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=2048)
    state = serializers.CharField(max_length=2048)


class McpServerSerializer(serializers.ModelSerializer):
    """ACC-42: never the headers' values, only their names (`header_names`), read from their own
    column so a listing decrypts nothing."""

    transport = EnumChoiceField(McpTransport, read_only=True)
    has_headers = serializers.SerializerMethodField()

    class Meta:
        model = McpServer
        fields = [
            "id",
            "name",
            "transport",
            "url",
            "header_names",
            "has_headers",
            "enabled_tools",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_has_headers(self, server) -> bool:
        return bool(server.header_names)


class McpServerWriteSerializer(serializers.ModelSerializer):
    """ACC-42: `headers` is write-only; sending it replaces every header."""

    transport = EnumChoiceField(McpTransport, required=False)
    headers = serializers.JSONField(
        write_only=True,
        required=False,
        validators=[JsonValidator(rules=(validate_mcp_headers,))],
        style={"input_type": "password"},
    )

    class Meta:
        model = McpServer
        fields = ["name", "transport", "url", "headers", "enabled_tools", "is_active"]
        # Uniqueness per user is the service's 409, not a 400 here.
        validators = []


class McpServerUpdateSerializer(McpServerWriteSerializer):
    class Meta(McpServerWriteSerializer.Meta):
        extra_kwargs = {"name": {"required": False}, "url": {"required": False}}
