"""A quarter's report from first figure to acceptance, in a real browser: the reporter fills it,
the head submits, Home Affairs returns a target, the reporter fixes it, the head resubmits,
Home Affairs accepts, and the round overview shows the target green."""

from __future__ import annotations

from datetime import date

import pytest
from django.test.utils import override_settings
from playwright.sync_api import FilePayload, Page, expect
from pytest_django.live_server_helper import LiveServer

from parindex.orgs.models import User
from parindex.reporting.models import Evidence, ReportStatus
from tests.browser.conftest import LoginHelper
from tests.conftest import LaoCai
from tests.web.pages import vi
from tests.web.reporting_data import item_of, make_plan, open_quarter, report_of, value_of

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def sign_in_as(
    page: Page, live_server: LiveServer, login: LoginHelper, user: User, path: str
) -> None:
    page.context.clear_cookies()
    login(page, live_server, user, next_path=path)


def click_and_wait(page: Page, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).click()


def test_a_report_goes_from_the_reporter_to_acceptance_and_the_target_turns_green(
    reporter: User,
    head: User,
    coordinator: User,
    lao_cai: LaoCai,
    page: Page,
    live_server: LiveServer,
    login: LoginHelper,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    plan = make_plan(lao_cai.province, lao_cai.justice, lao_cai.office)
    round_ = open_quarter(plan.plan, 4, date(plan.plan.year + 1, 1, 10))
    report = report_of(round_, lao_cai.justice)
    rate = value_of(report, plan.on_time_rate)
    count = value_of(report, plan.digitised_count)
    on_time = item_of(report, plan.on_time)
    others = [item for item in report.items.all() if item.pk != on_time.pk]
    path = f"/reports/{report.pk}/"
    page.on("dialog", lambda dialog: dialog.accept())

    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("evidence")):
        # The reporter types the counts; the rate appears as they type, the Vietnamese way.
        sign_in_as(page, live_server, login, reporter, path)
        page.fill(f"#v{rate.pk}-numerator", "85")
        page.fill(f"#v{rate.pk}-denominator", "100")
        expect(page.locator(f'output[data-rate="{rate.pk}"]')).to_have_text("85,00 %")
        page.fill(f"#v{count.pk}-numerator", "12")
        for item in report.items.all():
            page.select_option(f"#i{item.pk}-status", "on_track")
        page.fill(f"#i{on_time.pk}-description", "Rà soát hồ sơ quá hạn hằng tuần")
        # Evidence goes up without leaving the page: what was typed stays.
        page.set_input_files(
            f"#evidence-file-{on_time.pk}",
            files=[FilePayload(name="Báo cáo quý IV.pdf", mimeType="application/pdf", buffer=PDF)],
        )
        page.locator(f'button[form="evidence-form-{on_time.pk}"]').click()
        expect(page.locator(f"#evidence-{on_time.pk} a")).to_have_text("Báo cáo quý IV.pdf")
        expect(page.locator(f"#v{rate.pk}-numerator")).to_have_value("85")
        click_and_wait(page, "[data-action-bar] button[name=save]")
        expect(page.locator(".messages")).to_contain_text(vi("Your changes were saved."))
        expect(page.locator("button[data-submit]")).to_have_count(0)
        assert Evidence.objects.filter(item=on_time).count() == 1

        # The head submits.
        sign_in_as(page, live_server, login, head, path)
        click_and_wait(page, "button[data-submit]")
        expect(page.locator(".messages")).to_contain_text(
            vi("The report was submitted to Home Affairs.")
        )
        report.refresh_from_db()
        assert report.status == ReportStatus.SUBMITTED

        # Home Affairs accepts two targets and returns the on-time one with a comment.
        sign_in_as(page, live_server, login, coordinator, path)
        for item in others:
            click_and_wait(page, f'form[data-review-form="{item.pk}"] button[data-accept]')
        box = page.locator(f'form[data-review-form="{on_time.pk}"]')
        box.locator("textarea").fill("Tỷ lệ 85 % chưa đạt; nêu rõ số hồ sơ quá hạn và lý do")
        click_and_wait(page, f'form[data-review-form="{on_time.pk}"] button[data-return]')
        click_and_wait(page, "button[data-finish-review]")
        report.refresh_from_db()
        assert report.status == ReportStatus.RETURNED

        # The reporter sees the comment beside the target and corrects it.
        sign_in_as(page, live_server, login, reporter, path)
        expect(page.locator(f'[data-item="{on_time.pk}"] [data-review-comment]')).to_contain_text(
            "nêu rõ số hồ sơ quá hạn"
        )
        expect(page.locator(f"#i{others[0].pk}-status")).to_have_count(0)  # accepted: locked
        page.fill(f"#v{rate.pk}-numerator", "95,5")
        expect(page.locator(f'output[data-rate="{rate.pk}"]')).to_have_text("95,50 %")
        page.fill(f"#i{on_time.pk}-description", "Đã xử lý dứt điểm 12 hồ sơ quá hạn")
        page.select_option(f"#i{on_time.pk}-status", "done")
        click_and_wait(page, "[data-action-bar] button[name=save]")

        # The head resubmits; Home Affairs accepts the corrected target and the report.
        sign_in_as(page, live_server, login, head, path)
        click_and_wait(page, "button[data-submit]")
        sign_in_as(page, live_server, login, coordinator, path)
        expect(page.locator("form[data-review-form]")).to_have_count(3)
        click_and_wait(page, f'form[data-review-form="{on_time.pk}"] button[data-accept]')
        click_and_wait(page, "button[data-finish-review]")
        expect(page.locator(".messages")).to_contain_text(vi("The report was accepted."))
        expect(page.locator("[data-report]").first).to_have_attribute("data-state", "accepted")
        actions = page.locator('[data-section="history"] li[data-action]').evaluate_all(
            "items => items.map(li => li.dataset.action)"
        )
        assert actions.count("reporting.report.submit") == 2
        assert actions[:2] == ["reporting.report.accept", "reporting.item.review"]
        assert "reporting.report.return" in actions and "reporting.evidence.add" in actions

        # The round overview: the target is green, its province value is the agency's 95,50 %.
        page.goto(f"/reports/rounds/{round_.pk}/")
        target = page.locator(f'article[data-target="{plan.on_time.pk}"]')
        expect(target).to_have_attribute("data-light", "green")
        expect(target.locator("[data-province-value]")).to_have_text("95,50 %")
        expect(page.locator(f'tr[data-agency="{lao_cai.justice.pk}"]')).to_have_attribute(
            "data-state", "accepted"
        )
        # The target's agencies are read when it is opened.
        expect(target.locator(".drill-body tr[data-report]")).to_have_count(0)
        target.locator("details > summary").click()
        expect(target.locator(f'.drill-body tr[data-report="{report.pk}"]')).to_have_attribute(
            "data-state", "accepted"
        )
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED
