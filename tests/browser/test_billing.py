"""A Billing staff member's credit adjustment, from the users' changelist to the ledger."""

from selenium.webdriver.common.by import By

from accounts.models import User
from billing.ledger import ledger_mismatches
from billing.models import CreditBucket, LedgerEntryType
from config.roles import BILLING_GROUP
from tests.browser.pages import button, choose, fill, messages, open_page, press, sign_in, staff_in
from tests.factories import UserFactory

BILLING_PERMISSIONS = (
    "accounts.view_user",
    "accounts.change_user",
    "billing.adjust_credits",
    "billing.view_creditledgerentry",
)

COLUMNS = ("user", "bucket", "entry_type", "amount_usd", "reason")


def test_adjust_credits_moves_the_purchased_bucket_and_shows_on_the_users_ledger(
    browser, live_server
):
    clerk = staff_in(BILLING_GROUP, BILLING_PERMISSIONS)
    customer = UserFactory()
    sign_in(browser, live_server, clerk)

    open_page(browser, live_server, "/admin/accounts/user/")
    browser.find_element(By.CSS_SELECTOR, f"input.action-select[value='{customer.pk}']").click()
    choose(browser, "action", "adjust_credits")
    press(browser, button(browser, "Go"))
    # Picked explicitly: which bucket the form starts on is not what this test pins.
    browser.find_element(
        By.CSS_SELECTOR, f"input[name=bucket][value={CreditBucket.PURCHASED}]"
    ).click()
    fill(browser, amount=25, reason="Goodwill for the outage")
    press(browser, button(browser, "Adjust"))
    assert messages(browser) == [
        "Adjusted purchased credits by +$25.00 for 1 user; settled $0.00 of outstanding shortfalls."
    ]

    open_page(browser, live_server, f"/admin/accounts/user/{customer.pk}/change/")
    press(browser, browser.find_element(By.LINK_TEXT, "Ledger entries"))
    [row] = browser.find_elements(By.CSS_SELECTOR, "#result_list tbody tr")
    cells = {name: row.find_element(By.CLASS_NAME, f"field-{name}").text for name in COLUMNS}
    assert cells == {
        "user": str(customer),
        "bucket": CreditBucket.PURCHASED.label,
        "entry_type": LedgerEntryType.ADJUSTMENT.label,
        "amount_usd": "+$25.00",
        "reason": "Goodwill for the outage",
    }

    assert User.objects.get(pk=customer.pk).purchased_credits == customer.purchased_credits + 2500
    assert ledger_mismatches() == []
