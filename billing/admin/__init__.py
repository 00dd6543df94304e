"""Billing in Django admin (DATA_MODEL.md §6): money rows are read-only and never deleted;
every change staff make to them is an action that calls a billing service and reports what it
did and what it skipped. Actions on money are shown only to staff holding their permission."""

# Each module registers its admins; users.py holds billing's part of the User admin, which
# backoffice/admin.py composes with accounts'.
from billing.admin import keys, ledger, payments, prices  # noqa: F401
