"""PERFORMANCE.md W1, measured: the message list against the raw-SQL floor and stock DRF.

A 50-message page of long assistant texts (about 100 KB of JSON) is fetched, interleaved and
in shuffled order each round, through the request handler Django's test client uses (WSGI
environ in, rendered response out; the client's own bookkeeping is left out), by
- the floor: the page's SQL run on the raw psycopg 3 connection, rows dumped with orjson;
- ours: the real endpoint through the whole Django stack (routing, middleware, token
  authentication, throttles, the chat lookup, keyset page, orjson renderer);
- stock DRF: `ModelSerializer`, DRF's JSON renderer and page-number pagination (with its
  COUNT), behind the same authentication (tests/chat/w1_urls.py).

The figures are printed (`pytest -s`). The test holds only what a noisy shared machine can
hold, that ours is faster than stock DRF (0.66 to 0.8 of its time when measured here, the
lower figures on a quieter machine). The performance harness sets the final bar (R_floor
≤ 2.5) on the large data set; `bench/large_data/chat.py` gives it the messages.
"""

import random
import statistics
import time

import orjson
import pytest
from django.db import connection
from django.test.client import ClientHandler, RequestFactory
from psycopg.rows import dict_row
from psycopg.types.json import JsonbLoader

from chat.models import Message
from chat.selectors import MESSAGE_LIST_FIELDS
from tests.chat.factories import MessageFactory
from tests.chat.utils import messages_url

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.chat.w1_urls")]

ROUNDS = 21
CALLS_PER_ROUND = 10
PAGE = 50
ASSISTANT_TEXT = (
    "Here is the plan. First I'll add a GIN index on the ingredients column so the search "
    "stays fast as the table grows; then the API gets an `ingredients` filter that splits on "
    "commas and matches every term; finally the home page gets a search box wired to it. "
) * 12


@pytest.fixture
def conversation(chat):
    for index in range(PAGE * 2):
        if index % 2:
            MessageFactory(
                chat=chat,
                assistant=True,
                content=f"{index}. {ASSISTANT_TEXT}",
                message_metadata={
                    "steps": [{"type": "plan", "items": 3}, {"type": "test", "passed": 14}],
                    "tool_calls": [
                        {"name": "write_file", "arguments": {"path": f"src/{index}.ts"}}
                    ],
                },
            )
        else:
            MessageFactory(chat=chat, content=f"{index}. Can you also handle plurals?")
    return chat


def floor_call(chat):
    """The page's SQL on the raw psycopg connection, jsonb decoded by psycopg's own loader."""
    page = (
        Message.objects.filter(chat_id=chat.pk)
        .order_by("created_at", "id")
        .values(*MESSAGE_LIST_FIELDS)[: PAGE + 1]
    )
    sql, params = page.query.sql_with_params()
    connection.ensure_connection()
    raw = connection.connection

    def call():
        with raw.cursor(row_factory=dict_row) as cursor:
            cursor.adapters.register_loader("jsonb", JsonbLoader)
            cursor.execute(sql, params)
            rows = cursor.fetchall()[:PAGE]
        return orjson.dumps({"next": None, "results": rows}, option=orjson.OPT_UTC_Z)

    return call


def handler_get(path, token):
    """A GET through Django's whole request path, as a WSGI server would make it."""
    handler = ClientHandler(enforce_csrf_checks=False)
    factory = RequestFactory()

    def call():
        environ = factory._base_environ(PATH_INFO=path, HTTP_AUTHORIZATION=f"Bearer {token}")
        response = handler(environ)
        assert response.status_code == 200
        return response.content

    return call


def seconds_per_call(call):
    start = time.perf_counter()
    for _ in range(CALLS_PER_ROUND):
        call()
    return (time.perf_counter() - start) / CALLS_PER_ROUND


def spread(values):
    deciles = statistics.quantiles(values, n=10)
    return statistics.median(values), deciles[0], deciles[-1]


def test_w1_the_message_list_beats_stock_drf(settings, owner_client, conversation):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "user": "1000000/min",
        },
    }
    ours_url = messages_url(conversation)
    stock_url = f"/stock/chats/{conversation.pk}/messages/"
    floor = floor_call(conversation)
    ours_body = owner_client.get(ours_url).json()
    stock_body = owner_client.get(stock_url).json()
    assert len(ours_body["results"]) == len(stock_body["results"]) == PAGE
    assert ours_body["results"][1]["content"] == stock_body["results"][1]["content"]
    assert 80_000 < len(floor()) < 160_000  # about 100 KB of JSON, as the budget assumes

    variants = {
        "floor": floor,
        "ours": handler_get(ours_url, owner_client.raw_token),
        "stock DRF": handler_get(stock_url, owner_client.raw_token),
    }
    times = {name: [] for name in variants}
    for _ in range(ROUNDS):
        order = list(variants)
        random.shuffle(order)
        for name in order:
            times[name].append(seconds_per_call(variants[name]))

    ratios = {
        name: [mine / base for mine, base in zip(times[name], times["floor"], strict=True)]
        for name in ("ours", "stock DRF")
    }
    print(f"\nW1: {PAGE} messages, {len(floor()) // 1024} KiB, {ROUNDS} rounds")
    for name in variants:
        median_ms = statistics.median(times[name]) * 1000
        line = f"  {name:10} {median_ms:7.2f} ms"
        if name in ratios:
            median, p10, p90 = spread(ratios[name])
            line += f"   R_floor {median:4.2f} (p10 {p10:4.2f}, p90 {p90:4.2f})"
        print(line)
    ours_vs_stock = [
        mine / stock for mine, stock in zip(times["ours"], times["stock DRF"], strict=True)
    ]
    print(f"  ours / stock DRF: {statistics.median(ours_vs_stock):4.2f}")
    assert statistics.median(ours_vs_stock) < 1
