"""`reconcile_credits`, the name the operations runbook uses for `check_credit_ledger`."""

from billing.management.commands.check_credit_ledger import Command  # noqa: F401
