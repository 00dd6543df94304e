"""The admin home (issue 11): what staff look at first, each figure a link to the rows behind
it, each an index-backed query."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from backoffice import dashboard
from billing.models import CreditLedgerEntry, LedgerEntryType
from billing.services.credit_purchases import credit_purchase_fulfil
from config.admin import money
from feedback.models import FeedbackPost, FeedbackStatus
from projects.models import DeploymentStatus, EnvironmentStatus
from tests.billing.conftest import fund
from tests.billing.factories import pending_purchase, usage
from tests.factories import UserFactory
from tests.projects.factories import DeploymentFactory, ProjectFactory


def joined(days_ago):
    member = UserFactory()
    User.objects.filter(pk=member.pk).update(created_at=timezone.now() - timedelta(days=days_ago))
    return member


@pytest.fixture
def business(db, model_catalogue):
    """A day of the platform, with rows outside each figure's window too."""
    joined(3)
    joined(10)
    payer = fund(UserFactory(), purchased=10_000)
    usage(payer, "paid-charge", tokens_input=400_000)
    short = usage(UserFactory(), "unpaid-charge", tokens_input=400_000)
    purchase = pending_purchase(payer, "medium")
    credit_purchase_fulfil(
        purchase_id=purchase.pk, amount_total=2500, currency="usd", payment_intent="pi_home"
    )
    pending_purchase(payer, "small")
    ProjectFactory.create_batch(2, environment_status=EnvironmentStatus.ACTIVE)
    site = ProjectFactory(hibernated=True)
    failed = {"project": site, "status": DeploymentStatus.FAILED, "error": "build failed"}
    DeploymentFactory(**failed, completed_at=timezone.now())
    old = DeploymentFactory(**failed, completed_at=timezone.now())
    type(old).objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=9))
    DeploymentFactory(project=site, deployed=True)
    for status in ("open", "open", "in_progress", "closed"):
        FeedbackPost.objects.create(
            user=payer, type="bug", title=status, description="…", status=FeedbackStatus(status)
        )
    return {"shortfall": short.shortfall_cents}


@pytest.mark.django_db
def test_each_figure_is_right_and_links_to_its_rows(client, superuser, business):
    charged = -sum(
        CreditLedgerEntry.objects.filter(entry_type=LedgerEntryType.USAGE).values_list(
            "amount", flat=True
        )
    )
    everyone_today = User.objects.count() - 2
    client.force_login(superuser)
    home = client.get("/admin/")
    assert home.status_code == 200
    figures = {tile["label"]: tile["value"] for tile in home.context["dashboard"]}
    assert business["shortfall"] > 0
    assert charged > 0
    assert figures == {
        "Sign-ups today": everyone_today,
        "Sign-ups, past 7 days": everyone_today + 1,
        "Active projects": 2,
        "Hibernated projects": 1,
        "Credits charged today": charged,
        "Credits purchased today": 2500,
        "Shortfalls outstanding": business["shortfall"],
        "Failed deployments, past 7 days": 1,
        "Feedback open (moderation queue)": 2,
        "Feedback in progress": 1,
    }
    rows_behind = {
        "Sign-ups today": everyone_today,
        "Active projects": 2,
        "Credits purchased today": 1,
        "Shortfalls outstanding": 1,
        "Failed deployments, past 7 days": 1,
        "Feedback open (moderation queue)": 2,
    }
    for tile in home.context["dashboard"]:
        changelist = client.get(tile["url"])
        assert changelist.status_code == 200, tile["url"]
        if tile["label"] in rows_behind:
            assert changelist.context["cl"].result_count == rows_behind[tile["label"]], tile


@pytest.mark.django_db
def test_every_figure_is_one_index_backed_query(business):
    """With sequential scans priced out, a plan still showing one has no index to use."""
    for tile in dashboard.tiles():
        with CaptureQueriesContext(connection) as captured:
            tile.value()
        assert len(captured) == 1, tile.label
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {captured[0]['sql']}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert "Seq Scan" not in plan, f"{tile.label}:\n{plan}"


@pytest.mark.django_db
def test_the_home_page_costs_the_same_with_more_rows(client, superuser, business):
    client.force_login(superuser)
    with CaptureQueriesContext(connection) as first:
        client.get("/admin/")
    ProjectFactory.create_batch(5, environment_status=EnvironmentStatus.ACTIVE)
    UserFactory.create_batch(5)
    with CaptureQueriesContext(connection) as second:
        client.get("/admin/")
    assert len(second) == len(first)


@pytest.mark.django_db
def test_money_figures_read_as_dollars_and_counts_as_numbers(client, superuser, business):
    client.force_login(superuser)
    home = client.get("/admin/")
    shown = {tile["label"]: tile["shown"] for tile in home.context["dashboard"]}
    assert shown["Credits purchased today"] == "$25.00"
    assert shown["Shortfalls outstanding"] == money(business["shortfall"])
    assert shown["Active projects"] == "2"
    page = home.content.decode()
    assert "<td>$25.00</td>" in page
    assert "(cents)" not in page
