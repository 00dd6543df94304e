"""The browser suite: Debian's headless Chromium, driven by Selenium through Debian's
ChromeDriver, against pytest-django's `live_server` (real HTTP, the real test database).

One browser serves the whole session; each test starts signed out. A test that fails leaves a
screenshot and the page's HTML in `browser-artifacts/` at the repository root.
"""

import os
import re
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.service import Service

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).resolve().parents[2] / "browser-artifacts"

# The machines reach no network but the package registries: without these, Chromium keeps
# trying to reach Google's services at start-up and in the background.
QUIET_FLAGS = (
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
    "--disable-quic",
)


def chromium_options(profile, downloads):
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    options.add_argument("--headless")
    options.add_argument("--window-size=1280,1024")  # admin's desktop layout, in screenshots too
    options.add_argument(f"--user-data-dir={profile}")
    for flag in QUIET_FLAGS:
        options.add_argument(flag)
    if os.geteuid() == 0:
        options.add_argument("--no-sandbox")  # Chromium's sandbox refuses to start as root
    options.add_experimental_option(
        "prefs",
        {"download.default_directory": str(downloads), "download.prompt_for_download": False},
    )
    return options


@pytest.fixture(scope="session")
def downloads(tmp_path_factory):
    """Where the browser saves what it downloads."""
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="session")
def chromium(tmp_path_factory, downloads):
    missing = [str(path) for path in (CHROMIUM, CHROMEDRIVER) if not os.access(path, os.X_OK)]
    if missing:
        pytest.fail(
            f"{' and '.join(missing)} missing: the browser tests need Debian's chromium and "
            "chromium-driver packages (`make test` installs them through "
            "scripts/require-chromium when run as root)",
            pytrace=False,
        )
    options = chromium_options(tmp_path_factory.mktemp("chromium-profile"), downloads)
    # Both paths are given, so Selenium Manager is never asked; offline, should a later
    # Selenium ask it anyway, it cannot try to download a browser or driver.
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SE_OFFLINE", "true")
        driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    yield driver
    driver.quit()


@pytest.fixture
def browser(chromium, live_server):
    """The session's browser, signed out again after the test."""
    yield chromium
    chromium.delete_all_cookies()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    driver = item.funcargs.get("browser")
    if report.failed and report.when == "call" and driver is not None:
        report.sections.append(("browser artifacts", save_artifacts(driver, item.nodeid)))
    return report


def save_artifacts(driver, nodeid):
    """A screenshot and the HTML of the page the test ended on; says where they went."""
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^\w-]+", "_", nodeid)
    screenshot, html = ARTIFACTS / f"{name}.png", ARTIFACTS / f"{name}.html"
    try:
        url = driver.current_url
        driver.save_screenshot(str(screenshot))
        html.write_text(driver.page_source)
    except WebDriverException as exc:  # a crashed browser must not hide the test's own failure
        return f"could not save the page: {exc.msg}"
    return f"page {url}\nscreenshot {screenshot}\nHTML {html}"
