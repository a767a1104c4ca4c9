"""A Home Affairs coordinator enters a paper form on screen and sees it counted on the indices
page, whose charts are drawn with their numbers beside them: on a desktop and on a phone."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from parindex.orgs.models import User
from parindex.surveys.models import Response
from tests.browser.conftest import LoginHelper
from tests.conftest import LaoCai
from tests.web.survey_data import answer, survey_2020

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_a_coordinator_enters_a_paper_form_and_sees_it_counted_on_desktop_and_phone(
    page: Page, live_server: LiveServer, login: LoginHelper, lao_cai: LaoCai, coordinator: User
) -> None:
    survey = survey_2020(lao_cai)
    answer(survey, lao_cai.office, date(2020, 4, 2), sat_staff="4", sat_overall="4")
    login(page, live_server, coordinator)
    for number, (width, height) in enumerate(((1366, 900), (390, 844)), start=1):
        page.set_viewport_size({"width": width, "height": height})
        page.goto("/")
        nav = page.locator("a[data-nav=surveys]")
        if width < 600:  # the navigation scrolls sideways on a phone
            nav.scroll_into_view_if_needed()
        nav.click()
        page.get_by_role("link", name="Khảo sát SIPAS 2020").click()
        page.get_by_role("link", name="Nhập phiếu giấy").click()

        page.select_option("#id_agency", "so-tu-phap")
        page.fill("#id_submitted_on", "15/05/2020")
        page.fill("#id_dossier_code", f"000.12.34.H35-000{number}")
        # The late days are asked only when the result came late.
        late = page.locator("[data-question=late_days]")
        expect(late).to_be_hidden()
        page.locator("[data-question=on_time] label", has_text="Không").click()
        expect(late).to_be_visible()
        late.locator("input").fill("2")
        page.locator("[data-question=sat_staff] label").filter(has_text="5").first.click()
        page.locator("[data-question=sat_overall] label").filter(has_text="4").first.click()
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
        page.get_by_role("button", name="Lưu phiếu").click()
        expect(page.locator(".messages")).to_contain_text("Đã lưu phiếu cho Sở Tư pháp")
        assert Response.objects.filter(survey=survey, agency=lao_cai.justice).count() == number

        page.goto(f"/surveys/{survey.pk}/indices/?period=2020Q2")
        row = page.locator("[data-index-rows] tr[data-agency=so-tu-phap]").first
        expect(row.locator("[data-n]")).to_have_text(str(number))
        expect(row.locator("[data-share]")).to_have_text("100,00")
        for key in ("factors", "agencies", "trend"):
            expect(page.locator(f"canvas[data-chart='chart-{key}']")).to_have_attribute(
                "data-chart-drawn", "1"
            )
        ranked = page.locator("[data-figure-table=agencies] tbody tr")
        expect(ranked.first).to_contain_text("Sở Tư pháp")
        # Choosing another factor redraws the ranking alone.
        page.select_option("#id_factor", "staff")
        expect(page.locator("#figure-agencies h2")).to_contain_text("Công chức")
        expect(page.locator("canvas[data-chart='chart-agencies']")).to_have_attribute(
            "data-chart-drawn", "1"
        )
        download = page.request.get(
            page.locator("#figure-agencies [data-download=xlsx]").get_attribute("href") or ""
        )
        assert download.ok and download.body()[:2] == b"PK"
        assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
