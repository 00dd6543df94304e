"""Receivers of other apps' signals (DATA_MODEL.md §1.7), connected in `ChatConfig.ready`."""

from chat.services import shell_sessions_close_for_project
from projects.models import EnvironmentStatus


def close_sessions_of_stopping_project(sender, project, old, new, **kwargs):
    """CHT-35: a project that starts stopping loses its open shell sessions, in the same
    transaction as the transition (the signal is sent inside it)."""
    if new == EnvironmentStatus.STOPPING:
        shell_sessions_close_for_project(actor=None, project=project)
