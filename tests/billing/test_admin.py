"""Billing in admin: every page and action, read-only money, no full counts, and actions
hidden from staff without their permission (DATA_MODEL.md §6 Admin notes, §2.1)."""

import re

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from billing.admin.users import BillingUserAdminMixin
from billing.models import (
    BilledStatus,
    CreditLedgerEntry,
    CreditPurchase,
    MarketplaceTransaction,
    ModelPrice,
    StripeEvent,
    Subscription,
    UsageLog,
    UserAPIKey,
    UserCustomModel,
)
from billing.services.credit_purchases import credit_purchase_fulfil
from billing.services.stripe_events import stripe_event_process
from config import admin as config_admin
from config.admin import money
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
from tests.helpers import action_names, admin_url, message_levels, messages, run_action, staff_with

pytestmark = pytest.mark.django_db

BILLING_MODELS = (
    CreditLedgerEntry,
    StripeEvent,
    CreditPurchase,
    UsageLog,
    MarketplaceTransaction,
    UserAPIKey,
    UserCustomModel,
    ModelPrice,
    Subscription,
)
INSERT_ONLY = (CreditLedgerEntry, StripeEvent, CreditPurchase, UsageLog, MarketplaceTransaction)
WEBHOOK_ONLY = (Subscription,)


def unknown_customer_event(event_id="evt_admin_failed", customer="cus_later"):
    event = {
        "id": event_id,
        "type": "customer.subscription.updated",
        "data": {"object": {"id": "sub_1", "customer": customer}},
    }
    return stripe_event_process(event=event)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def rows(user, other_user):
    """One row of every billing model."""
    fund(user, purchased=5000)
    purchase = pending_purchase(user, "small")
    credit_purchase_fulfil(
        purchase_id=purchase.pk, amount_total=500, currency="usd", payment_intent="pi_admin"
    )
    purchase.refresh_from_db()
    sold = sale(user, MarketplaceAgentFactory(one_time=True, created_by_user=other_user))
    return {
        CreditLedgerEntry: CreditLedgerEntry.objects.filter(user=user).first(),
        StripeEvent: unknown_customer_event(),
        CreditPurchase: purchase,
        UsageLog: usage(user, "admin-usage"),
        MarketplaceTransaction: sold,
        UserAPIKey: UserAPIKeyFactory(user=user),
        UserCustomModel: UserCustomModelFactory(user=user),
        ModelPrice: ModelPrice.objects.for_model(TEST_MODEL).get(),
        Subscription: Subscription.objects.create(
            user=user, stripe_subscription_id="sub_admin", status="active", tier="pro"
        ),
    }


# --- smoke: every page of every billing ModelAdmin ------------------------------------------


def test_every_billing_model_is_registered_and_user_is_billings_subclass():
    registered = {model for model in admin.site._registry if model._meta.app_label == "billing"}
    assert registered == set(BILLING_MODELS)
    assert isinstance(admin.site._registry[User], BillingUserAdminMixin)


SEARCHES = {
    CreditLedgerEntry: lambda row: row.user.email.upper(),
    StripeEvent: lambda row: row.event_id,
    CreditPurchase: lambda row: row.stripe_payment_intent,
    UsageLog: lambda row: row.request_id,
    MarketplaceTransaction: lambda row: row.creator.email,
    UserAPIKey: lambda row: row.user.email,
    UserCustomModel: lambda row: row.model_id,
    ModelPrice: lambda row: row.model_id,
    Subscription: lambda row: row.user.email,
}


@pytest.mark.parametrize("model", BILLING_MODELS)
def test_changelist_search_and_change_pages_load(admin_client, rows, model):
    row = rows[model]
    assert admin_client.get(admin_url(model)).status_code == 200
    found = admin_client.get(admin_url(model), {"q": SEARCHES[model](row)})
    assert found.status_code == 200
    assert row in found.context["cl"].result_list
    assert admin_client.get(admin_url(model), {"q": "nobody@example.com"}).status_code == 200
    assert admin_client.get(admin_url(model, f"{row.pk}/change/")).status_code == 200


def test_a_sale_search_asks_the_users_table_once_for_buyer_and_creator(admin_client, rows):
    sold = rows[MarketplaceTransaction]
    with CaptureQueriesContext(connection) as queries:
        found = admin_client.get(admin_url(MarketplaceTransaction), {"q": sold.creator.email})
    assert sold in found.context["cl"].result_list
    by_email = f'WHERE "{User._meta.db_table}"."email" = '
    email_lookups = [q for q in queries if by_email in q["sql"]]
    assert len(email_lookups) == 1


@pytest.mark.parametrize("model", [m for m in BILLING_MODELS if m is not ModelPrice])
def test_nothing_but_prices_is_added_in_admin(admin_client, model):
    assert admin_client.get(admin_url(model, "add/")).status_code == 403


@pytest.mark.parametrize("model", INSERT_ONLY + WEBHOOK_ONLY)
def test_money_rows_are_read_only_and_never_deleted(admin_client, rows, model):
    row = rows[model]
    page = admin_client.get(admin_url(model, f"{row.pk}/change/"))
    assert page.context["has_change_permission"] is False
    assert admin_client.get(admin_url(model, f"{row.pk}/delete/")).status_code == 403
    assert "delete_selected" not in action_names(admin_client, model)
    assert model.objects.filter(pk=row.pk).exists()


@pytest.mark.parametrize("model", BILLING_MODELS)
def test_every_filter_loads(admin_client, rows, model):
    changelist = admin_client.get(admin_url(model)).context["cl"]
    for spec in changelist.filter_specs:
        for choice in spec.choices(changelist):
            query = choice["query_string"]
            assert admin_client.get(admin_url(model) + query).status_code == 200, query


def test_api_key_value_is_masked_and_never_in_a_form(admin_client, rows):
    key = rows[UserAPIKey]
    for page in (
        admin_client.get(admin_url(UserAPIKey)),
        admin_client.get(admin_url(UserAPIKey, f"{key.pk}/change/")),
    ):
        html = page.content.decode()
        assert key.encrypted_value not in html
        assert f"•••• {key.encrypted_value_last4}" in html


def test_stripe_event_payload_is_pretty_printed(admin_client, rows):
    event = rows[StripeEvent]
    html = admin_client.get(admin_url(StripeEvent, f"{event.pk}/change/")).content.decode()
    assert "<pre>{\n" in html and "cus_later" in html


def test_purchase_links_to_its_stripe_events(admin_client, rows):
    purchase = rows[CreditPurchase]
    event = stripe_event_process(
        event={
            "id": "evt_about_purchase",
            "type": "charge.refunded",
            "data": {"object": {"payment_intent": "pi_admin", "amount_refunded": 1}},
        }
    )
    html = admin_client.get(admin_url(CreditPurchase, f"{purchase.pk}/change/")).content.decode()
    link = re.search(r'href="(/admin/billing/stripeevent/\?q=[^"]+)"', html).group(1)
    found = admin_client.get(link.replace("&amp;", "&")).context["cl"].result_list
    assert list(found) == [event]


def test_user_page_links_to_the_users_money(admin_client, rows, user, other_user):
    html = admin_client.get(f"/admin/accounts/user/{user.pk}/change/").content.decode()
    link = re.search(r'href="(/admin/billing/creditledgerentry/\?[^"]+)"', html).group(1)
    entries = admin_client.get(link).context["cl"].result_list
    assert {entry.user_id for entry in entries} == {user.pk}
    assert len(entries) == CreditLedgerEntry.objects.filter(user=user).count()


def test_the_customised_user_admin_pages_still_load(admin_client, user):
    assert admin_client.get("/admin/accounts/user/").status_code == 200
    assert admin_client.get("/admin/accounts/user/add/").status_code == 200


# --- no full counts, constant queries ------------------------------------------------------


@pytest.mark.parametrize("model", [CreditLedgerEntry, UsageLog])
def test_big_changelists_never_count_the_whole_table(admin_client, monkeypatch, user, model):
    monkeypatch.setattr(config_admin, "estimated_row_count", lambda model: 5_000_000)
    fund(user, purchased=10_000)
    for number in range(2):
        usage(user, f"count-{number}")
    with CaptureQueriesContext(connection) as first:
        response = admin_client.get(admin_url(model))
    assert response.context["cl"].result_count == 5_000_000
    table = model._meta.db_table
    assert not [q for q in first if "COUNT(" in q["sql"] and table in q["sql"]]
    for number in range(10):
        usage(user, f"more-{number}")
    with CaptureQueriesContext(connection) as second:
        admin_client.get(admin_url(model))
    assert len(second) == len(first)


# --- actions on users ------------------------------------------------------------------------


def test_adjust_credits_asks_then_adjusts_through_the_ledger(admin_client, superuser, user):
    page = run_action(admin_client, User, "adjust_credits", [user])
    assert page.status_code == 200
    assert "reason" in page.context["form"].fields
    done = run_action(
        admin_client,
        User,
        "adjust_credits",
        [user],
        bucket="purchased",
        amount="2.50",
        reason="goodwill",
    )
    assert messages(done) == [
        "Adjusted purchased credits by +$2.50 for 1 user; settled $0.00 of outstanding shortfalls."
    ]
    entry = CreditLedgerEntry.objects.get(user=user)
    assert (entry.amount, entry.reason, entry.created_by) == (250, "goodwill", superuser)
    assert User.objects.get(pk=user.pk).purchased_credits == 250


def test_adjust_credits_refuses_a_user_whose_bucket_would_go_negative(
    admin_client, user, other_user
):
    fund(user, purchased=100)
    done = run_action(
        admin_client,
        User,
        "adjust_credits",
        [user, other_user],
        bucket="purchased",
        amount="-0.50",
        reason="correction",
    )
    assert messages(done) == [
        f"Adjusted purchased credits by -$0.50 for 1 user; skipped 1: "
        f"{other_user.email} (purchased would go below 0)."
    ]
    assert User.objects.get(pk=user.pk).purchased_credits == 50
    assert not CreditLedgerEntry.objects.filter(user=other_user).exists()


@pytest.mark.parametrize(
    "form",
    [
        {"bucket": "purchased", "amount": "0", "reason": "x"},
        {"bucket": "purchased", "amount": "5", "reason": "   "},
        {"bucket": "gold", "amount": "5", "reason": "x"},
        {"bucket": "purchased", "amount": "100000.01", "reason": "typo"},
    ],
)
def test_adjust_credits_bad_form_changes_nothing(admin_client, user, form):
    page = run_action(admin_client, User, "adjust_credits", [user], **form)
    assert page.context["form"].errors
    assert not CreditLedgerEntry.objects.exists()


def test_change_tier(admin_client, user, other_user):
    User.objects.filter(pk=other_user.pk).update(subscription_tier="pro")
    done = run_action(
        admin_client, User, "change_tier", [user, other_user], tier="pro", reason="comp"
    )
    assert messages(done) == [f"Set 1 user to pro; skipped 1: {other_user.email} (already pro)."]
    user = User.objects.get(pk=user.pk)
    assert (user.subscription_tier, user.bundled_credits) == ("pro", 2000)


# Issue 18, "money defaults": actions that move money cannot mislead.


def test_money_defaults_adjust_credits_preselects_purchased_and_shows_balances(admin_client, user):
    fund(user, daily=5, purchased=1234)
    usage(user, "owed", tokens_input=100_000_000)  # far beyond the buckets: a shortfall
    owed = UsageLog.objects.get(user=user).shortfall_cents

    page = run_action(admin_client, User, "adjust_credits", [user])

    assert page.context["form"]["bucket"].value() == "purchased"
    (row,) = page.context["rows"]
    assert row.startswith(user.email)
    assert "Purchased $0.00" in row  # the charge took the 12.34 first
    assert f"outstanding shortfall {money(owed)}" in row
    assert "reset at the next UTC midnight" in page.content.decode()


def test_money_defaults_a_purchased_adjustment_says_what_it_settled(admin_client, user):
    usage(user, "owed", tokens_input=10_000_000)
    owed = UsageLog.objects.get(user=user).shortfall_cents
    done = run_action(
        admin_client,
        User,
        "adjust_credits",
        [user],
        bucket="purchased",
        amount=f"{(owed + 100) / 100:.2f}",
        reason="goodwill",
    )
    assert messages(done) == [
        f"Adjusted purchased credits by {money(owed + 100, signed=True)} for 1 user; "
        f"settled {money(owed)} of outstanding shortfalls."
    ]
    log = UsageLog.objects.get(user=user)
    assert (log.shortfall_cents, log.billed_status) == (0, "paid")
    assert User.objects.get(pk=user.pk).purchased_credits == 100


def test_money_defaults_a_tier_change_needs_a_reason_kept_on_the_ledger(
    admin_client, superuser, user
):
    refused = run_action(admin_client, User, "change_tier", [user], tier="pro", reason=" ")
    assert refused.context["form"].errors["reason"]
    assert User.objects.get(pk=user.pk).subscription_tier == "free"

    run_action(admin_client, User, "change_tier", [user], tier="pro", reason="partner comp")

    entries = CreditLedgerEntry.objects.filter(user=user, entry_type="bundled_reset")
    assert [(e.reason, e.created_by) for e in entries] == [("partner comp", superuser)]


def test_money_defaults_a_refused_action_is_a_warning_not_a_success(admin_client, user):
    done = run_action(
        admin_client,
        User,
        "adjust_credits",
        [user],
        bucket="purchased",
        amount="-0.05",
        reason="correction",
    )
    assert message_levels(done) == [
        (
            "warning",
            f"Adjusted purchased credits by -$0.05 for 0 users; skipped 1: "
            f"{user.email} (purchased would go below 0).",
        )
    ]


def test_user_money_actions_need_their_permissions(client, user):
    """Changing a user's account is not moving their money: a tier change refills their
    bundled credits, so it has its own permission, as an adjustment has."""
    account_manager = staff_with("view_user", "change_user")
    client.force_login(account_manager)
    actions = action_names(client, User)
    assert "change_tier" not in actions
    assert "adjust_credits" not in actions
    adjuster = staff_with("view_user", "adjust_credits")
    client.force_login(adjuster)
    assert "adjust_credits" in action_names(client, User)
    assert "change_tier" not in action_names(client, User)
    tier_changer = staff_with("view_user", "change_user", "change_tier")
    client.force_login(tier_changer)
    assert "change_tier" in action_names(client, User)


# --- usage collection (BIL-37) ---------------------------------------------------------------


def test_mark_invoiced_then_paid(admin_client, user):
    fund(user, daily=5)
    short = usage(user, "short")  # 10 ¢ with 5 credits
    paid = usage(user, "free", is_byok=True)
    done = run_action(admin_client, UsageLog, "mark_invoiced", [short, paid])
    assert messages(done) == ["Marked 1 log invoiced; skipped 1: 1 log not pending."]
    assert UsageLog.objects.get(pk=short.pk).billed_status == BilledStatus.INVOICED
    done = run_action(admin_client, UsageLog, "mark_paid", [short])
    assert messages(done) == ["Marked 1 log paid."]
    short = UsageLog.objects.get(pk=short.pk)
    assert (short.billed_status, short.shortfall_cents, short.collected_cents) == ("paid", 0, 5)
    assert short.billed_at is not None
    again = run_action(admin_client, UsageLog, "mark_paid", [short])
    assert messages(again) == ["Marked 0 logs paid; skipped 1: 1 log not invoiced."]


def test_collection_actions_need_the_change_permission(client, rows):
    client.force_login(staff_with("view_usagelog"))
    assert action_names(client, UsageLog) == set()
    client.force_login(staff_with("view_usagelog", "change_usagelog"))
    assert action_names(client, UsageLog) == {"mark_invoiced", "mark_paid"}


# --- refunds and payouts (BIL-42, BIL-43) -----------------------------------------------------


def test_refund_asks_for_a_reason_then_refunds_once(admin_client, rows, user):
    sold = rows[MarketplaceTransaction]
    before = User.objects.get(pk=user.pk).purchased_credits
    page = run_action(admin_client, MarketplaceTransaction, "refund", [sold])
    assert "reason" in page.context["form"].fields
    done = run_action(admin_client, MarketplaceTransaction, "refund", [sold], reason="broken")
    assert messages(done) == ["Refunded 1 sale."]
    sold.refresh_from_db()
    assert sold.refund_reason == "broken" and sold.refunded_at is not None
    assert User.objects.get(pk=user.pk).purchased_credits == before + sold.amount_total
    again = run_action(admin_client, MarketplaceTransaction, "refund", [sold], reason="again")
    assert messages(again) == [
        f"Refunded 0 sales; skipped 1: {sold.item_name} (Already refunded.)."
    ]


def test_payout_transitions_report_what_they_skip(admin_client, rows, user, other_user):
    first = rows[MarketplaceTransaction]
    second = sale(user, MarketplaceAgentFactory(one_time=True, created_by_user=other_user))
    model = MarketplaceTransaction
    assert messages(run_action(admin_client, model, "payout_processing", [first])) == [
        "Marked 1 payout processing."
    ]
    run_action(admin_client, model, "refund", [second], reason="refunded first")
    done = run_action(admin_client, model, "mark_paid", [first, second], stripe_payout_id="po_1")
    assert messages(done) == [f"Marked 1 payout paid; skipped 1: {second.item_name} (refunded)."]
    first.refresh_from_db()
    assert (first.payout_status, first.stripe_payout_id) == ("paid", "po_1")
    assert first.payout_date is not None
    failed = run_action(admin_client, model, "payout_failed", [first])
    assert messages(failed) == [
        f"Marked 0 payouts failed; skipped 1: {first.item_name} (paid cannot become failed)."
    ]
    run_action(admin_client, model, "payout_failed", [second])
    assert messages(run_action(admin_client, model, "payout_pending", [second])) == [
        "Marked 1 payout pending."
    ]


def test_sale_actions_are_shown_only_with_their_permissions(client, rows):
    client.force_login(staff_with("view_marketplacetransaction"))
    assert action_names(client, MarketplaceTransaction) == set()
    client.force_login(staff_with("view_marketplacetransaction", "refund_marketplacetransaction"))
    assert action_names(client, MarketplaceTransaction) == {"refund"}
    client.force_login(staff_with("view_marketplacetransaction", "manage_payouts"))
    assert action_names(client, MarketplaceTransaction) == {
        "payout_processing",
        "mark_paid",
        "payout_failed",
        "payout_pending",
    }


# --- Stripe events (BIL-13) --------------------------------------------------------------------


def test_reprocess_failed_events(admin_client, rows, user):
    failed = rows[StripeEvent]
    ignored = stripe_event_process(
        event={"id": "evt_ignored", "type": "customer.created", "data": {"object": {}}}
    )
    still = run_action(admin_client, StripeEvent, "reprocess", [failed, ignored])
    assert messages(still) == [
        "Reprocessed 1 event: 0 applied, 1 failed; skipped 1: evt_ignored (ignored, not failed)."
    ]
    User.objects.filter(pk=user.pk).update(stripe_customer_id="cus_later")
    from billing import stripe_gateway

    subscription = {"status": "canceled"}
    original = stripe_gateway.subscription_retrieve
    stripe_gateway.subscription_retrieve = lambda _: subscription
    try:
        applied = run_action(admin_client, StripeEvent, "reprocess", [failed])
    finally:
        stripe_gateway.subscription_retrieve = original
    assert messages(applied) == ["Reprocessed 1 event: 1 applied, 0 failed."]
    assert StripeEvent.objects.get(pk=failed.pk).status == "processed"


def test_reprocess_reports_stripe_being_down_instead_of_failing(admin_client, rows, user):
    User.objects.filter(pk=user.pk).update(stripe_customer_id="cus_later")
    done = run_action(admin_client, StripeEvent, "reprocess", [rows[StripeEvent]])
    assert messages(done)[0].startswith("Reprocessed 0 events: 0 applied, 0 failed; skipped 1:")
    assert StripeEvent.objects.get(pk=rows[StripeEvent].pk).status == "failed"


def test_reprocess_needs_the_change_permission(client, rows):
    client.force_login(staff_with("view_stripeevent"))
    assert action_names(client, StripeEvent) == set()
    client.force_login(staff_with("view_stripeevent", "change_stripeevent"))
    assert action_names(client, StripeEvent) == {"reprocess"}


# --- keys and custom models --------------------------------------------------------------------


def test_deactivate_keys(admin_client, rows):
    key = rows[UserAPIKey]
    spare = UserAPIKeyFactory(user=key.user, provider="groq", is_active=False)
    done = run_action(admin_client, UserAPIKey, "deactivate", [key, spare])
    assert messages(done) == ["Deactivated 1 key; skipped 1: 1 key already inactive."]
    assert not UserAPIKey.objects.get(pk=key.pk).is_active


def test_delete_a_key(admin_client, rows):
    key = rows[UserAPIKey]
    response = admin_client.post(admin_url(UserAPIKey, f"{key.pk}/delete/"), {"post": "yes"})
    assert response.status_code == 302
    assert not UserAPIKey.objects.filter(pk=key.pk).exists()


def test_custom_model_name_and_prices_are_editable(admin_client, rows):
    model = rows[UserCustomModel]
    response = admin_client.post(
        admin_url(UserCustomModel, f"{model.pk}/change/"),
        {"model_name": "Renamed", "pricing_input": "2.5", "pricing_output": "", "is_active": "on"},
    )
    assert response.status_code == 302
    model.refresh_from_db()
    assert (model.model_name, str(model.pricing_input), model.pricing_output) == (
        "Renamed",
        "2.5000",
        None,
    )
