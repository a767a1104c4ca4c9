"""Reporting on an action that closes the gap, in a real browser at a desktop and a phone width:
the line is saved on its own without leaving the report, and what is typed in the report stays."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from parindex.forecasting.models import ActionLine
from parindex.orgs.models import User
from tests.browser.conftest import LoginHelper
from tests.conftest import LaoCai
from tests.forecasting.support import link_plan, make_action
from tests.web.pages import vi
from tests.web.reporting_data import make_plan, open_quarter, report_of


@pytest.mark.parametrize("width", [1366, 390])
def test_the_reporter_reports_on_an_action_line_without_leaving_the_report(
    width: int,
    reporter: User,
    coordinator: User,
    lao_cai: LaoCai,
    page: Page,
    live_server: LiveServer,
    login: LoginHelper,
) -> None:
    linked = link_plan(
        make_plan(lao_cai.province, lao_cai.justice, lao_cai.office), lao_cai.province
    )
    report = report_of(open_quarter(linked.plan, 4, date(linked.year + 1, 1, 10)), lao_cai.justice)
    action = make_action(linked, lao_cai.justice, by=coordinator)
    line = ActionLine.objects.get(action=action)
    page.set_viewport_size({"width": width, "height": 900})
    login(page, live_server, reporter, next_path=f"/reports/{report.pk}/")

    section = page.locator(f"#action-line-{line.pk}")
    expect(section).to_contain_text(action.title)
    page.fill("#narrative", "Tóm tắt đang gõ dở")
    page.select_option(f"#line-{line.pk}-status", "at_risk")
    page.fill(f"#line-{line.pk}-description", "Còn 12 hồ sơ quá hạn, đã đôn đốc")
    section.locator("button[data-save-line]").click()

    expect(page.locator(f"#action-line-{line.pk} [data-line-saved]")).to_have_text(vi("Saved."))
    expect(page.locator("#narrative")).to_have_value("Tóm tắt đang gõ dở")
    box = page.locator(f"#action-line-{line.pk}").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    line.refresh_from_db()
    assert (line.status, line.description) == ("at_risk", "Còn 12 hồ sơ quá hạn, đã đôn đốc")

    page.reload()
    expect(page.locator(f"#line-{line.pk}-description")).to_have_value(
        "Còn 12 hồ sơ quá hạn, đã đôn đốc"
    )
