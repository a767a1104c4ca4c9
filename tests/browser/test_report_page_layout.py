"""The report page in a real browser on a desktop (1366 px) and a phone (390 px): the actions
stay within reach above the tables' headers, every value can be typed on a phone, leaving with
unsaved changes asks first, a refused field is one click away, and a link into a folded domain
opens it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import Dialog, Page, expect
from pytest_django.live_server_helper import LiveServer

from parindex.orgs.models import User
from parindex.plans.models import Quantity, Responsibility, Target, TargetAgency
from parindex.reporting import actions
from parindex.reporting.models import Report
from tests.browser.conftest import LoginHelper
from tests.conftest import LaoCai
from tests.web.pages import vi
from tests.web.reporting_data import SmallPlan, fill, item_of, open_quarter, report_of, value_of

WIDTHS = {"desktop": 1366, "phone": 390}
HEIGHT = 800


@pytest.fixture
def long_report(small_plan: SmallPlan, lao_cai: LaoCai) -> Report:
    """Sở Tư pháp's report with a dozen targets more, each with a table of quantities: longer
    than any window, as every real one is."""
    for n in range(12):
        target = Target.objects.create(
            plan=small_plan.plan,
            area=small_plan.on_time.area,
            text=f"Chỉ tiêu bổ sung số {n + 1} về giải quyết thủ tục hành chính",
            position=10 + n,
        )
        Quantity.objects.create(
            target=target,
            subject=f"Tỷ lệ hồ sơ loại {n + 1} giải quyết đúng hạn",
            comparator=">=",
            value=90,
            unit="percent",
        )
        TargetAgency.objects.create(
            target=target, organisation=lao_cai.justice, responsibility=Responsibility.LEAD
        )
    round_ = open_quarter(small_plan.plan, 4, date(small_plan.plan.year + 1, 1, 10))
    return report_of(round_, lao_cai.justice)


def open_page(
    page: Page, live_server: LiveServer, login: LoginHelper, user: User, width: int, path: str
) -> None:
    page.set_viewport_size({"width": width, "height": HEIGHT})
    login(page, live_server, user, next_path=path)


def assert_actions_on_top_of_table_headers(page: Page, button: str) -> None:
    """Scroll each table header under the action bar in turn: the button stays in the window
    and is what a click there reaches."""
    bar = page.locator("[data-action-bar]")
    expect(bar.locator(button)).to_be_visible()
    overlaps = page.evaluate(
        """(selector) => {
          const bar = document.querySelector('[data-action-bar]');
          const button = bar.querySelector(selector);
          let overlaps = 0, covered = [];
          for (const th of document.querySelectorAll('.report-values thead th')) {
            if (!th.offsetParent) continue;  // a header not laid out (the phone's cards)
            const barBox = bar.getBoundingClientRect();
            window.scrollBy(0, th.getBoundingClientRect().top - (barBox.top + barBox.height / 2));
            const b = button.getBoundingClientRect(), h = th.getBoundingClientRect();
            if (b.bottom > window.innerHeight || b.top < 0) { covered.push('out of the window'); continue; }
            if (h.bottom < b.top || h.top > b.bottom) continue;  // the page ended first
            overlaps += 1;
            const x = Math.max(b.left + 2, Math.min(b.right - 2, (h.left + h.right) / 2));
            const hit = document.elementFromPoint(x, (b.top + b.bottom) / 2);
            if (!button.contains(hit)) covered.push(hit ? hit.outerHTML.slice(0, 80) : 'nothing');
          }
          return {overlaps, covered};
        }""",
        button,
    )
    assert overlaps["covered"] == []
    assert overlaps["overlaps"] >= 3


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_the_reporters_save_button_stays_in_reach_above_the_table_headers(
    width: int,
    reporter: User,
    long_report: Report,
    page: Page,
    live_server: LiveServer,
    login: LoginHelper,
) -> None:
    open_page(page, live_server, login, reporter, width, f"/reports/{long_report.pk}/")
    assert_actions_on_top_of_table_headers(page, "button[name=save]")
    # Half way down, the bar is still at the bottom of the window.
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight / 2)")
    box = page.locator("[data-action-bar]").bounding_box()
    assert box is not None and box["y"] + box["height"] <= HEIGHT + 1


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_the_reviewers_finish_button_stays_in_reach_above_the_table_headers(
    width: int,
    head: User,
    coordinator: User,
    long_report: Report,
    page: Page,
    live_server: LiveServer,
    login: LoginHelper,
) -> None:
    fill(long_report, None, counts={})
    actions.submit_report(long_report, by=head)
    open_page(page, live_server, login, coordinator, width, f"/reports/{long_report.pk}/")
    assert_actions_on_top_of_table_headers(page, "button[data-finish-review]")
    expect(page.locator("[data-action-bar] button[data-accept-pending]")).to_be_visible()


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_every_value_can_be_typed_without_leaving_the_width_of_the_screen(
    width: int,
    reporter: User,
    long_report: Report,
    page: Page,
    live_server: LiveServer,
    login: LoginHelper,
) -> None:
    open_page(page, live_server, login, reporter, width, f"/reports/{long_report.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    fields = page.locator(
        "#report-form input[data-numerator], #report-form input[data-denominator]"
    )
    assert fields.count() == 2 * 13 + 1
    for i in range(fields.count()):
        field = fields.nth(i)
        # Scrolled to vertically only, as a thumb does: the whole field shows, no table to
        # slide sideways first, nothing clipping it.
        seen = field.evaluate(
            """(el) => {
              window.scrollTo(0, el.getBoundingClientRect().top + window.scrollY - 200);
              const b = el.getBoundingClientRect(), y = (b.top + b.bottom) / 2;
              const at = (x) => document.elementFromPoint(x, y) === el;
              return {left: b.left, right: b.right, width: b.width,
                      reachable: at(b.left + 3) && at(b.right - 3)};
            }"""
        )
        name = field.get_attribute("id")
        assert seen["left"] >= 0 and seen["right"] <= width, (name, seen)
        assert seen["reachable"] and seen["width"] >= 60, (name, seen)
        field.fill(str(i + 1))
        expect(field).to_have_value(str(i + 1))
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_leaving_with_unsaved_changes_asks_first_but_saving_does_not(
    width: int,
    reporter: User,
    justice_report: Report,
    small_plan: SmallPlan,
    page: Page,
    live_server: LiveServer,
    login: LoginHelper,
) -> None:
    path = f"/reports/{justice_report.pk}/"
    rate = value_of(justice_report, small_plan.on_time_rate)
    asked: list[str] = []

    def answer(dialog: Dialog) -> None:
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", answer)
    open_page(page, live_server, login, reporter, width, path)
    # Nothing typed: the page is left without a question.
    with page.expect_navigation():
        page.locator(".breadcrumbs a").first.click()
    assert asked == []
    page.goto(path)
    page.fill(f"#v{rate.pk}-numerator", "85")
    page.locator(".breadcrumbs a").first.click()
    expect(page.locator(f"#v{rate.pk}-numerator")).to_have_value("85")
    assert asked == ["beforeunload"]
    assert page.url.endswith(path)
    # Saving is what the person asked for: no question.
    page.fill(f"#v{rate.pk}-denominator", "100")
    with page.expect_navigation():
        page.locator("[data-action-bar] button[name=save]").click()
    expect(page.locator(".messages")).to_contain_text(vi("Your changes were saved."))
    assert asked == ["beforeunload"]
    rate.refresh_from_db()
    assert (rate.numerator, rate.denominator) == (Decimal(85), Decimal(100))


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_after_a_refused_save_each_field_in_error_is_one_click_away(
    width: int,
    reporter: User,
    long_report: Report,
    small_plan: SmallPlan,
    page: Page,
    live_server: LiveServer,
    login: LoginHelper,
) -> None:
    rate = value_of(long_report, small_plan.on_time_rate)
    count = value_of(long_report, small_plan.digitised_count)
    open_page(page, live_server, login, reporter, width, f"/reports/{long_report.pk}/")
    page.fill(f"#v{rate.pk}-numerator", "12x")
    page.fill(f"#v{count.pk}-numerator", "mười")
    with page.expect_navigation():
        page.locator("[data-action-bar] button[name=save]").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary.locator("a")).to_have_count(2)
    for field_id in (f"v{count.pk}-numerator", f"v{rate.pk}-numerator"):
        summary.locator(f'a[href="#{field_id}"]').click()
        field = page.locator(f"#{field_id}")
        expect(field).to_be_focused()
        expect(field).to_be_in_viewport()
        page.evaluate("window.scrollTo(0, 0)")
    page.locator(f"#v{count.pk}-numerator").fill("12")


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_a_link_into_a_folded_domain_opens_it(
    width: int,
    head: User,
    coordinator: User,
    justice_report: Report,
    small_plan: SmallPlan,
    page: Page,
    live_server: LiveServer,
    login: LoginHelper,
) -> None:
    fill(justice_report, None, counts={})
    actions.submit_report(justice_report, by=head)
    training = item_of(justice_report, small_plan.training)
    actions.review_item(training, by=coordinator, accept=True)
    open_page(page, live_server, login, coordinator, width, f"/reports/{justice_report.pk}/")
    domain = page.locator("details[data-area='1']")
    expect(domain).not_to_have_attribute("open", "")
    expect(page.locator(f"#item-{training.pk}")).not_to_be_visible()
    page.goto(f"/reports/{justice_report.pk}/#item-{training.pk}")
    expect(page.locator(f"#item-{training.pk}")).to_be_in_viewport()
    # The summary's links go to the targets awaiting review, in the open domain.
    on_time = item_of(justice_report, small_plan.on_time)
    page.locator(f'[data-attention-kind="pending"] a[href="#item-{on_time.pk}"]').click()
    expect(page.locator(f"#item-{on_time.pk}")).to_be_in_viewport()
