"""The home page points each person to their reporting work."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from parindex.orgs.models import User
from parindex.reporting import actions, overview
from parindex.reporting.models import Report, Round
from tests.conftest import LaoCai
from tests.web.pages import page, vi
from tests.web.reporting_data import SmallPlan, fill, report_of


def test_a_reporter_sees_their_agencys_open_report_on_the_home_page(
    client_for: Callable[[User], Client], reporter: User, justice_report: Report
) -> None:
    page = client_for(reporter).get("/").content.decode()
    assert 'data-section="my-reports"' in page
    assert f"/reports/{justice_report.pk}/" in page
    assert justice_report.round.title in page


def test_a_reporter_does_not_see_another_agencys_report_on_the_home_page(
    client_for: Callable[[User], Client], reporter: User, office_report: Report
) -> None:
    page = client_for(reporter).get("/").content.decode()
    assert f"/reports/{office_report.pk}/" not in page


def test_a_leader_sees_the_latest_rounds_states_and_a_link_to_its_overview(
    client_for: Callable[[User], Client], leader: User, q4: Round, lao_cai: LaoCai
) -> None:
    page = client_for(leader).get("/").content.decode()
    assert 'data-section="latest-round"' in page
    assert f"/reports/rounds/{q4.pk}/" in page
    # Nothing is submitted yet and the deadline is ahead: every report is a draft.
    assert vi("Draft") in page
    assert 'data-section="my-reports"' not in page


def test_the_home_page_shows_missing_reports_once_the_deadline_has_passed(
    client_for: Callable[[User], Client], coordinator: User, small_plan: SmallPlan
) -> None:
    year = small_plan.plan.year - 1  # a range wholly in the past, whatever today is
    past = actions.open_round(
        small_plan.plan,
        by=None,
        kind="custom",
        starts_on=date(year, 1, 1),
        ends_on=date(year, 3, 31),
        deadline=date(year, 4, 5),
        notify=False,
    )
    page = client_for(coordinator).get("/").content.decode()
    assert f"/reports/rounds/{past.pk}/" in page
    assert 'class="badge badge-missing"' in page
    assert vi("Missing") in page


LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def _fate(report: Report, fate: str, reviewer: User) -> None:
    """Take an agency's report to a state through the actions, as people would."""
    if fate == "draft":
        return
    deadline = report.round.deadline
    day = deadline + timedelta(days=2) if fate.startswith("late") else deadline - timedelta(days=2)
    fill(report, None, counts={})
    actions.submit_report(report, by=None, at=datetime.combine(day, time(10), tzinfo=LOCAL))
    if fate == "accepted":
        actions.accept_pending(report, by=reviewer)
    elif fate in ("returned", "resubmitted", "late, returned"):
        item = report.items.order_by("pk").first()
        assert item is not None
        actions.review_item(item, by=reviewer, accept=False, comment="Bổ sung số liệu.")
        actions.accept_pending(report, by=reviewer)
    else:
        return
    actions.finish_review(report, by=reviewer, notify=False)
    if fate == "resubmitted":
        fill(report, None, counts={})
        actions.submit_report(report, by=None, at=datetime.combine(day, time(15), tzinfo=LOCAL))


def home_counts(client: Client) -> dict[str, int]:
    section = page(client.get("/")).one("section", data_section="latest-round")
    counts = {}
    for li in section.select("li"):
        badge = li.one("span", cls="badge")
        state = next(c for c in badge.attrs["class"].split() if c.startswith("badge-"))[6:]
        counts[state] = int(li.text.removeprefix(badge.text).strip())
    return counts


def list_counts(client: Client, round_: Round) -> dict[str, int]:
    row = page(client.get("/reports/")).one("tr", data_round=str(round_.pk))
    return {
        cell.attrs["data-state"]: int(cell.text)
        for cell in row.select("td", data_state=True)
        if int(cell.text)
    }


@pytest.mark.parametrize(
    ("deadline_passed", "justice", "office", "expected"),
    [
        (False, "submitted", "draft", {"submitted": 1, "draft": 1}),
        (True, "late", "draft", {"late": 1, "missing": 1}),
        (True, "returned", "accepted", {"returned": 1, "accepted": 1}),
        (True, "resubmitted", "late, returned", {"submitted": 1, "late": 1}),
    ],
)
def test_the_home_page_and_the_reports_list_count_a_round_the_same_way(
    deadline_passed: bool,
    justice: str,
    office: str,
    expected: dict[str, int],
    client_for: Callable[[User], Client],
    coordinator: User,
    small_plan: SmallPlan,
    lao_cai: LaoCai,
) -> None:
    year = small_plan.plan.year + (-1 if deadline_passed else 1)  # wholly past, or ahead
    round_ = actions.open_round(
        small_plan.plan,
        by=None,
        kind="custom",
        starts_on=date(year, 1, 1),
        ends_on=date(year, 3, 31),
        deadline=date(year, 4, 5),
        notify=False,
    )
    _fate(report_of(round_, lao_cai.justice), justice, coordinator)
    _fate(report_of(round_, lao_cai.office), office, coordinator)
    client = client_for(coordinator)
    assert home_counts(client) == expected
    assert list_counts(client, round_) == expected
    today = timezone.localdate()
    assert overview.build(round_, today=today).counts == expected
