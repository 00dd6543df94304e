"""Request and response shapes of the billing API (API.md §9.5, and the purchase rows of §9.4),
one module per views module. Amounts, splits and statuses are never read from a request (R3):
write serializers name every field a client may send, and nothing else."""
