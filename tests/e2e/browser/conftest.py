"""Real-browser tests: Debian's headless Chromium driven by Selenium against pytest-django's
`live_server`. One browser per test module (it is the slow part to start); each test logs in by
setting a session cookie, so the database flush between tests costs no login page.

Every test records a screenshot per step (`steps.take("...")`); when a test fails, they are written to
`.local/screenshots/<test>/`, with one of the page as it was when it failed.
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.accounts.factories import UserFactory
from tests.staff_groups import ensure_staff_groups

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SCREENSHOTS = Path(__file__).resolve().parents[3] / ".local" / "screenshots"
WAIT_SECONDS = 20
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,1100",
    # No name resolves but this machine's: a page that needs the internet fails here as it would offline.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost",
]


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="module")
def browser():
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.fail("Chromium is missing: `make browser` installs Debian's chromium and chromium-driver")
    profile = tempfile.mkdtemp(prefix="kraken-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


class Steps:
    """Screenshots of a test's steps, kept in memory and written only if the test fails."""

    def __init__(self, driver, name: str) -> None:
        self.driver, self.name, self.shots = driver, name, []

    def take(self, step: str) -> None:
        self.shots.append((step, self.driver.get_screenshot_as_png()))

    def save(self) -> Path:
        folder = SCREENSHOTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", self.name)
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        self.shots.append(("failed-here", self.driver.get_screenshot_as_png()))
        for index, (step, png) in enumerate(self.shots, start=1):
            (folder / f"{index:02d}-{re.sub(r'[^A-Za-z0-9_-]+', '-', step)}.png").write_bytes(png)
        return folder


@pytest.fixture
def steps(request, browser):
    recorder = Steps(browser, request.node.nodeid.split("::", 1)[-1])
    yield recorder
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        folder = recorder.save()
        sys.stderr.write(f"\nScreenshots of the steps: {folder}\n")


class Page:
    """The browser on the live server, with the few moves the tests make."""

    def __init__(self, driver, live_server) -> None:
        self.driver, self.base = driver, live_server.url

    def open(self, path: str) -> None:
        self.driver.get(self.base + path)

    def login(self, user) -> None:
        """Log `user` in by handing the browser a session made by Django's test client."""
        client = Client()
        client.force_login(user)
        self.open("/admin/login/")
        self.driver.delete_all_cookies()
        self.driver.add_cookie({"name": "sessionid", "value": client.cookies["sessionid"].value, "path": "/"})

    def find(self, css: str):
        return WebDriverWait(self.driver, WAIT_SECONDS).until(
            expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css))
        )

    def visible(self, css: str):
        return WebDriverWait(self.driver, WAIT_SECONDS).until(
            expected_conditions.visibility_of_element_located((By.CSS_SELECTOR, css))
        )

    def click(self, css: str) -> None:
        WebDriverWait(self.driver, WAIT_SECONDS).until(
            expected_conditions.element_to_be_clickable((By.CSS_SELECTOR, css))
        ).click()

    def fill(self, css: str, value: str) -> None:
        field = self.find(css)
        field.clear()
        field.send_keys(value)

    def select(self, css: str, value: str) -> None:
        Select(self.find(css)).select_by_value(value)

    def text(self, css: str = "body") -> str:
        return self.find(css).text

    def wait_for_text(self, text: str, css: str = "body", timeout: float = WAIT_SECONDS) -> None:
        WebDriverWait(self.driver, timeout).until(
            expected_conditions.text_to_be_present_in_element((By.CSS_SELECTOR, css), text)
        )

    def autocomplete(self, field: str, term: str) -> None:
        """Pick the first match for `term` in a select2 autocomplete (Django's autocomplete_fields)."""
        self.click(f"#id_{field} + .select2 .select2-selection")
        search = self.visible(".select2-container--open .select2-search__field")
        search.send_keys(term)
        WebDriverWait(self.driver, WAIT_SECONDS).until(
            expected_conditions.text_to_be_present_in_element(
                (By.CSS_SELECTOR, ".select2-container--open .select2-results__option"), term
            )
        )
        self.click(".select2-container--open .select2-results__option")
        self.wait_for_text(term, f"#select2-id_{field}-container")


@pytest.fixture
def page(browser, live_server, steps):
    return Page(browser, live_server)


def staff_user(*groups: str, **fields):
    """A staff user in `groups` (the groups are created again after each test's database flush)."""
    ensure_staff_groups()
    user = UserFactory(is_staff=True, **fields)
    user.groups.add(*Group.objects.filter(name__in=groups))
    return user
