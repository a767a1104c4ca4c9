"""A unit's self-assessment from first value to the published ranking, in a real browser, on a
desktop and on a phone: the head enters values (points appear as they type) and submits, the
appraiser accepts one item and returns another, the head answers, the appraiser finishes, Home
Affairs closes the appraisal and publishes, and the ranking shows the unit first.

The other units and the tree are made with the actions: only the steps under test go through
the screens."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from parindex.assessment import actions
from parindex.assessment.models import Appraisal, Entry, UnitStatus
from parindex.orgs.models import User
from tests.assessment.conftest import Open2020, fresh, open_2020, tree
from tests.browser.conftest import LoginHelper
from tests.web.pages import vi

__all__ = ["open_2020", "tree"]  # fixtures used by name below


def sign_in_as(
    page: Page, live_server: LiveServer, login: LoginHelper, user: User, path: str
) -> None:
    page.context.clear_cookies()
    login(page, live_server, user, next_path=path)


def click_and_wait(page: Page, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).first.click()


def appraised_elsewhere(units: Open2020) -> None:
    """The other two units submitted with explanations and were appraised as they stood."""
    for unit in (units.office, units.home_affairs):
        current = fresh(unit)
        saved, errors = actions.save_entries(
            current,
            by=None,
            version=current.version,
            entries={
                code: actions.EntryInput(explanation="Chưa có số liệu")
                for code in ("1.1", "1.2", "1.3", "2.1")
            },
        )
        assert errors == {}
        actions.submit_unit(fresh(saved), by=None)
        actions.finish_unit_appraisal(fresh(saved), by=None)


@pytest.mark.parametrize("width", [1366, 390])
def test_self_assess_submit_appraise_return_answer_close_and_rank(
    width: int,
    open_2020: Open2020,
    head: User,
    appraiser: User,
    coordinator: User,
    page: Page,
    live_server: LiveServer,
    login: LoginHelper,
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.on("dialog", lambda dialog: dialog.accept())
    appraised_elsewhere(open_2020)
    unit = open_2020.justice
    own = f"/assessments/units/{unit.pk}/"
    appraisal = f"/assessments/units/{unit.pk}/appraisal/"

    # The head enters the values; the points of a rate appear as the counts are typed.
    sign_in_as(page, live_server, login, head, own)
    # Nothing is wider than the screen: every field can be reached without scrolling sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.select_option("#f-1-1-band", "Ban hành kịp thời")
    page.fill("#f-1-2-numerator", "95")
    page.fill("#f-1-2-denominator", "100")
    expect(page.locator("#pts-1-2")).to_contain_text("2,00")
    expect(page.locator("#pts-1-2")).to_contain_text("Từ 90% trở lên")
    page.fill("#f-1-3-value", "90")
    page.fill("#f-2-1-value", "3")
    for code in ("1-1", "1-2", "1-3", "2-1"):
        page.fill(f"#f-{code}-explanation", "Số liệu theo báo cáo năm")
    click_and_wait(page, "button[data-submit]")
    expect(page.locator(".messages")).to_contain_text(
        vi("The self-assessment was submitted for appraisal.")
    )
    expect(page.locator("[data-total=self]")).to_have_text("7,80")
    assert fresh(unit).status == UnitStatus.SUBMITTED

    # The appraiser accepts 1.1 and asks for more evidence on 2.1.
    sign_in_as(page, live_server, login, appraiser, appraisal)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    accept = page.locator('form[data-appraise-form="1.1"]')
    accept.locator("input[value=accept]").check()
    click_and_wait(page, 'button[data-appraise="1.1"]')
    expect(page.locator('[data-appraised="1.1"]')).to_have_text("2,00")
    request = page.locator('form[data-appraise-form="2.1"]')
    request.locator("input[value=request]").check()
    request.locator("textarea[name=comment]").fill("Gửi quyết định công nhận sáng kiến")
    click_and_wait(page, 'button[data-appraise="2.1"]')
    assert fresh(unit).status == UnitStatus.RETURNED

    # The head sees the returned item and answers it.
    sign_in_as(page, live_server, login, head, own)
    expect(page.locator("[data-returned]")).to_contain_text("2.1")
    expect(page.locator('[data-leaf="2.1"] [data-request]')).to_contain_text(
        "Gửi quyết định công nhận sáng kiến"
    )
    page.fill("#f-2-1-answer", "Đã bổ sung Quyết định 45/QĐ-STP")
    click_and_wait(page, 'button[data-send-answer="2.1"]')
    expect(page.locator(".messages")).to_contain_text(vi("Your answer was sent to the appraiser."))
    assert Entry.objects.get(unit=unit, node__code="2.1").appraisal == Appraisal.ANSWERED

    # The appraiser finishes; Home Affairs closes and publishes; the ranking shows the unit first.
    sign_in_as(page, live_server, login, appraiser, appraisal)
    expect(page.locator('[data-leaf="2.1"]')).to_contain_text("Đã bổ sung Quyết định 45/QĐ-STP")
    click_and_wait(page, "button[data-finish]")
    assert fresh(unit).status == UnitStatus.APPRAISED
    sign_in_as(page, live_server, login, coordinator, f"/assessments/{unit.assessment_id}/")
    click_and_wait(page, "button[data-close]")
    click_and_wait(page, "button[data-publish]")
    first = page.locator("tr[data-rank='1']")
    expect(first).to_have_count(1)
    expect(first).to_contain_text(unit.organisation.name)
    expect(first.locator("[data-final]")).to_have_text("7,80")
