"""One way to read: the previous period, the rounds and the audit trail are shown on the screens
and through the API by the same access rule."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from parindex.orgs import access
from parindex.orgs.models import AuditEntry, User
from parindex.reporting import actions
from parindex.reporting.models import Report, Round
from tests.conftest import LaoCai
from tests.web.pages import page
from tests.web.reporting_data import SmallPlan, fill, open_quarter, report_of, value_of

ClientFor = Callable[[User], Client]


@pytest.fixture
def two_quarters(small_plan: SmallPlan, lao_cai: LaoCai, head: User) -> tuple[Report, Report]:
    """Sở Tư pháp's third quarter, filled but never submitted, and its fourth, submitted."""
    year = small_plan.plan.year
    q3 = open_quarter(small_plan.plan, 3, date(year, 10, 10))
    draft = report_of(q3, lao_cai.justice)
    fill(draft, None, counts={value_of(draft, small_plan.on_time_rate): ("85", "100")})
    q4 = open_quarter(small_plan.plan, 4, date(year + 1, 1, 10))
    current = report_of(q4, lao_cai.justice)
    fill(current, None, counts={value_of(current, small_plan.on_time_rate): ("91", "100")})
    actions.submit_report(report_of(q4, lao_cai.justice), by=head)
    return report_of(q3, lao_cai.justice), report_of(q4, lao_cai.justice)


def previous_counts_in_api(client: Client, report: Report) -> list[Any]:
    response = client.get(f"/api/reporting/reports/{report.pk}")
    assert response.status_code == 200, response.content
    return [v["previous"] for item in response.json()["items"] for v in item["values"]]


def test_an_appraiser_does_not_see_a_draft_as_the_previous_period_on_the_screen_or_the_api(
    appraiser: User, client_for: ClientFor, two_quarters: tuple[Report, Report]
) -> None:
    draft, current = two_quarters
    client = client_for(appraiser)
    assert client.get(f"/reports/{draft.pk}/").status_code == 404
    doc = page(client.get(f"/reports/{current.pk}/"))
    assert {cell.text for cell in doc.select(data_previous=True)} == {"—"}
    assert doc.select(data_previous_status=True) == []
    assert previous_counts_in_api(client, current) == [None, None]


def test_the_leader_sees_the_previous_period_of_a_draft_they_may_read(
    leader: User, client_for: ClientFor, two_quarters: tuple[Report, Report], small_plan: SmallPlan
) -> None:
    _draft, current = two_quarters
    client = client_for(leader)
    doc = page(client.get(f"/reports/{current.pk}/"))
    rate = value_of(current, small_plan.on_time_rate)
    assert doc.one("tr", data_value=str(rate.pk)).one(data_previous=True).text.startswith("85")
    previous = previous_counts_in_api(client, current)[0]
    assert previous is not None and Decimal(str(previous["numerator"])) == 85


# --- rounds -------------------------------------------------------------------------------------


def listed_round_ids(client: Client) -> set[int]:
    response = client.get("/api/reporting/rounds")
    assert response.status_code == 200, response.content
    return {r["id"] for r in response.json()}


def test_the_api_lists_a_round_only_to_who_follows_it_or_reports_in_it(
    q4: Round,
    coordinator: User,
    leader: User,
    appraiser: User,
    reporter: User,
    head: User,
    district_head: User,
    citizen: User,
    outsider: User,
    client_for: ClientFor,
) -> None:
    seen = {
        name: listed_round_ids(client_for(user))
        for name, user in {
            "coordinator": coordinator,
            "leader": leader,
            "appraiser": appraiser,
            "reporter": reporter,  # Sở Tư pháp reports in the round
            "head": head,
            "district_head": district_head,  # the city has no target in the plan
            "citizen": citizen,
            "outsider": outsider,
        }.items()
    }
    followers = {"coordinator", "leader", "appraiser", "reporter", "head"}
    assert {name for name, ids in seen.items() if q4.pk in ids} == followers
    # The screen's list shows the round table to the same followers (agencies see their reports).
    assert client_for(district_head).get(f"/api/reporting/rounds/{q4.pk}").status_code == 404
    assert client_for(district_head).get(f"/reports/rounds/{q4.pk}/").status_code == 404


def test_the_api_and_the_screen_agree_on_who_follows_a_round(
    q4: Round, reporter: User, client_for: ClientFor
) -> None:
    client = client_for(reporter)
    assert client.get(f"/api/reporting/rounds/{q4.pk}").status_code == 200
    assert client.get(f"/api/reporting/rounds/{q4.pk}/overview").status_code == 403
    assert client.get(f"/reports/rounds/{q4.pk}/").status_code == 403


# --- the audit trail -------------------------------------------------------------------------------


def history_in_api(client: Client, report: Report) -> list[str]:
    response = client.get(f"/api/reporting/reports/{report.pk}")
    assert response.status_code == 200, response.content
    return [entry["action"] for entry in response.json()["history"]]


def history_on_screen(client: Client, report: Report) -> list[str]:
    doc = page(client.get(f"/reports/{report.pk}/"))
    return [
        e.attrs["data-action"]
        for e in doc.one(data_section="history").select("li", data_action=True)
    ]


def test_the_report_history_is_the_same_on_the_screen_and_in_the_api(
    reporter: User, appraiser: User, client_for: ClientFor, two_quarters: tuple[Report, Report]
) -> None:
    _draft, current = two_quarters
    for person in (reporter, appraiser):
        client = client_for(person)
        expected = list(access.history_of(person, current).values_list("action", flat=True)[:20])
        assert expected[:2] == ["reporting.report.submit", "reporting.report.save"]
        assert history_in_api(client, current) == expected
        assert history_on_screen(client, current)[: len(expected)] == expected


def test_every_history_reads_the_one_audit_rule(
    coordinator: User,
    reporter: User,
    appraiser: User,
    leader: User,
    outsider: User,
    citizen: User,
    lao_cai: LaoCai,
    two_quarters: tuple[Report, Report],
) -> None:
    draft, current = two_quarters
    rule = {
        person.username: set(access.audit_entries_for(person).values_list("pk", flat=True))
        for person in (coordinator, reporter, appraiser, leader, outsider, citizen)
    }
    province = set(
        AuditEntry.objects.filter(province=lao_cai.province).values_list("pk", flat=True)
    )
    assert rule[coordinator.username] == province
    # The appraiser reads the submitted report's history, not the draft's, nor people's changes.
    appraised = set(
        AuditEntry.objects.filter(object_type="reporting.report").values_list(
            "object_id", flat=True
        )
    )
    assert str(current.pk) in appraised and str(draft.pk) in appraised
    seen_objects = set(
        AuditEntry.objects.filter(pk__in=rule[appraiser.username]).values_list(
            "object_type", "object_id"
        )
    )
    assert ("reporting.report", str(current.pk)) in seen_objects
    assert ("reporting.report", str(draft.pk)) not in seen_objects
    assert not {t for t, _id in seen_objects} - {"reporting.report", "orgs.organisation"}
    assert rule[outsider.username].isdisjoint(province)
    assert rule[citizen.username] == set()
