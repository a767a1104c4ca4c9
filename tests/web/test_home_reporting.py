"""The home page points each person to their reporting work."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.test import Client

from parindex.orgs.models import User
from parindex.reporting import actions
from parindex.reporting.models import Report, Round
from tests.conftest import LaoCai
from tests.web.pages import vi
from tests.web.reporting_data import SmallPlan


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
