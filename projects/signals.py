"""Signals through which projects asks higher apps to act (DATA_MODEL.md §1.7).

Sent inside the caller's transaction; receivers do their work through their own services, so it
commits or rolls back with the transition.
"""

from django.dispatch import Signal

# Every environment transition (PRJ-5). Sent with `project` (re-read after the change), `old`
# and `new` (EnvironmentStatus values). Chat closes the project's open shell sessions when a
# project starts stopping (CHT-35).
environment_status_changed = Signal()
