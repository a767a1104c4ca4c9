"""The actions' screens, the report's section "Actions to close the gap", the report's read
model, its export and the API."""

from __future__ import annotations

import io
from datetime import date

from django.test import Client
from openpyxl import load_workbook

from parindex.exports.registry import render
from parindex.forecasting import actions
from parindex.forecasting.models import ActionLine, GapAction
from parindex.orgs.models import User
from parindex.reporting import actions as reporting_actions
from parindex.reporting.models import Report
from tests.conftest import LaoCai
from tests.forecasting.support import ON_TIME, Linked, make_action
from tests.web.reporting_data import fill, open_quarter, report_of, value_of


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def q4_report(linked: Linked, lao_cai: LaoCai) -> Report:
    q4 = open_quarter(linked.plan, 4, date(linked.year + 1, 1, 10))
    return report_of(q4, lao_cai.justice)


def test_the_create_form_is_prefilled_from_a_point_at_stake(
    linked: Linked, lao_cai: LaoCai, coordinator: User
) -> None:
    client = signed_in(coordinator)
    listing = client.get(f"/forecast/{lao_cai.province.pk}/{linked.year}/actions/")
    assert listing.status_code == 200
    assert f"?code={ON_TIME}" in listing.content.decode()

    page = client.get(f"/forecast/{lao_cai.province.pk}/{linked.year}/actions/new/?code={ON_TIME}")

    form = page.context["form"]
    # Nothing reported yet: the next band (80 %, 1,5 points) is the next step; Sở Tư pháp leads.
    assert form.initial == {
        "node_code": ON_TIME,
        "owner": lao_cai.justice.pk,
        "expected_points": "1,5",
    }
    assert page.context["stake"].code == ON_TIME


def test_the_coordinator_creates_an_action_and_reads_its_page(
    linked: Linked, lao_cai: LaoCai, coordinator: User
) -> None:
    report = q4_report(linked, lao_cai)
    client = signed_in(coordinator)

    response = client.post(
        f"/forecast/{lao_cai.province.pk}/{linked.year}/actions/new/",
        {
            "node_code": ON_TIME,
            "title": "Rà soát hồ sơ sắp đến hạn",
            "owner": lao_cai.justice.pk,
            "deadline": f"31/12/{linked.year}",
            "expected_points": "1,5",
        },
    )

    action = GapAction.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/forecast/actions/{action.pk}/"
    assert action.lines.get().report == report
    page = client.get(f"/forecast/actions/{action.pk}/").content.decode()
    assert (
        f'data-report="{report.pk}"' in page and 'data-action="forecasting.action.create"' in page
    )


def test_a_refused_action_is_shown_beside_its_fields(
    linked: Linked, lao_cai: LaoCai, coordinator: User
) -> None:
    response = signed_in(coordinator).post(
        f"/forecast/{lao_cai.province.pk}/{linked.year}/actions/new/",
        {
            "node_code": ON_TIME,
            "title": "Rà soát",
            "owner": lao_cai.justice.pk,
            "deadline": f"31/12/{linked.year}",
            "expected_points": "9",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["expected_points"]
    assert not GapAction.objects.exists()


def test_the_reporter_saves_a_line_of_the_report_on_its_own_with_htmx(
    linked: Linked, lao_cai: LaoCai, coordinator: User, reporter: User
) -> None:
    report = q4_report(linked, lao_cai)
    action = make_action(linked, lao_cai.justice, by=coordinator)
    line = ActionLine.objects.get(action=action)
    client = signed_in(reporter)
    page = client.get(f"/reports/{report.pk}/").content.decode()
    assert f'data-action-line="{line.pk}"' in page and "data-line-form" in page

    response = client.post(
        f"/reports/{report.pk}/actions/{line.pk}/",
        {"status": "on_track", "description": "Đã rà soát 120 hồ sơ"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200 and "data-line-saved" in response.content.decode()
    line.refresh_from_db()
    assert (line.status, line.description, line.updated_by) == (
        "on_track",
        "Đã rà soát 120 hồ sơ",
        reporter,
    )
    report.refresh_from_db()
    assert report.version == 1  # the report's own form is not stale for it


def test_a_refused_line_is_answered_beside_its_field(
    linked: Linked, lao_cai: LaoCai, coordinator: User, reporter: User
) -> None:
    report = q4_report(linked, lao_cai)
    line = ActionLine.objects.get(action=make_action(linked, lao_cai.justice, by=coordinator))

    response = signed_in(reporter).post(
        f"/reports/{report.pk}/actions/{line.pk}/",
        {"status": "finished", "description": "x"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 422 and 'aria-invalid="true"' in response.content.decode()
    line.refresh_from_db()
    assert line.description == ""


def test_the_review_page_shows_the_lines_read_only_and_the_export_holds_them(
    linked: Linked, lao_cai: LaoCai, coordinator: User, reporter: User, media: None
) -> None:
    report = q4_report(linked, lao_cai)
    action = make_action(linked, lao_cai.justice, by=coordinator)
    line = ActionLine.objects.get(action=action)
    actions.report_on_action(line, by=reporter, status="done", description="Đã hoàn thành")
    fill(report, None, counts={value_of(report, linked.small.on_time_rate): ("9", "10")})
    reporting_actions.submit_report(report, by=None)

    page = signed_in(coordinator).get(f"/reports/{report.pk}/").content.decode()
    assert "data-line-read" in page and "Đã hoàn thành" in page and "data-line-form" not in page

    workbook = load_workbook(
        io.BytesIO(
            render(
                "agency-report", "xlsx", user=reporter, params={"report": str(report.pk)}
            ).content
        )
    )
    sheet = workbook.worksheets[-1]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert rows[0][1] == action.title and rows[0][-1] == "Đã hoàn thành"
    docx = render("agency-report", "docx", user=reporter, params={"report": str(report.pk)})
    assert docx.content[:2] == b"PK"


def test_the_api_lists_creates_and_reports_on_a_line(
    linked: Linked, lao_cai: LaoCai, coordinator: User, reporter: User
) -> None:
    report = q4_report(linked, lao_cai)
    created = signed_in(coordinator).post(
        "/api/gap-actions",
        {
            "province_id": lao_cai.province.pk,
            "year": linked.year,
            "node_code": ON_TIME,
            "title": "Đôn đốc hồ sơ",
            "owner_id": lao_cai.justice.pk,
            "deadline": f"{linked.year}-12-31",
            "expected_points": "1,5",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    line_id = created.json()["lines"][0]["id"]
    client = signed_in(reporter)

    answer = client.put(
        f"/api/gap-actions/lines/{line_id}",
        {"status": "at_risk", "description": "Còn 12 hồ sơ quá hạn"},
        content_type="application/json",
    )

    assert answer.status_code == 200 and answer.json()["status"] == "at_risk"
    seen = client.get(f"/api/reporting/reports/{report.pk}").json()
    assert [(a["node_code"], a["description"]) for a in seen["actions"]] == [
        (ON_TIME, "Còn 12 hồ sơ quá hạn")
    ]
    assert [a["title"] for a in client.get("/api/gap-actions").json()] == ["Đôn đốc hồ sơ"]
