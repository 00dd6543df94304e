from rest_framework import status

from config.exceptions import DomainError


class InsufficientCredits(DomainError):
    status = status.HTTP_402_PAYMENT_REQUIRED
    code = "insufficient_credits"
    message = "Not enough credits."


class IdempotencyKeyReused(DomainError):
    status = status.HTTP_409_CONFLICT
    code = "idempotency_key_reused"
    message = "This Idempotency-Key was already used for a different request."


class IdempotencyKeyRequired(DomainError):
    code = "idempotency_key_required"
    message = "Send an Idempotency-Key header (1 to 255 printable ASCII characters)."


class ByokKeyMissing(DomainError):
    code = "byok_key_missing"
    message = "You have no active API key for this model's provider."


class UpgradeRequired(DomainError):
    status = status.HTTP_403_FORBIDDEN
    code = "upgrade_required"
    message = "Your own API keys need a paid plan."


class BucketWouldGoNegative(DomainError):
    status = status.HTTP_409_CONFLICT
    code = "bucket_would_go_negative"
    message = "This adjustment would take a credit bucket below zero."


class PaymentProviderUnavailable(DomainError):
    status = status.HTTP_503_SERVICE_UNAVAILABLE
    code = "payment_provider_unavailable"
    message = "The payment provider is not answering. Try again shortly."


class WebhookSignatureInvalid(DomainError):
    code = "validation_error"
    message = "The webhook signature is missing, wrong or too old."


class RetryLater(DomainError):
    """BIL-11: the event came before the state it needs; Stripe should deliver it again."""

    status = status.HTTP_503_SERVICE_UNAVAILABLE
    code = "retry_later"
    message = "This event cannot be applied yet."


class PermanentEventError(Exception):
    """BIL-11: the event can never apply; it is stored as failed, for staff."""


class AlreadySubscribed(DomainError):
    status = status.HTTP_409_CONFLICT
    code = "already_subscribed"
    message = "You already have a subscription; change or cancel it in the billing portal."


class NoStripeCustomer(DomainError):
    status = status.HTTP_409_CONFLICT
    code = "no_stripe_customer"
    message = "You have no billing account yet: buy credits or subscribe first."


class RefundNotAllowed(DomainError):
    status = status.HTTP_409_CONFLICT
    code = "refund_not_allowed"
    message = "This sale cannot be refunded."


class ModelNotAvailable(DomainError):
    """BIL-73: usage names a model the catalogue does not price, or no longer offers."""

    code = "model_not_available"
    message = "This model is not available."

    def __init__(self, model):
        super().__init__(
            f"The model {model!r} is not in the price catalogue or is not active.",
            fields={"model": [f"{model!r} is not an active model of the price catalogue."]},
        )


class DefaultModelTaken(DomainError):
    """BIL-75: two staff making two models the default at once; the constraint keeps one."""

    status = status.HTTP_409_CONFLICT
    code = "already_exists"
    message = "Another model became the default at the same time. Reload and try again."
    constraint = "billing_modelprice_one_default"
