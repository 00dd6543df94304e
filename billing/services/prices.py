"""The model price catalogue (EXTENSIONS.md §5, BIL-72…76): what usage may name and what it
costs. Staff edit it in admin through `model_price_save`."""

import logging

from django.db import transaction

from billing.errors import ModelNotAvailable
from billing.models import ModelPrice, UserCustomModel
from billing.permissions import user_can_edit_prices
from config.exceptions import require

logger = logging.getLogger("studio.billing")


def require_usable_model(*, user, model, is_byok):
    """BIL-73: a call names an active catalogue model; a BYOK call may also name one of the
    user's own active custom models (the user's key pays, so the platform has no price)."""
    if ModelPrice.objects.active().for_model(model).exists():
        return
    if is_byok:
        provider, _, model_id = model.partition("/")
        own = UserCustomModel.objects.filter(
            user=user, provider=provider, model_id=model_id, is_active=True
        )
        if own.exists():
            return
    raise ModelNotAvailable(model)


def catalogue_unknown(*, user, models):
    """BIL-76: which of `models` neither the catalogue (active or not) nor the user's own
    custom models name, in two queries."""
    wanted = {model: model.partition("/") for model in models}
    known = {
        f"{provider}/{model_id}"
        for provider, model_id in ModelPrice.objects.filter(
            model_id__in={model_id for _, _, model_id in wanted.values()}
        ).values_list("provider", "model_id")
    }
    if user is not None:
        known |= {
            f"{provider}/{model_id}"
            for provider, model_id in UserCustomModel.objects.filter(user=user).values_list(
                "provider", "model_id"
            )
        }
    return [model for model in models if model not in known]


def model_price_save(*, actor, price):
    """BIL-75: adds or changes a catalogue row. Making a model the default takes the flag
    from the previous default in the same transaction; a concurrent default answers through
    `billing_modelprice_one_default` (409)."""
    require(user_can_edit_prices(actor))
    with transaction.atomic():
        if price.is_default:
            ModelPrice.objects.filter(is_default=True).exclude(pk=price.pk).update(is_default=False)
        price.save()
    logger.info("%s saved the price of %s", actor, price)
    return price
