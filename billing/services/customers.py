"""The user's Stripe customer, created once and shared by every Stripe flow."""

from accounts.models import User
from billing import stripe_gateway


def stripe_customer_ensure(user):
    """The user's Stripe customer id, creating the customer the first time (BIL-20).

    Stripe's idempotency key makes concurrent first calls create one customer, and the
    conditional update keeps the first id stored.
    """
    if user.stripe_customer_id:
        return user.stripe_customer_id
    customer = stripe_gateway.customer_create(email=user.email, name=user.name, user_id=user.pk)
    User.objects.filter(pk=user.pk, stripe_customer_id__isnull=True).update(
        stripe_customer_id=customer
    )
    return User.objects.values_list("stripe_customer_id", flat=True).get(pk=user.pk)
