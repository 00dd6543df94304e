"""Shapes of users' provider keys and custom models (BIL-50…53, BIL-60): the key's value is
write-only, and responses say `value_set` from the stored last four characters."""

from rest_framework import serializers

from billing.models import LLMProvider, UserAPIKey, UserCustomModel
from config.exceptions import AlreadyExists
from config.schema import EnumChoiceField

MAX_SECRET_LENGTH = 4096


class UserAPIKeySerializer(serializers.ModelSerializer):
    """Never the key (BIL-51): `value_set` comes from the stored last four characters, so a
    list decrypts nothing."""

    provider = EnumChoiceField(LLMProvider, read_only=True)
    value_set = serializers.SerializerMethodField()

    class Meta:
        model = UserAPIKey
        fields = [
            "id",
            "provider",
            "key_name",
            "value_set",
            "base_url",
            "is_active",
            "last_used_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_value_set(self, key) -> bool:
        return bool(key.encrypted_value_last4)


def secret_value_field(**kwargs):
    return serializers.CharField(
        write_only=True, max_length=MAX_SECRET_LENGTH, style={"input_type": "password"}, **kwargs
    )


def one_active_key_per_provider(user, provider, *, exclude=None):
    """BIL-51's uniqueness, checked before the database's backstop (409 `already_exists`)."""
    keys = UserAPIKey.objects.filter(user=user, provider=provider, is_active=True)
    if exclude is not None:
        keys = keys.exclude(pk=exclude.pk)
    if keys.exists():
        raise AlreadyExists(fields={"provider": ["You already have an active key for this."]})


class UserAPIKeyCreateSerializer(serializers.ModelSerializer):
    """`base_url` keeps the model's public-https validator (BIL-52)."""

    provider = EnumChoiceField(LLMProvider)
    value = secret_value_field()

    class Meta:
        model = UserAPIKey
        fields = ["provider", "value", "key_name", "base_url"]

    def validate(self, attrs):
        one_active_key_per_provider(self.context["request"].user, attrs["provider"])
        return attrs


class UserAPIKeyUpdateSerializer(serializers.ModelSerializer):
    value = secret_value_field(required=False)

    class Meta:
        model = UserAPIKey
        fields = ["value", "key_name", "base_url", "is_active"]

    def validate(self, attrs):
        key = self.instance
        if attrs.get("is_active") and not key.is_active:
            one_active_key_per_provider(key.user_id, key.provider, exclude=key)
        return attrs


class UserCustomModelSerializer(serializers.ModelSerializer):
    provider = EnumChoiceField(LLMProvider, read_only=True)

    class Meta:
        model = UserCustomModel
        fields = [
            "id",
            "provider",
            "model_id",
            "model_name",
            "pricing_input",
            "pricing_output",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


PRICE_FIELD = {"min_value": 0, "required": False, "allow_null": True}


class UserCustomModelCreateSerializer(serializers.ModelSerializer):
    provider = EnumChoiceField(LLMProvider)

    class Meta:
        model = UserCustomModel
        fields = ["provider", "model_id", "model_name", "pricing_input", "pricing_output"]
        extra_kwargs = {"pricing_input": PRICE_FIELD, "pricing_output": PRICE_FIELD}
        validators = []  # the uniqueness below answers 409, not DRF's 400

    def validate(self, attrs):
        clashes = UserCustomModel.objects.filter(
            user=self.context["request"].user,
            provider=attrs["provider"],
            model_id=attrs["model_id"],
        )
        if clashes.exists():
            raise AlreadyExists(fields={"model_id": ["You already added this model."]})
        return attrs


class UserCustomModelUpdateSerializer(serializers.ModelSerializer):
    class Meta:
        model = UserCustomModel
        fields = ["model_name", "pricing_input", "pricing_output", "is_active"]
        extra_kwargs = {"pricing_input": PRICE_FIELD, "pricing_output": PRICE_FIELD}
