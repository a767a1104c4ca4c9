"""Browser tests: Debian's Chromium driven by Playwright (sync API) against pytest-django's
live server. Every test in this folder is marked `browser`; `make test-pg` leaves them out.

Playwright's bundled browsers are never downloaded (no `playwright install`): the system
Chromium at CHROMIUM is used. A failing test leaves a screenshot in test-results/.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from playwright.sync_api import Browser, Page, Playwright, sync_playwright
from pytest_django.live_server_helper import LiveServer

from parindex.orgs.models import User
from tests.conftest import PASSWORD

# Playwright's sync API runs an event loop in the test thread, which makes Django refuse
# database access from tests ("You cannot call this from an async context").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("PARINDEX_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
TIMEOUT_MS = 10_000
RESULTS = Path(__file__).resolve().parents[2] / "test-results"
BROWSER_DIR = Path(__file__).resolve().parent

LoginHelper = Callable[..., Page]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if BROWSER_DIR in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)


_reports = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    # Seen by the page fixture's teardown, which decides whether to take a screenshot.
    item.stash.setdefault(_reports, {})[report.when] = report
    return report


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (make test does)")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
    )
    yield browser
    browser.close()


@pytest.fixture
def page(
    request: pytest.FixtureRequest, browser: Browser, live_server: LiveServer
) -> Iterator[Page]:
    """A fresh browser context per test, Vietnamese locale and time zone, relative URLs
    resolved against the live server: page.goto("/")."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="vi-VN",
        timezone_id="Asia/Ho_Chi_Minh",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()
    # A script, style or handler the Content-Security-Policy blocked is a broken page.
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    reports = request.node.stash.get(_reports, {})
    if any(report.failed for report in reports.values()):
        RESULTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)[-150:]
        try:
            page.screenshot(path=str(RESULTS / f"{name}.png"), full_page=True)
        except Exception as error:  # the page may be gone; the test failure is what matters
            print(f"no screenshot for {request.node.nodeid}: {error}")
    context.close()
    assert not blocked, f"the Content-Security-Policy blocked: {blocked}"


@pytest.fixture
def login() -> LoginHelper:
    """login(page, live_server, user, password=PASSWORD, next_path=None) signs in through the
    login form and returns the page, on the page the form sent the person to."""

    def sign_in(
        page: Page,
        live_server: LiveServer,
        user: User,
        password: str = PASSWORD,
        next_path: str | None = None,
    ) -> Page:
        login_url = resolve_url(settings.LOGIN_URL)
        query = f"?next={quote(next_path)}" if next_path else ""
        page.goto(f"{live_server.url}{login_url}{query}")
        page.fill("#id_username", user.get_username())
        page.fill("#id_password", password)
        form = page.locator("form").filter(has=page.locator("#id_username"))
        with page.expect_navigation():
            form.locator("[type=submit]").first.click()
        if page.url.split("?")[0].endswith(login_url):
            problem = page.locator(".errorlist, [role=alert], .alert").all_inner_texts()
            raise AssertionError(f"login as {user.get_username()} failed: {problem}")
        return page

    return sign_in
