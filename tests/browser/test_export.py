"""A changelist's CSV export, downloaded by the browser."""

import csv

from selenium.webdriver.common.by import By

from config.roles import SUPPORT_GROUP
from tests.browser.pages import button, open_page, press, sign_in, staff_in, wait
from tests.projects.factories import ProjectFactory


def downloaded_csv(browser, downloads):
    """The rows of the one CSV file in `downloads` (as dicts by the header row), once the
    browser has finished writing it."""
    # Chromium writes to a .crdownload file and renames it when the download is complete.
    [path] = wait(browser).until(lambda _: list(downloads.glob("*.csv")))
    with path.open(newline="") as file:
        return list(csv.DictReader(file))


def test_projects_export_downloads_the_changelist_as_csv(browser, live_server, downloads):
    agent = staff_in(SUPPORT_GROUP, ["projects.view_project"])
    project = ProjectFactory(name="Lighthouse tracker")
    sign_in(browser, live_server, agent)

    open_page(browser, live_server, "/admin/projects/project/")
    press(browser, browser.find_element(By.CSS_SELECTOR, "a.export_link"))
    format_row = browser.find_element(By.XPATH, "//label[@for='id_format']/..")
    assert format_row.text.split() == ["Format:", "csv"]  # the only format offered
    button(browser, "Submit").click()  # the answer is a download: the page stays

    [row] = downloaded_csv(browser, downloads)
    assert list(row)[:3] == ["name", "slug", "owner"]  # the changelist's columns first
    assert {"id", "owner_id", "created_at"} <= row.keys()
    assert (row["id"], row["owner"], row["owner_id"], row["name"]) == (
        str(project.pk),
        project.owner.email,
        str(project.owner_id),
        "Lighthouse tracker",
    )
