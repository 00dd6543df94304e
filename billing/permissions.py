"""Who may do what in billing: predicates shared by the API and admin.

Everything a user reads in billing is their own (querysets filter by the caller), so the only
API permission here is the agent runtime's service permission. Admin actions on money need
their own permissions, declared on the models (DATA_MODEL.md §6).
"""

from rest_framework.permissions import BasePermission

from billing.errors import UpgradeRequired
from billing.tiers import tier_allowance

CHARGE_USAGE = "billing.charge_usage"
ADJUST_CREDITS = "billing.adjust_credits"
REFUND_SALES = "billing.refund_marketplacetransaction"
MANAGE_PAYOUTS = "billing.manage_payouts"
COLLECT_USAGE = "billing.change_usagelog"
REPROCESS_EVENTS = "billing.change_stripeevent"
CHANGE_API_KEYS = "billing.change_userapikey"
CHANGE_PRICES = "billing.change_modelprice"
CHANGE_TIER = "billing.change_tier"


def _holds(user, permission):
    return user.is_authenticated and user.has_perm(permission)


def user_can_charge_usage(user):
    """The agent runtime: usage checks and charges for any user (BIL-32, BIL-35)."""
    return _holds(user, CHARGE_USAGE)


def user_can_adjust_credits(user):
    return _holds(user, ADJUST_CREDITS)


def user_can_change_tier(user):
    return _holds(user, CHANGE_TIER)


def user_can_refund_sales(user):
    return _holds(user, REFUND_SALES)


def user_can_manage_payouts(user):
    return _holds(user, MANAGE_PAYOUTS)


def user_can_collect_usage(user):
    """BIL-37: staff collecting shortfalls outside the Studio."""
    return _holds(user, COLLECT_USAGE)


def user_can_reprocess_events(user):
    return _holds(user, REPROCESS_EVENTS)


def user_can_deactivate_api_keys(user):
    return _holds(user, CHANGE_API_KEYS)


def user_can_edit_prices(user):
    """BIL-75: the Billing group keeps the model price catalogue."""
    return _holds(user, CHANGE_PRICES)


def user_may_hold_byok_keys(user):
    """BIL-50: own keys are a paid-tier feature."""
    return tier_allowance(user.subscription_tier)["byok"]


class CanChargeUsage(BasePermission):
    """A normal user gets 403: these endpoints have no row of theirs to hide (API.md §3)."""

    def has_permission(self, request, view):
        return user_can_charge_usage(request.user)


class MayHoldByokKeys(BasePermission):
    """BIL-50 before the body is read, so the answer follows API.md §3's order (403 → 400)."""

    message = UpgradeRequired.message
    code = UpgradeRequired.code

    def has_permission(self, request, view):
        return user_may_hold_byok_keys(request.user)
