"""The round overview keeps its summary between requests only while the data under it is the
same: a saved figure, a change that did not pass through an action, or a reader with other
rights each get a summary of their own."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from parindex.orgs.audit import record
from parindex.orgs.models import User
from parindex.plans.models import Plan
from parindex.reporting import actions
from parindex.reporting.models import Report, Round
from tests.web.pages import page
from tests.web.reporting_data import SmallPlan, fill, value_of

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User], Client]


def province_value(client: Client, round_: Round, small_plan: SmallPlan) -> str:
    doc = page(client.get(f"/reports/rounds/{round_.pk}/"))
    row = doc.one("tr", data_quantity=str(small_plan.on_time_rate.pk))
    return row.one(data_province_value=True).text


def test_a_second_look_at_an_unchanged_round_does_not_sum_its_values_again(
    coordinator: User, client_for: ClientFor, q4: Round, justice_report: Report
) -> None:
    client = client_for(coordinator)
    with CaptureQueriesContext(connection) as first:
        client.get(f"/reports/rounds/{q4.pk}/")
    with CaptureQueriesContext(connection) as second:
        client.get(f"/reports/rounds/{q4.pk}/")
    summing = [q for q in first.captured_queries if "reporting_value" in q["sql"]]
    assert summing
    assert not [q for q in second.captured_queries if "reporting_value" in q["sql"]]


def test_a_submitted_figure_shows_on_the_next_look(
    coordinator: User,
    head: User,
    client_for: ClientFor,
    q4: Round,
    justice_report: Report,
    small_plan: SmallPlan,
) -> None:
    client = client_for(coordinator)
    assert province_value(client, q4, small_plan) == "—"
    fill(
        justice_report,
        None,
        counts={value_of(justice_report, small_plan.on_time_rate): ("9", "10")},
    )
    actions.submit_report(justice_report, by=head)
    assert province_value(client, q4, small_plan) == "90,00 %"


def test_a_report_changed_outside_the_actions_still_shows_its_new_state(
    coordinator: User, client_for: ClientFor, q4: Round, justice_report: Report
) -> None:
    client = client_for(coordinator)
    before = page(client.get(f"/reports/rounds/{q4.pk}/"))
    assert before.one("tr", data_report=str(justice_report.pk)).attrs["data-state"] != "submitted"
    # A repair by hand leaves no audit entry; the report's own last change still differs.
    Report.objects.filter(pk=justice_report.pk).update(status="submitted")
    Report.objects.get(pk=justice_report.pk).save()
    after = page(client.get(f"/reports/rounds/{q4.pk}/"))
    assert after.one("tr", data_report=str(justice_report.pk)).attrs["data-state"] == "submitted"


def test_a_plan_change_through_its_action_shows_on_the_next_look(
    coordinator: User, client_for: ClientFor, q4: Round, justice_report: Report
) -> None:
    client = client_for(coordinator)
    page(client.get(f"/reports/rounds/{q4.pk}/"))
    plan = Plan.objects.get(pk=q4.plan_id)
    target = plan.targets.order_by("pk").first()
    assert target is not None
    target.text = "Chỉ tiêu đã sửa tên"
    target.save()
    record(None, "plans.target.update", target, province=plan.province_id)
    assert "Chỉ tiêu đã sửa tên" in client.get(f"/reports/rounds/{q4.pk}/").content.decode()


def test_the_coordinator_and_the_leader_each_get_their_own_actions(
    coordinator: User,
    leader: User,
    head: User,
    client_for: ClientFor,
    q4: Round,
    justice_report: Report,
) -> None:
    fill(justice_report, None, counts={})
    actions.submit_report(justice_report, by=head)
    url = f"/reports/rounds/{q4.pk}/"
    as_coordinator = page(client_for(coordinator).get(url))
    as_leader = page(client_for(leader).get(url))
    row = str(justice_report.pk)
    assert as_coordinator.one("tr", data_report=row).one("a").text == "Rà soát"
    assert as_leader.one("tr", data_report=row).one("a").text == "Xem"
