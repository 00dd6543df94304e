"""The feedback board's errors with their stable codes (DATA_MODEL.md §8)."""

from rest_framework import status as http

from config.exceptions import DomainError


class PostLocked(DomainError):
    status = http.HTTP_409_CONFLICT
    code = "post_locked"
    message = "Only an open post can be edited."


class PostHidden(DomainError):
    status = http.HTTP_409_CONFLICT
    code = "post_hidden"
    message = "A hidden post cannot be upvoted."
