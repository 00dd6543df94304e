"""Usage through the API: checks and charges by the agent runtime (BIL-30…35), and the
user's own usage list and summary (W2, W7)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from billing.models import BilledStatus, UsageLog, UserAPIKey
from billing.serializers.credits import UsageLogSerializer
from tests.billing.api.utils import BILLING, keyed
from tests.billing.conftest import fund
from tests.billing.factories import TEST_MODEL, MarketplaceAgentFactory, UserAPIKeyFactory, usage
from tests.factories import UserFactory
from tests.helpers import assert_error, ids
from tests.projects.factories import ProjectFactory
from tests.rendering import served

pytestmark = pytest.mark.django_db

USAGE = f"{BILLING}usage/"
CHECK = f"{USAGE}check/"
SUMMARY = f"{USAGE}summary/"


def charge_body(member, /, **extra):
    return {
        "user": str(member.pk),
        "model": TEST_MODEL,  # 100¢ per 1M in
        "tokens_input": 1_000_000,
        "tokens_output": 0,
        **extra,
    }


def post_charge(client, body, key="charge-1"):
    return client.post(USAGE, body, format="json", **keyed(key))


def reload(user):
    return User.objects.get(pk=user.pk)


# --- charging (BIL-32, BIL-33) ------------------------------------------------------------------


def test_bil_32_charge_takes_daily_bundled_bonus_then_purchased(service_client, user):
    fund(user, daily=5, bundled=20, signup_bonus=30, purchased=1000)
    response = post_charge(service_client, charge_body(user))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["debits"] == [
        {"bucket": "daily", "amount": -5, "balance_after": 0},
        {"bucket": "bundled", "amount": -20, "balance_after": 0},
        {"bucket": "signup_bonus", "amount": -30, "balance_after": 0},
        {"bucket": "purchased", "amount": -45, "balance_after": 955},
    ]
    assert body["usage"]["cost_total"] == body["usage"]["credits_charged"] == 100
    assert body["usage"]["billed_status"] == "credited"
    assert body["balance"]["total_credits"] == 955
    assert body["balance"]["outstanding_cents"] == 0
    assert body["exhausted"] is False
    assert "request_id" not in body["usage"] and "creator_revenue" not in body["usage"]


def test_bil_33_replay_answers_the_same_usage_and_debits_with_the_balance_now(service_client, user):
    fund(user, purchased=1000)
    first = post_charge(service_client, charge_body(user), key="replayed")
    post_charge(service_client, charge_body(user), key="another")
    again = post_charge(service_client, charge_body(user), key="replayed")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert again.json()["usage"] == first.json()["usage"]
    assert again.json()["debits"] == first.json()["debits"]
    assert first.json()["balance"]["purchased_credits"] == 900
    assert again.json()["balance"]["purchased_credits"] == 800
    assert reload(user).purchased_credits == 800
    assert UsageLog.objects.filter(user=user).count() == 2


@pytest.mark.parametrize(
    "change",
    [{"tokens_input": 5}, {"model": "openai/gpt-5-mini"}, {"user": "other"}],
    ids=["tokens", "model", "user"],
)
def test_bil_33_same_key_with_another_body_is_409(service_client, user, other_user, change):
    fund(user, purchased=1000)
    post_charge(service_client, charge_body(user), key="mine")
    if change.get("user") == "other":
        change = {"user": str(other_user.pk)}
    response = post_charge(service_client, charge_body(user, **change), key="mine")
    assert_error(response, 409, "idempotency_key_reused")
    assert UsageLog.objects.count() == 1


def test_bil_35_a_charge_is_never_refused_the_shortfall_is_recorded(service_client, user):
    fund(user, daily=5)
    response = post_charge(service_client, charge_body(user))
    assert response.status_code == 201
    body = response.json()
    assert body["usage"]["shortfall_cents"] == 95
    assert body["usage"]["billed_status"] == "pending"
    assert body["balance"]["outstanding_cents"] == 95
    assert body["exhausted"] is True


def test_r3_amounts_in_the_body_are_refused(service_client, user):
    fund(user, purchased=1000)
    amounts = {
        "cost_total": 1,
        "credits_charged": 0,
        "creator_revenue": 99,
        "billed_status": "paid",
        "shortfall_cents": 0,
        "request_id": "mine",
    }
    response = post_charge(service_client, {**charge_body(user), **amounts}, key="server-decides")
    assert set(assert_error(response, 400, "validation_error")["fields"]) == set(amounts)
    assert not UsageLog.objects.exists()


def test_the_project_must_be_the_charged_users(service_client, user, other_user):
    fund(user, purchased=1000)
    theirs = ProjectFactory(owner=other_user)
    response = post_charge(service_client, charge_body(user, project=str(theirs.pk)))
    body = assert_error(response, 400, "validation_error")
    assert "project" in body["fields"]
    mine = ProjectFactory(owner=user)
    response = post_charge(service_client, charge_body(user, project=str(mine.pk)), key="ok")
    assert response.status_code == 201
    assert response.json()["usage"]["project"] == str(mine.pk)


def test_the_agent_must_be_one_the_user_can_see(service_client, user):
    hidden = MarketplaceAgentFactory(draft=True)
    response = post_charge(service_client, charge_body(user, agent=str(hidden.pk)))
    assert "agent" in assert_error(response, 400, "validation_error")["fields"]


def test_bil_34_an_api_priced_agent_prices_the_call_and_pays_its_creator(service_client, user):
    fund(user, purchased=10_000)
    agent = MarketplaceAgentFactory(api_priced=True)
    response = post_charge(service_client, charge_body(user, agent=str(agent.pk)))
    assert response.json()["usage"]["cost_total"] == 200
    log = UsageLog.objects.get()
    assert (log.creator_id, log.creator_revenue, log.platform_revenue) == (
        agent.created_by_user_id,
        180,
        20,
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("user", "not-a-uuid"),
        ("user", "00000000-0000-4000-8000-000000000000"),
        ("model", ""),
        ("model", "m" * 201),
        ("tokens_input", -1),
        ("tokens_output", 2**31),
        ("tokens_input", "many"),
        ("project", "nope"),
        ("is_byok", "maybe"),
    ],
)
def test_bad_input_is_a_400_and_charges_nothing(service_client, user, field, value):
    fund(user, purchased=1000)
    response = post_charge(service_client, charge_body(user, **{field: value}))
    assert field in assert_error(response, 400, "validation_error")["fields"]
    assert not UsageLog.objects.exists()


@pytest.mark.parametrize(
    "headers",
    [{}, keyed(""), keyed("k" * 256), keyed("clé"), keyed("tab\there")],
    ids=["missing", "empty", "too-long", "non-ascii", "control"],
)
def test_idempotency_key_is_required_and_printable_ascii(service_client, user, headers):
    response = service_client.post(USAGE, charge_body(user), format="json", **headers)
    assert_error(response, 400, "idempotency_key_required")
    assert not UsageLog.objects.exists()


def test_a_255_character_key_is_accepted(service_client, user):
    response = post_charge(service_client, charge_body(user), key="k" * 255)
    assert response.status_code == 201


def test_a_normal_user_gets_403_before_the_key_check(owner_client, user):
    response = owner_client.post(USAGE, charge_body(user), format="json")
    assert_error(response, 403, "permission_denied")


# --- BYOK (BIL-31) -------------------------------------------------------------------------


def test_bil_31_byok_without_an_active_key_is_400(service_client, user):
    UserAPIKeyFactory(user=user, provider="openai", is_active=False)
    response = post_charge(service_client, charge_body(user, model="openai/gpt-5", is_byok=True))
    assert_error(response, 400, "byok_key_missing")
    assert not UsageLog.objects.exists()


def test_bil_31_byok_charge_is_free_and_marks_the_key_used(service_client, user):
    key = UserAPIKeyFactory(user=user, provider="openai")
    response = post_charge(service_client, charge_body(user, model="openai/gpt-5", is_byok=True))
    assert response.status_code == 201
    body = response.json()
    assert body["usage"]["cost_total"] == 0
    assert body["usage"]["billed_status"] == BilledStatus.EXEMPT
    assert body["debits"] == []
    assert UserAPIKey.objects.get(pk=key.pk).last_used_at is not None


def test_bil_31_byok_needs_a_known_provider_prefix(service_client, user):
    UserAPIKeyFactory(user=user, provider="openai")
    response = post_charge(service_client, charge_body(user, model="gpt-5", is_byok=True))
    assert_error(response, 400, "byok_key_missing")


# --- the pre-check (BIL-35) ----------------------------------------------------------------


def test_bil_35_check_allows_a_user_with_credits(service_client, user):
    fund(user, daily=3)
    response = service_client.post(
        CHECK, {"user": str(user.pk), "model": TEST_MODEL}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {"allowed": True, "total_credits": 3}


def test_bil_35_check_refuses_a_user_without_credits(service_client, user):
    response = service_client.post(
        CHECK, {"user": str(user.pk), "model": TEST_MODEL}, format="json"
    )
    assert_error(response, 402, "insufficient_credits")


def test_bil_35_check_allows_byok_without_credits_only_with_a_key(service_client, user):
    body = {"user": str(user.pk), "model": "anthropic/claude-sonnet-4", "is_byok": True}
    assert_error(service_client.post(CHECK, body, format="json"), 400, "byok_key_missing")
    UserAPIKeyFactory(user=user, provider="anthropic")
    response = service_client.post(CHECK, body, format="json")
    assert response.status_code == 200
    assert response.json() == {"allowed": True, "total_credits": 0}


def test_bil_35_check_bad_input(service_client):
    response = service_client.post(CHECK, {"model": TEST_MODEL}, format="json")
    assert "user" in assert_error(response, 400, "validation_error")["fields"]


# --- the user's usage list (W2) ------------------------------------------------------------------


def test_usage_list_is_the_callers_own_newest_first(owner_client, user, other_user):
    fund(user, purchased=1000)
    logs = [usage(user, f"mine-{n}") for n in range(3)]
    usage(other_user, "theirs")
    response = owner_client.get(USAGE)
    assert response.status_code == 200
    assert ids(response) == [str(log.pk) for log in reversed(logs)]
    assert set(response.json()) == {"next", "previous", "results"}
    assert set(response.json()["results"][0]) == {
        "id",
        "project",
        "agent",
        "model",
        "tokens_input",
        "tokens_output",
        "cost_total",
        "credits_charged",
        "collected_cents",
        "shortfall_cents",
        "is_byok",
        "billed_status",
        "billed_at",
        "created_at",
    }


def test_w2_usage_rows_are_the_serializers_json(owner_client, user):
    """The list renders `.values()` rows without its serializer (W2's lean path): every kind
    of value, null and not, must come out as the serializer writes it."""
    fund(user, purchased=10)
    agent = MarketplaceAgentFactory(api_priced=True)
    usage(user, "paid", project_id=ProjectFactory(owner=user).pk, agent_id=agent.pk)
    usage(user, "unpaid", tokens_input=10_000_000)  # more than the balance: a shortfall
    UserAPIKeyFactory(user=user, provider="openai")
    usage(user, "byok", model="openai/gpt-5-mini", is_byok=True)
    logs = UsageLog.objects.filter(user=user).order_by("-created_at", "-id")
    assert {log.billed_status for log in logs} > {BilledStatus.PENDING}
    response = owner_client.get(USAGE)
    assert response.json()["results"] == served(UsageLogSerializer(logs, many=True).data)


def test_usage_list_cursor_pages(owner_client, user):
    logs = [usage(user, f"page-{n}") for n in range(5)]
    first = owner_client.get(USAGE, {"page_size": 2})
    assert ids(first) == [str(logs[4].pk), str(logs[3].pk)]
    second = owner_client.get(first.json()["next"])
    assert ids(second) == [str(logs[2].pk), str(logs[1].pk)]
    oldest = owner_client.get(USAGE, {"ordering": "created_at", "page_size": 1})
    assert ids(oldest) == [str(logs[0].pk)]


def test_usage_list_filters(owner_client, user):
    project = ProjectFactory(owner=user)
    fund(user, purchased=10)
    in_project = usage(user, "a", project_id=project.pk, model="openai/gpt-5-mini")
    unpaid = usage(user, "b")  # 10 credits for a 100¢ call: pending
    UserAPIKeyFactory(user=user, provider="openai")
    byok = usage(user, "c", is_byok=True)
    cases = {
        "project": (str(project.pk), [in_project]),
        "model": ("openai/gpt-5-mini", [in_project]),
        "billed_status": ("pending", [unpaid]),
        "is_byok": ("true", [byok]),
    }
    for name, (value, expected) in cases.items():
        response = owner_client.get(USAGE, {name: value})
        assert ids(response) == [str(log.pk) for log in expected], name


def test_usage_list_date_range(owner_client, user):
    logs = [usage(user, f"t-{n}") for n in range(3)]
    start = datetime(2025, 5, 1, tzinfo=UTC)
    for offset, log in enumerate(logs):
        UsageLog.objects.filter(pk=log.pk).update(created_at=start + timedelta(days=offset))
    response = owner_client.get(
        USAGE, {"created_after": "2025-05-02T00:00:00Z", "created_before": "2025-05-03T00:00:00Z"}
    )
    assert ids(response) == [str(logs[1].pk)]
    # Another offset is converted to UTC first.
    response = owner_client.get(USAGE, {"created_after": "2025-05-02T02:00:00+02:00"})
    assert ids(response) == [str(logs[2].pk), str(logs[1].pk)]


def test_w2_date_range_alone_answers_as_through_the_filter_form(owner_client, user):
    """A range alone is cleaned and applied without building the filter form (W2); naming
    another filter (`model=`, empty: it filters nothing) runs the form. Both answer alike."""
    logs = [usage(user, f"r-{n}") for n in range(3)]
    for offset, log in enumerate(logs):
        at(log, datetime(2025, 5, 1, tzinfo=UTC) + timedelta(days=offset))
    queries = [
        {"created_after": "2025-05-02T00:00:00Z"},
        {"created_before": "2025-05-02T00:00:00+02:00"},
        {"created_after": "2025-05-01", "created_before": "2025-05-03T00:00:00Z"},
        {"created_after": "yesterday"},
        {"created_after": "yesterday", "created_before": "2025-05-01T00:00:00+16:00"},
        {"created_before": ""},
    ]
    for query in queries:
        formless = owner_client.get(USAGE, query)
        with_form = owner_client.get(USAGE, {**query, "model": ""})
        assert formless.status_code == with_form.status_code, query
        assert formless.json() == with_form.json(), query


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("project", "nope"),
        ("billed_status", "unpaid"),
        ("is_byok", "yes"),
        ("created_after", "yesterday"),
        ("created_before", "2025-05-01T00:00:00+16:00"),
        ("ordering", "cost_total"),
        ("cursor", "garbage"),
    ],
)
def test_usage_list_bad_parameters_are_400(owner_client, name, value):
    assert_error(owner_client.get(USAGE, {name: value}), 400, "validation_error")


# --- the summary (W7) ----------------------------------------------------------------------


def at(log, moment):
    UsageLog.objects.filter(pk=log.pk).update(created_at=moment)


def test_w7_summary_by_day_over_the_last_30_days(owner_client, user, other_user):
    fund(user, purchased=10_000)
    today = timezone.now().replace(hour=12)
    at(usage(user, "a"), today)
    at(usage(user, "b", tokens_input=200_000), today)
    at(usage(user, "c"), today - timedelta(days=2))
    at(usage(user, "too-old"), today - timedelta(days=40))
    at(usage(other_user, "theirs"), today)
    response = owner_client.get(SUMMARY)
    assert response.status_code == 200
    body = response.json()
    assert body["group_by"] == "day"
    assert [row["key"] for row in body["rows"]] == [
        (today - timedelta(days=2)).date().isoformat(),
        today.date().isoformat(),
    ]
    assert body["rows"][1]["calls"] == 2
    assert body["rows"][1]["tokens_input"] == 300_000
    assert body["rows"][1]["cost_total"] == 30
    assert body["totals"] == {
        "calls": 3,
        "tokens_input": 400_000,
        "tokens_output": 0,
        "cost_total": 40,
        "credits_charged": 40,
        "shortfall_cents": 0,
    }
    start = datetime.fromisoformat(body["created_after"])
    end = datetime.fromisoformat(body["created_before"])
    assert end - start == timedelta(days=30)
    assert end.time().isoformat() == "00:00:00" and end > timezone.now()


def test_w7_summary_by_model_and_by_project(owner_client, user):
    project = ProjectFactory(owner=user)
    usage(user, "a", model="openai/gpt-5-mini", project_id=project.pk)
    usage(user, "b", model="openai/gpt-5", tokens_input=1_000_000)
    by_model = owner_client.get(SUMMARY, {"group_by": "model"}).json()
    assert [row["key"] for row in by_model["rows"]] == ["openai/gpt-5", "openai/gpt-5-mini"]
    by_project = owner_client.get(SUMMARY, {"group_by": "project"}).json()
    assert [row["key"] for row in by_project["rows"]] == [None, str(project.pk)]


@pytest.mark.parametrize(("after", "before"), [("created_after", "created_before"), ("from", "to")])
def test_w7_summary_range_is_after_inclusive_before_exclusive(owner_client, user, after, before):
    """The lists' spelling, and the summary's first one (`from`, `to`): a deprecated alias
    until the next release (docs/api.md)."""
    logs = [usage(user, f"d{n}") for n in range(3)]
    for day, log in enumerate(logs, start=1):
        at(log, datetime(2025, 5, day, 10, tzinfo=UTC))
    body = owner_client.get(SUMMARY, {after: "2025-05-02", before: "2025-05-03"}).json()
    assert [row["key"] for row in body["rows"]] == ["2025-05-02"]
    bounds = ("2025-05-02T00:00:00Z", "2025-05-03T00:00:00Z")
    assert (body["created_after"], body["created_before"]) == bounds
    assert (body["from"], body["to"]) == bounds  # the deprecated names, until the next release


def test_w7_summary_mixes_spellings_of_two_bounds_but_not_of_one(owner_client):
    mixed = owner_client.get(SUMMARY, {"created_after": "2025-05-02", "to": "2025-05-03"})
    assert mixed.json()["created_before"] == "2025-05-03T00:00:00Z"
    both = owner_client.get(SUMMARY, {"created_after": "2025-05-02", "from": "2025-05-02"})
    assert_error(both, 400, "validation_error")


@pytest.mark.parametrize(
    "params",
    [
        {"created_after": "2025-05-02", "created_before": "2025-05-01"},
        {"created_after": "2025-05-01", "created_before": "2025-05-01"},
        {"created_after": "2024-01-01", "created_before": "2025-01-02"},
        {"created_after": "soon"},
        {"created_before": "2025-05-01T00:00:00+16:00"},
        {"from": "2025-05-02", "to": "2025-05-01"},
        {"from": "2025-05-01", "to": "2025-05-01"},
        {"from": "2024-01-01", "to": "2025-01-02"},
        {"from": "soon"},
        {"from": "2025-02-30"},
        {"to": "2025-05-01T00:00:00+16:00"},
        {"group_by": "week"},
    ],
)
def test_w7_summary_bad_range_is_400(owner_client, params):
    assert_error(owner_client.get(SUMMARY, params), 400, "validation_error")


def test_w7_summary_of_a_full_year_is_allowed(owner_client):
    response = owner_client.get(SUMMARY, {"from": "2024-01-01", "to": "2025-01-01"})
    assert response.status_code == 200


def test_a_service_charge_for_a_deleted_user_row_is_400(service_client):
    ghost = UserFactory()
    body = charge_body(ghost)
    ghost.delete()
    response = post_charge(service_client, body)
    assert "user" in assert_error(response, 400, "validation_error")["fields"]
