"""What staff do in admin, in the browser tests' words: open a page, fill a form, press a
button and wait for the page it leads to. Every wait is explicit and bounded."""

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

WAIT_SECONDS = 10


def wait(browser):
    return WebDriverWait(browser, WAIT_SECONDS)


def open_page(browser, live_server, path):
    browser.get(f"{live_server.url}{path}")


def press(browser, element):
    """Clicks `element` and waits until the page it leads to has loaded."""
    page = browser.find_element(By.TAG_NAME, "html")
    element.click()
    wait(browser).until(expected_conditions.staleness_of(page))
    wait(browser).until(lambda b: b.execute_script("return document.readyState") == "complete")


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
