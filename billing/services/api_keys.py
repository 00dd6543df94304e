"""Users' own LLM keys (BYOK) and custom models (BIL-50…53, BIL-60)."""

from django.db import transaction
from django.utils import timezone

from billing.errors import ByokKeyMissing, UpgradeRequired
from billing.models import LLMProvider, UserAPIKey, UserCustomModel
from billing.permissions import user_may_hold_byok_keys


def _require_byok_tier(user):
    if not user_may_hold_byok_keys(user):
        raise UpgradeRequired()


def model_provider(model):
    """The provider of a model id: the text before the first `/`, if it is a known provider."""
    provider = model.split("/", 1)[0]
    return provider if provider in LLMProvider.values else None


def active_key(*, user, model):
    """BIL-31: the user's active key for the model's provider, else None."""
    provider = model_provider(model)
    if provider is None:
        return None
    return UserAPIKey.objects.filter(user=user, provider=provider, is_active=True).first()


def byok_key_for(*, user, model):
    key = active_key(user=user, model=model)
    if key is None:
        raise ByokKeyMissing()
    return key


def byok_key_touch(*, key):
    UserAPIKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())


def api_key_create(*, user, provider, value, key_name="", base_url=""):
    """BIL-50/51: a new active key; a second active key for one provider is a 409."""
    _require_byok_tier(user)
    key = UserAPIKey(
        user=user, provider=provider, encrypted_value=value, key_name=key_name, base_url=base_url
    )
    with transaction.atomic():
        key.save()
    return key


def api_key_update(*, key, changes):
    """PATCH: rotate the value, rename, move the endpoint, (de)activate. Activating needs a
    paid tier (BIL-50)."""
    if changes.get("is_active") and not key.is_active:
        _require_byok_tier(key.user)
    for field, value in changes.items():
        setattr(key, "encrypted_value" if field == "value" else field, value)
    with transaction.atomic():
        key.save()
    return key


def custom_model_create(
    *, user, provider, model_id, model_name, pricing_input=None, pricing_output=None
):
    """BIL-60: only under a provider the user holds an active key for."""
    if not UserAPIKey.objects.filter(user=user, provider=provider, is_active=True).exists():
        raise ByokKeyMissing()
    with transaction.atomic():
        return UserCustomModel.objects.create(
            user=user,
            provider=provider,
            model_id=model_id,
            model_name=model_name,
            pricing_input=pricing_input,
            pricing_output=pricing_output,
        )
