"""Billing's answers to accounts' signals (DATA_MODEL.md §1.7, BIL-2)."""

from django.dispatch import receiver

from accounts.signals import email_verified, models_unknown, user_registered
from billing.services.credits import credits_grant_daily_start, credits_grant_signup
from billing.services.prices import catalogue_unknown


@receiver(user_registered, dispatch_uid="billing.grant_daily_start")
def grant_daily_start(sender, user, **kwargs):
    credits_grant_daily_start(user=user)


@receiver(email_verified, dispatch_uid="billing.grant_signup_bonus")
def grant_signup_bonus(sender, user, **kwargs):
    credits_grant_signup(user=user)


@receiver(models_unknown, dispatch_uid="billing.models_unknown")
def unknown_models(sender, user, models, **kwargs):
    return catalogue_unknown(user=user, models=models)
