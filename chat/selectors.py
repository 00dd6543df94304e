"""Reads of the chat app that are more than a `visible_to(user)`: the message list (W1).

W1 is the platform's hottest read: one query for the chat that scopes it and one keyset query
for the page, each compiled once per process (the page once per shape), rendered straight from
`.values()` rows by the orjson renderer.
"""

import uuid

from accounts.models import User
from chat.models import Chat, Message
from chat.serializers import MessageSerializer
from config.api import serializer_columns
from config.pagination import PreparedPages
from config.prepared import PreparedQuery

# MessageSerializer's columns but `chat`: it is the same for every row of a page, so
# `with_chat()` adds it from the chat already looked up rather than reading it per row.
MESSAGE_LIST_FIELDS = tuple(
    column
    for _, column in serializer_columns(MessageSerializer, computed=("chat",))
    if column is not None
)


def _visible_chat_id(owner, project, chat):
    """`Chat.objects.visible_to(owner)`, narrowed to the chat in the URL, its id only."""
    return Chat.objects.visible_to(User(pk=owner)).only("id").filter(project_id=project, pk=chat)


# The message list's chat lookup, compiled once; the stand-ins are distinct UUIDs.
VISIBLE_CHAT_ID = PreparedQuery(
    _visible_chat_id, owner=uuid.UUID(int=1), project=uuid.UUID(int=2), chat=uuid.UUID(int=3)
)


def visible_chat_id(user, *, project_id, chat_id):
    """The chat `chat_id` of the project `project_id` as `user` sees it, its id only; None
    when they may not see it."""
    return VISIBLE_CHAT_ID.get(owner=user.pk, project=project_id, chat=chat_id)


def message_rows(messages):
    """`messages` as `.values()` rows of MessageSerializer's columns but `chat`."""
    return messages.values(*MESSAGE_LIST_FIELDS)


# W1's pages of a chat the caller may see, unfiltered: `message_rows()` of its messages.
MESSAGE_PAGES = PreparedPages(
    Message, lambda chat: message_rows(Message.objects.filter(chat_id=chat)), chat=uuid.UUID(int=3)
)


def with_chat(rows, chat_id):
    """A page of `message_rows()` completed into MessageSerializer's output."""
    for row in rows:
        row["chat"] = chat_id
    return rows
