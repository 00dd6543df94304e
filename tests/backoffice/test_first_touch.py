"""What staff meet first in admin (issue 22): names that read as English, money that reads as
money, search that finds a customer by part of a name, and the columns staff scan."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from billing.models import CreditLedgerEntry, ModelPrice, UsageLog
from chat.models import Chat
from config.admin import MoneyField, money
from feedback.models import FeedbackPost
from marketplace.models import MarketplaceAgent
from marketplace.validators import PRICE_MAX_CENTS
from projects.models import Project
from tests.billing.conftest import fund
from tests.billing.factories import MarketplaceAgentFactory, MarketplaceBaseFactory, usage
from tests.chat.factories import ChatFactory
from tests.factories import UserFactory
from tests.helpers import admin_url, run_action
from tests.projects.factories import ProjectFactory


@pytest.fixture
def staff_client(client, superuser):
    client.force_login(superuser)
    return client


# Names


@pytest.mark.django_db
def test_the_admin_home_names_every_table_in_english(staff_client):
    page = staff_client.get("/admin/").content.decode()
    for name in ("Credit ledger entries", "OAuth accounts", "User API keys", "Agent co-installs"):
        assert name in page
    assert "Audit history" in page
    for garbled in ("entrys", "O auth", "User api keys", "co installs", "Pghistory"):
        assert garbled not in page


@pytest.mark.django_db
def test_filters_and_choices_name_acronyms_as_written(staff_client):
    users = staff_client.get(admin_url(User)).content.decode()
    assert "By two-factor enabled" in users
    logs = staff_client.get(admin_url(UsageLog)).content.decode()
    assert "By BYOK" in logs
    agents = staff_client.get(admin_url(MarketplaceAgent)).content.decode()
    assert ">API</a>" in agents and ">Api</a>" not in agents


@pytest.mark.django_db
def test_the_permission_picker_offers_no_write_on_audit_event_tables(staff_client, user):
    page = staff_client.get(admin_url(User, f"{user.pk}/change/"))
    offered = page.context["adminform"].form.fields["user_permissions"].queryset
    codenames = set(offered.values_list("codename", flat=True))
    assert "view_userevent" in codenames
    assert not {"add_userevent", "change_userevent", "delete_userevent"} & codenames
    # Ordinary tables keep their write permissions.
    assert {"add_user", "change_user", "delete_user"} <= codenames
    assert Permission.objects.filter(codename="add_userevent").exists()


# Money


@pytest.mark.django_db
def test_money_reads_as_dollars_on_the_users_list_and_page(staff_client):
    customer = UserFactory(email="ada@example.com")
    fund(customer, purchased=1_234_567, daily=10)
    users = staff_client.get(admin_url(User)).content.decode()
    assert "$12,345.77" in users
    page = staff_client.get(admin_url(User, f"{customer.pk}/change/")).content.decode()
    assert "$12,345.67" in page  # the purchased bucket
    assert "$0.10" in page  # the daily one


@pytest.mark.django_db
def test_ledger_movements_are_signed_and_balances_are_not(staff_client, user):
    fund(user, purchased=16977)
    staff_client.post(
        admin_url(User),
        {
            "action": "adjust_credits",
            "_selected_action": [str(user.pk)],
            "apply": "1",
            "bucket": "purchased",
            "amount": "-4.99",
            "reason": "correction",
        },
    )
    ledger = staff_client.get(admin_url(CreditLedgerEntry)).content.decode()
    assert "+$169.77" in ledger
    assert "-$4.99" in ledger
    assert "$164.78" in ledger and "+$164.78" not in ledger
    entry = CreditLedgerEntry.objects.get(user=user, amount=-499)
    page = staff_client.get(admin_url(CreditLedgerEntry, f"{entry.pk}/change/")).content.decode()
    assert "-$4.99" in page


@pytest.mark.django_db
def test_usage_logs_show_cost_charge_and_shortfall_as_money(staff_client, user, model_catalogue):
    usage(user, "owed", tokens_input=10_000_000)
    log = UsageLog.objects.get(user=user)
    assert log.shortfall_cents > 0
    listed = staff_client.get(admin_url(UsageLog)).content.decode()
    for cents in (log.cost_total, log.shortfall_cents):
        assert money(cents) in listed
    page = staff_client.get(admin_url(UsageLog, f"{log.pk}/change/")).content.decode()
    assert money(log.shortfall_cents) in page


def test_fractions_of_a_cent_keep_their_digits():
    assert money(Decimal("27.5")) == "$0.275"
    assert money(Decimal("1500.0000")) == "$15.00"
    assert money(Decimal("0.0125")) == "$0.000125"
    assert money(-499, signed=True) == "-$4.99" and money(500, signed=True) == "+$5.00"


@pytest.mark.django_db
def test_model_prices_list_their_model_and_read_as_dollars_per_million(
    staff_client, model_catalogue
):
    """Regression: the model column showed "/" (the admin's own `model` attribute, the model
    class, answered for it) and prices as bare cents ("80.0000")."""
    price = ModelPrice.objects.create(
        provider="openai", model_id="gpt-test", input_price=Decimal("27.5"), output_price=110
    )
    listed = staff_client.get(admin_url(ModelPrice)).content.decode()
    assert ">openai/gpt-test</a>" in listed
    assert "$0.275" in listed and "$1.10" in listed and "27.5000" not in listed
    page = staff_client.get(admin_url(ModelPrice, f"{price.pk}/change/")).content.decode()
    assert "Cents per 1M tokens" in page


@pytest.mark.django_db
def test_agent_prices_read_as_money(staff_client):
    MarketplaceAgentFactory(name="Pricey", one_time=True, price=123_456)
    listed = staff_client.get(admin_url(MarketplaceAgent)).content.decode()
    assert "$1,234.56" in listed


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("factory", "pricing"),
    [(MarketplaceAgentFactory, {"one_time": True}), (MarketplaceBaseFactory, {"paid": True})],
)
def test_an_items_price_is_shown_and_typed_in_dollars(staff_client, factory, pricing):
    item = factory(name="Pricey", **pricing, price=123_456)
    page = staff_client.get(admin_url(type(item), f"{item.pk}/change/")).content.decode()
    assert 'name="price" value="1234.56"' in page
    assert "Price ($)" in page


def test_a_price_is_cleaned_to_cents_and_never_negative():
    field = MoneyField(limit_cents=PRICE_MAX_CENTS, signed=False)
    assert field.clean("12.50") == 1250
    with pytest.raises(ValidationError):
        field.clean("-1")


@pytest.mark.django_db
def test_read_only_fields_do_not_look_editable(staff_client):
    """Every admin page loads the back office's stylesheet, which mutes disabled and
    read-only fields."""
    page = staff_client.get("/admin/").content.decode()
    assert "backoffice/admin.css" in page
    css = finders.find("backoffice/admin.css")
    with open(css) as stylesheet:
        rules = stylesheet.read()
    assert "textarea:disabled" in rules and "textarea[readonly]" in rules


@pytest.mark.django_db
def test_the_adjustment_is_typed_in_dollars(staff_client, user):
    page = run_action(staff_client, User, "adjust_credits", [user])
    assert "Amount ($)" in page.content.decode()
    refused = run_action(
        staff_client,
        User,
        "adjust_credits",
        [user],
        bucket="purchased",
        amount="1.234",
        reason="x",
    )
    assert refused.context["form"].errors["amount"]
    run_action(
        staff_client,
        User,
        "adjust_credits",
        [user],
        bucket="purchased",
        amount="25",
        reason="goodwill",
    )
    assert User.objects.get(pk=user.pk).purchased_credits == 2500


# Search


def listed(client, model, term):
    response = client.get(admin_url(model), {"q": term})
    assert response.status_code == 200
    return {str(row) for row in response.context["cl"].result_list}


@pytest.mark.django_db
def test_users_are_found_by_part_of_their_name_or_email(staff_client):
    ada = UserFactory(email="ada@example.com", name="Ada Lovelace", username="ada")
    grace = UserFactory(email="grace@navy.example.org", name="Grace Hopper")
    assert listed(staff_client, User, "Lovelace") == {str(ada)}
    assert listed(staff_client, User, "lovelace") == {str(ada)}
    assert listed(staff_client, User, "example.com") >= {str(ada)}
    assert str(grace) not in listed(staff_client, User, "example.com")
    assert listed(staff_client, User, "navy.example") == {str(grace)}


@pytest.mark.django_db
def test_projects_chats_and_feedback_are_found_by_part_of_their_title(staff_client, user):
    project = ProjectFactory(owner=user, name="Recipe Box")
    ProjectFactory(owner=user, name="Weather Station")
    assert listed(staff_client, Project, "Box") == {str(project)}
    chat = ChatFactory(project=project, user=user, title="Fix the login button")
    assert listed(staff_client, Chat, "login") == {str(chat)}
    post = FeedbackPost.objects.create(
        user=user, type="bug", title="Export crashes on Safari", description="Every time."
    )
    assert listed(staff_client, FeedbackPost, "safari") == {str(post)}


@pytest.mark.django_db
def test_a_term_too_short_for_a_trigram_matches_prefixes_only(staff_client):
    UserFactory(email="zed@example.com", name="Ozzy", username="ozzy")
    assert listed(staff_client, User, "zz") == set()
    assert listed(staff_client, User, "oz") != set()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "term", "index"),
    [
        (User, "Lovelace", "accounts_user_search"),
        (Project, "Box", "projects_project_search"),
        (Chat, "login", "chat_chat_search"),
        (FeedbackPost, "safari", "feedback_post_search"),
    ],
)
def test_contains_search_is_served_by_a_trigram_index(staff_client, model, term, index):
    """PERFORMANCE.md W8: the searched list's count reads the trigram index, never the table
    whole (plans taken with sequential scans priced out, as on a large table)."""
    with CaptureQueriesContext(connection) as captured:
        staff_client.get(admin_url(model), {"q": term})
    table = model._meta.db_table
    counts = [
        q["sql"]
        for q in captured
        if "COUNT(" in q["sql"] and "LIKE" in q["sql"] and table in q["sql"]
    ]
    assert counts, "the searched list counts its rows"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {counts[0]}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert index in plan, plan


# The home's search box


@pytest.mark.django_db
def test_the_home_searches_users_projects_and_chats_at_once(staff_client, user):
    ada = UserFactory(email="ada@example.com", name="Ada Lovelace")
    project = ProjectFactory(owner=ada, name="Lovelace engine")
    chat = ChatFactory(project=project, user=ada, title="Lovelace notes")
    assert 'action="/admin/search/"' in staff_client.get("/admin/").content.decode()
    page = staff_client.get("/admin/search/", {"q": "lovelace"})
    assert page.status_code == 200
    html = page.content.decode()
    for row, model in ((ada, User), (project, Project), (chat, Chat)):
        assert f'href="{admin_url(model, f"{row.pk}/change/")}"' in html
    assert f'href="{admin_url(User)}?q=lovelace"' in html


@pytest.mark.django_db
def test_the_home_search_shows_only_what_the_viewer_may_view(client, moderator):
    moderator.is_staff = True
    moderator.save(update_fields=["is_staff"])
    UserFactory(name="Ada Lovelace")
    client.force_login(moderator)
    assert 'action="/admin/search/"' not in client.get("/admin/").content.decode()
    html = client.get("/admin/search/", {"q": "lovelace"}).content.decode()
    assert "Ada Lovelace" not in html and "may not view users, projects or chats" in html
