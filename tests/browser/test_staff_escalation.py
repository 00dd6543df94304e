"""A Support member's own change page: the fields that grant power are not theirs to change
(docs/roles.md: Support changes users' profiles, not who is staff or superuser)."""

from django.utils.text import capfirst
from selenium.webdriver.common.by import By

from accounts.models import User
from config.roles import SUPPORT_GROUP
from tests.browser.pages import button, messages, open_page, press, sign_in, staff_in

SUPPORT_PERMISSIONS = ("accounts.view_user", "accounts.change_user")
POWER_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions")


def label(name):
    """The label admin shows for a field of User ("Superuser status")."""
    return capfirst(User._meta.get_field(name).verbose_name)


def test_support_member_cannot_make_themselves_superuser(browser, live_server):
    agent = staff_in(SUPPORT_GROUP, SUPPORT_PERMISSIONS)
    sign_in(browser, live_server, agent)

    open_page(browser, live_server, f"/admin/accounts/user/{agent.pk}/change/")
    assert not browser.find_elements(By.CSS_SELECTOR, "input[name=is_superuser]")
    for name in POWER_FIELDS:
        row = browser.find_element(By.CSS_SELECTOR, f".form-row.field-{name}")
        assert row.find_element(By.TAG_NAME, "label").text == f"{label(name)}:"
        assert not row.find_elements(By.CSS_SELECTOR, "input, select"), f"{name} is editable"
        assert row.find_elements(By.CLASS_NAME, "readonly"), f"{name} is not shown"
    press(browser, button(browser, "Save"))

    assert messages(browser) == [f"The user “{agent}” was changed successfully."]
    agent = User.objects.get(pk=agent.pk)
    assert (agent.is_superuser, agent.is_staff) == (False, True)
    assert list(agent.groups.values_list("name", flat=True)) == [SUPPORT_GROUP]
    assert not agent.user_permissions.exists()
