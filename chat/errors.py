"""The chat domain's errors with their stable codes (DATA_MODEL.md §4)."""

from rest_framework import status as http

from config.exceptions import DomainError

OPEN_SESSIONS_PER_PROJECT = 10  # CHT-32


class ChatArchived(DomainError):
    status = http.HTTP_409_CONFLICT
    code = "chat_archived"
    message = "This chat is archived. Set its status back to active to continue it."


class SessionLimitReached(DomainError):
    status = http.HTTP_409_CONFLICT
    code = "session_limit_reached"
    message = (
        f"This project already has {OPEN_SESSIONS_PER_PROJECT} open shell sessions. "
        "Close one first."
    )


class UnknownContainer(DomainError):
    """CHT-30: a 400 on the field, like any other bad input."""

    message = "Name one of this project's containers."

    def __init__(self):
        super().__init__(fields={"container_name": [self.message]})


class RunInProgress(DomainError):
    """CHT-40: the chat already has an active run of this type; answered through the
    one-active-run constraint, whichever claim's insert loses the race."""

    status = http.HTTP_409_CONFLICT
    code = "run_in_progress"
    message = "This chat already has an active run of this type. Wait for it or cancel it."
    constraint = "chat_run_one_active"


class TooManyAttachments(DomainError):
    """CHT-47: a 400 on the field."""

    def __init__(self, limit):
        super().__init__(fields={"attachment_ids": [f"Attach at most {limit} assets."]})


def not_of_this_chat(field, message="Name one of this chat's."):
    """A 400 on `field`: the row it names is not one of this chat's (CHT-46, CHT-47)."""
    return DomainError(fields={field: [message]})
