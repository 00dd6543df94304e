"""Signals through which accounts asks higher apps to act (DATA_MODEL.md §1.7).

Each is sent inside the caller's transaction; receivers do their work through their own
services, so it commits or rolls back with the caller.
"""

from django.dispatch import Signal

# billing grants the first daily credits (BIL-2). Sent with `user`.
user_registered = Signal()

# billing grants the signup bonus, once per user (BIL-2). Sent with `user`.
email_verified = Signal()

# feedback removes the user's upvotes (FBK-11) and marketplace their reviews (MKT-42), so
# counters stay exact when the cascade runs. Sent with `user`, before the row is deleted.
user_deleting = Signal()

# billing answers which of `models` (model ids a user names in `disabled_models`) are not in
# its price catalogue, so accounts validates them without importing billing (BIL-76). Sent with
# `user` and `models`; each receiver returns the ids it does not know.
models_unknown = Signal()
