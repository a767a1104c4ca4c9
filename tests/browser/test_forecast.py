"""A leader signs in, lands on where the province stands, reads the charts and their numbers, and
runs a what-if that moves the rank: on a desktop and on a phone."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from parindex.orgs.models import User
from parindex.web.demo import DEMO_PASSWORD
from tests.browser.conftest import LoginHelper

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_a_leader_lands_on_the_forecast_and_a_what_if_moves_the_rank_on_desktop_and_phone(
    page: Page, live_server: LiveServer, login: LoginHelper
) -> None:
    call_command("demo", stdout=io.StringIO())
    leader = User.objects.get(username="lanhdao")
    for width, height in ((1366, 900), (390, 844)):
        page.context.clear_cookies()
        page.set_viewport_size({"width": width, "height": height})
        login(page, live_server, leader, password=DEMO_PASSWORD)
        assert "/forecast/" in page.url, page.url
        expect(page.locator("h1")).to_contain_text("Lào Cai 2020")
        expect(page.locator("[data-expected-score]")).to_contain_text(",")
        expected_rank = page.locator("[data-expected-rank]").inner_text()
        # Every chart is drawn by the vendored library, and its numbers are a table too.
        for key in ("gauge", "scores", "domains", "ranking", "history"):
            expect(page.locator(f"canvas[data-chart='chart-{key}']")).to_have_attribute(
                "data-chart-drawn", "1"
            )
        numbers = page.locator("#figure-ranking details.figure-numbers")
        numbers.locator("summary").click()
        expect(numbers.locator("tbody tr").first).to_be_visible()
        download = page.request.get(
            page.locator("#figure-ranking [data-download=xlsx]").get_attribute("href") or ""
        )
        assert download.ok and download.body()[:2] == b"PK"
        expect(page.locator("[data-top-stakes] tbody tr")).to_have_count(10)
        # The page fits the screen; wide tables scroll inside their own frame.
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1

        field = page.locator("#wi-5\\.6")
        field.scroll_into_view_if_needed()
        field.fill("0")
        page.locator("[data-run-what-if]").click()
        result = page.locator("[data-what-if-result]")
        expect(result.locator("[data-what-if-score]")).to_be_visible()
        expect(result.locator("[data-rank-moved]")).to_be_visible()
        assert result.locator("[data-what-if-rank]").inner_text() != expected_rank.split("/")[0]
        # Nothing was kept: the dashboard still shows the expected rank.
        page.reload()
        expect(page.locator("[data-expected-rank]")).to_have_text(expected_rank)
