"""What a staff member sees first in a real browser (issue 22): money as dollars, the columns
that matter on screen, and a search by part of a name."""

from decimal import Decimal

import pytest
from selenium.webdriver.common.by import By

from billing.models import UsageLog
from config.admin import money
from config.roles import BILLING_GROUP, CURATORS_GROUP, SUPPORT_GROUP
from tests.billing.conftest import fund
from tests.billing.factories import usage
from tests.browser.pages import fill, open_page, press, sign_in, staff_in
from tests.conftest import granted_group
from tests.factories import UserFactory
from tests.feedback.factories import FeedbackPostFactory
from tests.marketplace.factories import AgentFactory

SCREEN_WIDTH = 1400  # a staff laptop's screen, the measure


@pytest.fixture
def laptop(browser):
    """The browser at a 1400-pixel-wide window (the suite's own is 1280), then back."""
    size = browser.get_window_size()
    browser.set_window_size(SCREEN_WIDTH, size["height"])
    yield browser
    browser.set_window_size(size["width"], size["height"])


def cells(browser, name):
    """The texts of a changelist column (the first column's cells are headers)."""
    selector = f"td.field-{name}, th.field-{name}"
    return [cell.text for cell in browser.find_elements(By.CSS_SELECTOR, selector)]


def off_screen(browser, columns):
    """The columns whose header ends beyond the window's right edge."""
    right_edges = {
        name: browser.execute_script(
            "return document.querySelector(arguments[0]).getBoundingClientRect().right",
            f"th.column-{name}",
        )
        for name in columns
    }
    return {name: edge for name, edge in right_edges.items() if edge > SCREEN_WIDTH}


def test_usage_logs_show_money_and_the_billing_columns_on_screen(
    laptop, live_server, model_catalogue
):
    browser = laptop
    clerk = staff_in(BILLING_GROUP, ["billing.view_usagelog", "billing.view_creditledgerentry"])
    customer = UserFactory(email="margaret.hamilton@example.com")
    fund(customer, purchased=16977)
    usage(customer, "owed", tokens_input=100_000_000)
    sign_in(browser, live_server, clerk)

    open_page(browser, live_server, "/admin/billing/usagelog/")
    columns = ("cost_total_usd", "credits_charged_usd", "shortfall_cents_usd", "billed_status")
    assert off_screen(browser, columns) == {}
    log = UsageLog.objects.get(user=customer)
    assert cells(browser, "credits_charged_usd") == [money(log.credits_charged)]
    assert cells(browser, "shortfall_cents_usd") == [money(log.shortfall_cents)]
    assert log.credits_charged > 0

    open_page(browser, live_server, "/admin/billing/creditledgerentry/")
    assert "+$169.77" in cells(browser, "amount_usd")  # the purchase, a movement: signed
    assert "$169.77" in cells(browser, "balance_after_usd")


def test_a_support_agent_finds_a_customer_by_surname(laptop, live_server):
    browser = laptop
    agent = staff_in(SUPPORT_GROUP, ["accounts.view_user"])
    ada = UserFactory(email="ada@example.com", name="Ada Lovelace")
    UserFactory(email="grace@example.org", name="Grace Hopper")
    sign_in(browser, live_server, agent)

    open_page(browser, live_server, "/admin/accounts/user/")
    assert off_screen(browser, ("is_staff", "created_at")) == {}
    fill(browser, q="Lovelace")
    press(browser, browser.find_element(By.CSS_SELECTOR, "#changelist-search input[type=submit]"))
    assert cells(browser, "name") == [ada.name]


def test_feedback_dates_and_agent_downloads_and_ratings_are_on_screen(laptop, live_server):
    browser = laptop
    FeedbackPostFactory(title="Dark mode please")
    AgentFactory(name="Deploy helper", downloads=1234, rating=Decimal("4.5"), reviews_count=2)
    member = staff_in(SUPPORT_GROUP, ["feedback.view_feedbackpost"])
    member.groups.add(granted_group(CURATORS_GROUP, ["marketplace.view_marketplaceagent"]))
    sign_in(browser, live_server, member)

    open_page(browser, live_server, "/admin/feedback/feedbackpost/")
    assert off_screen(browser, ("created_at",)) == {}
    assert cells(browser, "title") == ["Dark mode please"]

    open_page(browser, live_server, "/admin/marketplace/marketplaceagent/")
    assert off_screen(browser, ("downloads", "rating")) == {}
    assert cells(browser, "downloads") == ["1234"]
    assert cells(browser, "rating") == ["4.50"]
