"""Query budgets (PERFORMANCE.md W1, R16): pinned counts, flat from 2 to 12 rows.

Counts include authentication: one token lookup (the token's `last_used_at` write happens on
its first use, which a warm-up request absorbs), plus the two permission lookups of `has_perm`
where an endpoint asks whether the caller is a service.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chat.models import Message
from chat.selectors import MESSAGE_LIST_FIELDS
from config.pagination import KeysetCursorPagination
from tests.chat.factories import (
    AgentCommandLogFactory,
    ChatFactory,
    MessageFactory,
    ShellSessionFactory,
)
from tests.chat.utils import chats_url, command_logs_url, messages_url, sessions_url

pytestmark = pytest.mark.django_db

AUTH = 1
HAS_PERM = 2  # the user's own permissions, then their groups'
W1_BUDGET = AUTH + 2  # the chat lookup that scopes the list, then the page: no COUNT


def warm(client, url):
    assert client.get(url).status_code == 200


def chats(chat, count):
    ChatFactory.create_batch(count, project=chat.project)


def messages(chat, count):
    MessageFactory.create_batch(count, chat=chat, assistant=True)


def command_logs(chat, count):
    AgentCommandLogFactory.create_batch(count, project=chat.project)


def sessions(chat, count):
    ShellSessionFactory.create_batch(count, project=chat.project)


# name: (url of the chat's list, rows maker, queries after auth, rows already there)
LISTS = {
    "chats": (lambda chat: chats_url(chat.project), chats, 3, 1),  # project, COUNT, page
    "messages": (messages_url, messages, 2, 0),  # chat, page
    "command logs": (lambda chat: command_logs_url(chat.project), command_logs, 2, 0),
    "shell sessions": (lambda chat: sessions_url(chat.project), sessions, HAS_PERM + 3, 0),
}


@pytest.mark.parametrize("name", LISTS)
def test_r16_list_queries_are_pinned_and_flat_from_2_to_12_rows(
    owner_client, chat, django_assert_num_queries, name
):
    url_of, make_rows, queries, existing = LISTS[name]
    url = url_of(chat)
    warm(owner_client, url)
    make_rows(chat, 2)
    with django_assert_num_queries(AUTH + queries):
        small = owner_client.get(url, {"page_size": 50}).json()
    make_rows(chat, 10)
    with django_assert_num_queries(AUTH + queries):
        large = owner_client.get(url, {"page_size": 50}).json()
    assert len(small["results"]) == 2 + existing
    assert len(large["results"]) == 12 + existing


def test_shell_session_list_for_the_service_costs_the_same(
    service_client, chat, django_assert_num_queries
):
    url = sessions_url(chat.project)
    warm(service_client, url)
    sessions(chat, 12)
    with django_assert_num_queries(AUTH + HAS_PERM + 3):
        assert len(service_client.get(url).json()["results"]) == 12


def test_w1_the_message_list_is_exactly_its_budget(owner_client, chat, django_assert_num_queries):
    url = messages_url(chat)
    warm(owner_client, url)
    messages(chat, 60)
    with django_assert_num_queries(W1_BUDGET):
        first = owner_client.get(url).json()
    with django_assert_num_queries(W1_BUDGET):
        second = owner_client.get(first["next"]).json()
    with django_assert_num_queries(W1_BUDGET):
        owner_client.get(url, {"role": "assistant", "ordering": "-created_at"})
    assert (len(first["results"]), len(second["results"])) == (50, 10)


def test_w1_the_page_is_one_keyset_query_without_count(owner_client, chat):
    url = messages_url(chat)
    messages(chat, 3)
    first = owner_client.get(url, {"page_size": 2}).json()
    with CaptureQueriesContext(connection) as queries:
        owner_client.get(first["next"])
    sql = [query["sql"] for query in queries]
    assert not any("COUNT(" in statement for statement in sql)
    page = [statement for statement in sql if 'FROM "chat_message"' in statement]
    assert len(page) == 1
    assert "ORDER BY 5 ASC, 1 ASC" in page[0]  # created_at, id: the columns of .values()
    assert "LIMIT 3" in page[0]  # page_size + 1, to know whether there is a next page


def test_w1_the_page_uses_the_chat_index(chat):
    """With the planner steered off sequential scans (the test table is tiny), the page after a
    cursor reads the (chat, created_at, id) index in order: no sort, however big the table."""
    first = MessageFactory(chat=chat)
    position = (first.created_at, first.pk)
    page = (
        Message.objects.filter(chat_id=chat.pk)
        .filter(KeysetCursorPagination._beyond(position, descending=False))
        .order_by("created_at", "id")
        .values(*MESSAGE_LIST_FIELDS)[:51]
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = page.explain()
    assert "chat_messag_chat_id_" in plan and "Sort" not in plan
