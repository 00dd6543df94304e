"""What staff do in admin, in the browser tests' words: open a page, fill a form, press a
button and wait for the page it leads to. Every wait is explicit and bounded."""

from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.conftest import granted_group
from tests.factories import DEFAULT_PASSWORD, UserFactory

WAIT_SECONDS = 10


def wait(browser):
    return WebDriverWait(browser, WAIT_SECONDS)


def open_page(browser, live_server, path):
    browser.get(f"{live_server.url}{path}")


def press(browser, element):
    """Clicks `element` and waits until the page it leads to has loaded.

    The old page is told apart by a mark left on its window, not by an element reference:
    while Chrome swaps documents, asking about an old element can fail with an inspector
    error instead of the stale-element answer that selenium's `staleness_of` waits for."""
    browser.execute_script("window.leftByPress = true")
    element.click()
    WebDriverWait(browser, WAIT_SECONDS, ignored_exceptions=(WebDriverException,)).until(
        lambda b: b.execute_script(
            "return window.leftByPress === undefined && document.readyState === 'complete'"
        )
    )


def button(browser, text):
    """The submit button or input labelled `text`."""
    return browser.find_element(
        By.XPATH, f"//input[@type='submit'][@value='{text}'] | //button[normalize-space()='{text}']"
    )


def fill(browser, **fields):
    """Types into the inputs named by the keywords."""
    for name, value in fields.items():
        field = browser.find_element(By.NAME, name)
        field.clear()
        field.send_keys(str(value))


def choose(browser, name, value):
    Select(browser.find_element(By.NAME, name)).select_by_value(value)


def messages(browser):
    """The texts of admin's messages on the page ("… was changed successfully.")."""
    return [item.text for item in browser.find_elements(By.CSS_SELECTOR, "ul.messagelist li")]


def sign_in(browser, live_server, user, password=DEFAULT_PASSWORD):
    """Through the password step of /admin/login/ (users without 2FA land on the home)."""
    open_page(browser, live_server, "/admin/login/?next=/admin/")
    fill(browser, email=user.email, password=password)
    press(browser, button(browser, "Log in"))


def staff_in(group_name, permissions):
    """A staff member of the group, which holds at least `permissions` ("app.codename", of the
    group's own). The data migrations fill the staff groups, but each live-server test empties
    the database when it ends, so the tests after it would find no group."""
    member = UserFactory(staff=True)
    member.groups.add(granted_group(group_name, permissions))
    return member
