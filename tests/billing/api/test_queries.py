"""Query budgets of the billing API (PERFORMANCE.md W2, W6, W7; R16): pinned counts, the same
at 2 and 12 rows.

Counts include authentication: one token lookup (its `last_used_at` write happens on first
use, which a warm-up request absorbs). Endpoints that check a role add `has_perm`'s two.
"""

import itertools
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from billing.selectors import usage_summary
from tests.billing.api.utils import BILLING, keyed
from tests.billing.conftest import fund
from tests.billing.factories import (
    TEST_MODEL,
    MarketplaceAgentFactory,
    UserAPIKeyFactory,
    UserCustomModelFactory,
    pending_purchase,
    sale,
    usage,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

AUTH = 1
ROLE_CHECK = 2  # has_perm: the user's and the groups' permissions, cached for the request
CURSOR_PAGE = 1  # the page only, no COUNT
PAGE = 2  # COUNT and the page


def warm(client, path, **params):
    response = client.get(path, params)
    assert response.status_code == 200, response.content
    return response


keys = itertools.count()


def usage_logs(user, count):
    for _ in range(count):
        usage(user, f"query-{next(keys)}")


def ledger_entries(user, count):
    for _ in range(count):
        fund(user, purchased=1)


def purchases(user, count):
    for _ in range(count):
        pending_purchase(user)


def bought(user, count):
    fund(user, purchased=1000 * count)
    for _ in range(count):
        sale(user, MarketplaceAgentFactory(one_time=True))


def sold(user, count):
    for _ in range(count):
        buyer = fund(UserFactory(), purchased=1000)
        sale(buyer, MarketplaceAgentFactory(one_time=True, created_by_user=user))


def api_keys(user, count):
    for _ in range(count):
        UserAPIKeyFactory(user=user, is_active=False)


def custom_models(user, count):
    UserCustomModelFactory.create_batch(count, user=user)


LISTS = {
    "ledger": ("ledger/", {}, ledger_entries, CURSOR_PAGE),
    "usage": ("usage/", {}, usage_logs, CURSOR_PAGE),
    "credit purchases": ("credit-purchases/", {}, purchases, PAGE),
    "purchases as buyer": ("marketplace-transactions/", {}, bought, PAGE),
    "sales as creator": ("marketplace-transactions/", {"role": "creator"}, sold, PAGE),
    "api keys": ("api-keys/", {}, api_keys, PAGE),
    "custom models": ("custom-models/", {}, custom_models, PAGE),
}


@pytest.mark.parametrize("name", LISTS)
def test_r16_list_queries_are_pinned_and_flat_from_2_to_12_rows(
    owner_client, user, django_assert_num_queries, name
):
    path, params, make, queries = LISTS[name]
    url = f"{BILLING}{path}"
    warm(owner_client, url, **params)
    make(user, 2)
    with django_assert_num_queries(AUTH + queries):
        first = owner_client.get(url, params)
    make(user, 10)
    with django_assert_num_queries(AUTH + queries):
        second = owner_client.get(url, params)
    assert len(second.json()["results"]) - len(first.json()["results"]) == 10


def test_w2_usage_page_of_50_with_a_date_range_is_one_query_with_auth(
    owner_client, user, django_assert_num_queries
):
    url = f"{BILLING}usage/"
    warm(owner_client, url)
    usage_logs(user, 60)
    params = {"created_after": "2000-01-01T00:00:00Z", "created_before": "2100-01-01T00:00:00Z"}
    with django_assert_num_queries(AUTH + 1):
        response = owner_client.get(url, params)
    assert len(response.json()["results"]) == 50
    with django_assert_num_queries(AUTH + 1):
        owner_client.get(response.json()["next"])


@pytest.mark.parametrize(
    ("path", "queries"),
    [("credits/", 1), ("earnings/", 2), ("usage/summary/", 1), ("config/", 0)],
)
def test_read_endpoints_are_pinned(owner_client, user, django_assert_num_queries, path, queries):
    url = f"{BILLING}{path}"
    warm(owner_client, url)
    usage_logs(user, 3)
    with django_assert_num_queries(AUTH + queries):
        warm(owner_client, url)


@pytest.mark.parametrize("group_by", ["day", "model", "project"])
def test_w7_summary_is_one_query_on_the_users_index(user, group_by):
    usage_logs(user, 3)
    with CaptureQueriesContext(connection) as captured:
        rows, _ = usage_summary(
            user=user,
            start=user.created_at.replace(year=2000),
            end=user.created_at.replace(year=2100),
            group_by=group_by,
        )
    assert len(captured) == 1
    assert sum(row["calls"] for row in rows) == 3
    with connection.cursor() as cursor:
        # With sequential scans priced out, the plan shows whether an index can serve the
        # query at all: on a table this small the planner would scan it either way.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {captured[0]['sql']}")
        plan = "\n".join(line for (line,) in cursor.fetchall())
    # Which index wins on three rows is the planner's coin toss; at scale the benchmark's
    # W7 shows the (user, created_at, id) index serving it.
    assert "Seq Scan" not in plan, plan


AUDIT_CONTEXT = re.compile(r"^SELECT set_config\('pghistory\.context_id'.*?, true\); ", re.S)


def test_w6_a_charge_through_the_api_is_pinned(service_client, user, django_assert_num_queries):
    """Auth and the role check, the user lookup, the five statements of BIL-32 with their
    savepoints, then the debits and the balance read back for the answer."""
    fund(user, purchased=1000)
    body = {"user": str(user.pk), "model": TEST_MODEL, "tokens_input": 10, "tokens_output": 0}
    service_client.post(f"{BILLING}usage/", body, format="json", **keyed("warm"))
    with CaptureQueriesContext(connection) as captured:
        response = service_client.post(f"{BILLING}usage/", body, format="json", **keyed("pin"))
    assert response.status_code == 201
    statements = [query["sql"] for query in captured if "SAVEPOINT" not in query["sql"]]
    charge = statements[AUTH + ROLE_CHECK + 1 :][:5]
    # A write in a request carries the audit context (config/audit.py) in the same round trip.
    verbs = [AUDIT_CONTEXT.sub("", sql).split()[0] for sql in charge]
    assert verbs == ["SELECT", "SELECT", "INSERT", "INSERT", "UPDATE"]
    assert len(statements) == AUTH + ROLE_CHECK + 1 + 5 + 2
