"""Billing services: every write of billing, one transaction each (DATA_MODEL.md §6)."""
