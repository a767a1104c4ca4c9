"""A coordinator imports a dossier file on screen, follows its progress to the end and reads
the form for the period, on a laptop (1366 px) and on a phone (390 px)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import override_settings
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from parindex.dossiers.models import DossierImport, ImportStatus
from parindex.orgs.models import User
from tests.browser.conftest import RESULTS, LoginHelper
from tests.conftest import LaoCai
from tests.dossiers.support import csv_file


@pytest.fixture(autouse=True)
def _in_the_background() -> Iterator[None]:
    """As the server runs an import: in a thread, the page polling its progress."""
    with override_settings(PARINDEX_DOSSIER_IMPORT_IN_BACKGROUND=True):
        yield


def test_a_coordinator_imports_dossiers_follows_the_progress_and_reads_the_form(
    coordinator: User,
    lao_cai: LaoCai,
    page: Page,
    live_server: LiveServer,
    login: LoginHelper,
    tmp_path: Path,
) -> None:
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, live_server, coordinator, next_path="/dossiers/import/")
    page.set_input_files("input[name=file]", str(csv_file(tmp_path / "ho-so.csv")))
    page.locator("form[data-section=import] [type=submit]").click()
    # The progress page, then the run's result once the import is over.
    expect(page).to_have_url(re.compile(r"/dossiers/(import/[0-9a-f]{32}|imports/\d+)/$"))
    expect(page).to_have_url(re.compile(r"/dossiers/imports/\d+/$"), timeout=30_000)
    run = DossierImport.objects.get()
    assert run.status == ImportStatus.DONE and run.inserted == 6
    expect(page.locator("[data-result=done]")).to_be_visible()
    expect(page.locator("[data-count=inserted]")).to_have_text("6")
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / "dossier-import-result-1366.png"), full_page=True)

    page.goto("/dossiers/?period=2024Q2")
    expect(page.locator("[data-dossier-count]")).to_have_attribute("data-dossier-count", "6")
    justice = page.locator("table[data-table=form] tr[data-agency=so-tu-phap] a[data-count]")
    expect(justice).to_have_text(["3", "0", "2", "1", "3", "1", "1", "1", "0", "0", "0"])
    expect(page.locator("tr[data-agency='000.00.12.H37'] [data-unmatched]")).to_be_visible()
    page.screenshot(path=str(RESULTS / "dossier-form-1366.png"), full_page=True)

    # A range typed as the province writes dates, whatever the browser's own locale.
    page.locator("#from").fill("15/04/2024")
    page.locator("#to").fill("30/06/2024")
    page.locator("form[data-section=choose] [type=submit]").click()
    expect(page.locator("[data-section=summary]")).to_contain_text("15/04/2024")
    expect(page.locator("#from")).to_have_value("15/04/2024")
    # Received or still open from 15 April: all but HS-001 and HS-002, finished before it.
    expect(page.locator("[data-dossier-count]")).to_have_attribute("data-dossier-count", "4")
    page.goto("/dossiers/?period=2024Q2")

    # On a phone the page keeps its width; the form's table scrolls inside its card.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.locator("table[data-table=form]")).to_be_visible()
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= 390
    wrap = page.locator("[data-section=form] .table-wrap")
    assert wrap.evaluate("e => e.scrollWidth > e.clientWidth")
    page.screenshot(path=str(RESULTS / "dossier-form-390.png"), full_page=True)
    page.goto("/dossiers/list/?period=2024Q2&kind=tong_so")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(RESULTS / "dossier-list-390.png"), full_page=True)

    # The late dossier behind Sở Tư pháp's count (10).
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto("/dossiers/?period=2024Q2")
    justice.nth(7).click()
    expect(page.locator("[data-total]")).to_have_attribute("data-total", "1")
    expect(page.locator("tr[data-dossier]")).to_have_count(1)
    expect(page.locator("tr[data-dossier='HS-003']")).to_be_visible()
    page.screenshot(path=str(RESULTS / "dossier-list-1366.png"), full_page=True)
