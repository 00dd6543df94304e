"""What each subscription tier allows (settings.TIER_ALLOWANCES): read by the credit services
and by the permission predicates alike, so it sits below both."""

from django.conf import settings


def tier_allowance(tier):
    return settings.TIER_ALLOWANCES[tier]
