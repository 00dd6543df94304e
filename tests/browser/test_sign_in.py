"""Admin sign-in with 2FA, in the browser: the password, then the code from the email."""

import re

from selenium.webdriver.common.by import By

from tests.browser.pages import button, fill, open_page, press
from tests.factories import DEFAULT_PASSWORD, UserFactory

CODE_IN_MAIL = re.compile(r"\b(\d{6})\b")


def test_admin_login_asks_for_the_emailed_code_and_refuses_a_wrong_one(
    browser, live_server, mailoutbox
):
    staff = UserFactory(staff=True, two_fa_enabled=True)
    open_page(browser, live_server, "/admin/login/?next=/admin/")
    fill(browser, email=staff.email, password=DEFAULT_PASSWORD)
    press(browser, button(browser, "Log in"))

    assert "We emailed you a 6-digit code" in browser.page_source
    [email] = [message for message in mailoutbox if staff.email in message.to]
    code = CODE_IN_MAIL.search(email.body).group(1)

    fill(browser, code=f"{(int(code) + 1) % 1_000_000:06d}")
    press(browser, button(browser, "Verify"))
    errors = browser.find_element(By.CSS_SELECTOR, "#login-form .errorlist").text
    assert errors == "The code is not correct."

    fill(browser, code=code)
    press(browser, button(browser, "Verify"))
    assert browser.current_url == f"{live_server.url}/admin/"
    signed_in_as = browser.find_element(By.CSS_SELECTOR, "#user-tools strong").text
    assert signed_in_as.lower() == staff.email
