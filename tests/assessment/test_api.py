"""Self-assessment and appraisal through the API, under the same rules as the actions."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from parindex.assessment import actions
from parindex.assessment.models import Assessment, UnitStatus
from parindex.methodology.models import Framework
from parindex.orgs.models import AuditEntry, User
from tests.api.test_reporting_api import Api
from tests.assessment.conftest import Open2020, complete, fresh

D = Decimal

EVERYTHING = [
    {"code": "1.1", "band": "Ban hành kịp thời", "explanation": "Kế hoạch 12/KH-STP"},
    {"code": "1.2", "numerator": "80", "denominator": "100", "explanation": "Báo cáo năm"},
    {"code": "1.3", "value": "95,5", "explanation": "Số liệu một cửa"},
    {"code": "2.1", "value": 2, "explanation": "Hai sáng kiến"},
]


def patch(api: Api, path: str, payload: Any) -> Any:
    return api.client.patch(
        path, json.dumps(payload), content_type="application/json", headers=api.headers
    )


def node(unit: dict[str, Any], code: str) -> dict[str, Any]:
    return next(n for n in unit["nodes"] if n["code"] == code)


def test_a_reporter_reads_the_tree_saves_entries_and_sees_the_scores(
    open_2020: Open2020, reporter: User
) -> None:
    api = Api(reporter)
    unit = api.get(f"/api/assessment/units/{open_2020.justice.pk}").json()
    assert unit["can_edit"] and not unit["can_submit"]
    assert [n["code"] for n in unit["nodes"]] == ["1", "1.1", "1.2", "1.3", "2", "2.1", "2.2"]
    assert [b["label"] for b in node(unit, "1.1")["bands"]] == [
        "Ban hành kịp thời",
        "Ban hành không kịp thời",
        "Không ban hành",
    ]
    saved = api.put(
        f"/api/assessment/units/{open_2020.justice.pk}",
        {"version": unit["version"], "entries": EVERYTHING},
    )
    assert saved.status_code == 200, saved.content
    body = saved.json()
    assert D(body["self_total"]) == D("5.91")
    assert D(node(body, "1")["self_points"]) == D("4.91")
    assert node(body, "1.2")["entry"]["self_band"] == "Từ 70% đến dưới 90%"
    assert "80/100" in node(body, "1.2")["entry"]["trace"]
    assert body["missing"] == ["2.2"]
    entry = AuditEntry.objects.get(action="assessment.unit.save")
    assert entry.channel == "api"


def test_bad_entries_come_back_as_field_errors_and_nothing_is_saved(
    open_2020: Open2020, reporter: User
) -> None:
    api = Api(reporter)
    response = api.put(
        f"/api/assessment/units/{open_2020.justice.pk}",
        {
            "version": 1,
            "entries": [
                {"code": "1.3", "value": "50"},
                {"code": "1.2", "numerator": "120", "denominator": "100"},
                {"code": "2.1", "value": "abc"},
            ],
        },
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"1.2-numerator", "2.1-value"}
    assert fresh(open_2020.justice).version == 1


def test_an_unknown_leaf_is_a_422_not_a_500(open_2020: Open2020, reporter: User) -> None:
    response = Api(reporter).put(
        f"/api/assessment/units/{open_2020.justice.pk}",
        {"version": 1, "entries": [{"code": "9.9", "value": "1"}]},
    )
    assert response.status_code == 422


def test_a_stale_save_is_a_409_with_the_current_version(
    open_2020: Open2020, reporter: User, head: User
) -> None:
    complete(open_2020.justice, head)
    response = Api(reporter).put(
        f"/api/assessment/units/{open_2020.justice.pk}",
        {"version": 1, "entries": [{"code": "2.1", "value": "3"}]},
    )
    assert response.status_code == 409
    assert response.json()["version"] == fresh(open_2020.justice).version


def test_another_units_self_assessment_is_not_found(
    open_2020: Open2020, other_reporter: User
) -> None:
    api = Api(other_reporter)
    assert api.get(f"/api/assessment/units/{open_2020.justice.pk}").status_code == 404
    response = api.put(
        f"/api/assessment/units/{open_2020.justice.pk}",
        {"version": 1, "entries": [{"code": "2.1", "value": "3"}]},
    )
    assert response.status_code == 404
    listed = api.get(f"/api/assessment/assessments/{open_2020.assessment.pk}/units").json()
    assert [u["organisation"] for u in listed] == ["Văn phòng UBND tỉnh"]


def test_submit_appraise_return_answer_and_finish_through_the_api(
    open_2020: Open2020, reporter: User, head: User, appraiser: User
) -> None:
    unit_path = f"/api/assessment/units/{open_2020.justice.pk}"
    Api(reporter).put(unit_path, {"version": 1, "entries": EVERYTHING})
    refused = Api(reporter).post(f"{unit_path}/submit")
    assert refused.status_code == 403
    submitted = Api(head).post(f"{unit_path}/submit")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    appraiser_api = Api(appraiser)
    scored = appraiser_api.post(
        f"{unit_path}/entries/1.2/appraise",
        {"decision": "score", "points": "0", "comment": "Không đủ minh chứng"},
    )
    assert scored.status_code == 200
    assert D(scored.json()["appraised_total"]) == 0
    no_reason = appraiser_api.post(
        f"{unit_path}/entries/1.1/appraise", {"decision": "score", "points": "1"}
    )
    assert no_reason.status_code == 422 and "comment" in no_reason.json()["errors"]
    returned = appraiser_api.post(
        f"{unit_path}/entries/2.1/appraise", {"decision": "request", "comment": "Gửi quyết định"}
    )
    assert returned.json()["status"] == UnitStatus.RETURNED
    answered = Api(head).post(f"{unit_path}/entries/2.1/answer", {"answer": "Đã gửi"})
    assert answered.json()["status"] == UnitStatus.ANSWERED
    assert node(answered.json(), "2.1")["entry"]["appraisal"] == "answered"
    finished = appraiser_api.post(f"{unit_path}/finish-appraisal")
    assert finished.json()["status"] == UnitStatus.APPRAISED
    assert D(finished.json()["final_total"]) == D("4.91")


def test_results_are_for_the_coordinator_until_published_then_for_every_unit(
    open_2020: Open2020, coordinator: User, reporter: User
) -> None:
    path = f"/api/assessment/assessments/{open_2020.assessment.pk}/results"
    assert Api(reporter).get(path).status_code == 403
    for unit in (open_2020.justice, open_2020.office, open_2020.home_affairs):
        complete(unit, None)
        actions.submit_unit(fresh(unit), by=None)
        actions.finish_unit_appraisal(fresh(unit), by=coordinator)
    api = Api(coordinator)
    assert (
        api.post(f"/api/assessment/assessments/{open_2020.assessment.pk}/close").status_code == 200
    )
    assert (
        api.post(f"/api/assessment/assessments/{open_2020.assessment.pk}/publish").status_code
        == 200
    )
    results = Api(reporter).get(path)
    assert results.status_code == 200
    body = results.json()
    assert [u["rank"] for u in body["units"]] == [1, 1, 1]
    assert body["units"][0]["final_display"] == "5.90"
    assert body["units"][0]["classification"] == "Trung bình"
    assert {d["code"] for d in body["units"][0]["domains"]} == {"1", "2"}


def test_the_coordinator_opens_an_assessment_through_the_api(
    tree: Framework, coordinator: User, reporter: User
) -> None:
    payload = {
        "framework_id": tree.pk,
        "year": 2020,
        "scope": "departments",
        "deadline": "2021-01-15",
    }
    assert Api(reporter).post("/api/assessment/assessments", payload).status_code == 403
    response = Api(coordinator).post("/api/assessment/assessments", payload)
    assert response.status_code == 201, response.content
    assessment = Assessment.objects.get(pk=response.json()["id"])
    assert assessment.units.count() == 3
    bad = Api(coordinator).post("/api/assessment/assessments", {**payload, "scope": "villages"})
    assert bad.status_code == 422


@pytest.mark.parametrize("who", ["outsider", "citizen", "district_head"])
def test_people_outside_the_assessment_do_not_see_it(
    open_2020: Open2020, who: str, request: pytest.FixtureRequest
) -> None:
    api = Api(request.getfixturevalue(who))
    assert api.get("/api/assessment/assessments").json() == []
    assert api.get(f"/api/assessment/assessments/{open_2020.assessment.pk}").status_code == 404


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_a_document_is_recorded_given_a_file_cited_and_read_back_only_by_its_unit(
    open_2020: Open2020, reporter: User, other_reporter: User, media: None
) -> None:
    api = Api(reporter)
    created = api.post(
        f"/api/assessment/units/{open_2020.justice.pk}/documents",
        {
            "number": "12/KH-STP",
            "date": "2020-01-10",
            "issuer": "Sở Tư pháp",
            "codes": ["1.1", "1.2"],
        },
    )
    assert created.status_code == 201, created.content
    document_id = created.json()["id"]
    uploaded = api.upload(f"/api/assessment/documents/{document_id}/file", "ke-hoach.pdf", PDF)
    assert uploaded.status_code == 200 and uploaded.json()["content_type"] == "application/pdf"
    download = api.get(f"/api/assessment/documents/{document_id}/file")
    assert b"".join(download.streaming_content) == PDF
    assert (
        Api(other_reporter).get(f"/api/assessment/documents/{document_id}/file").status_code == 404
    )
    unit = api.get(f"/api/assessment/units/{open_2020.justice.pk}").json()
    assert node(unit, "1.2")["entry"]["documents"] == [document_id]
    refused = api.upload(f"/api/assessment/documents/{document_id}/file", "x.pdf", b"MZ not a pdf")
    assert refused.status_code == 422


def test_the_coordinator_enters_survey_results_through_the_api(
    open_2020: Open2020, coordinator: User, reporter: User
) -> None:
    path = f"/api/assessment/assessments/{open_2020.assessment.pk}/survey-results"
    row = {"organisation_id": open_2020.justice.organisation_id, "code": "2.2", "value": "87,5"}
    assert Api(reporter).post(path, [row]).status_code == 403
    response = Api(coordinator).post(path, [row])
    assert response.status_code == 200, response.content
    justice = next(u for u in response.json() if u["id"] == open_2020.justice.pk)
    assert D(justice["self_total"]) == D("1.75")
    bad = Api(coordinator).post(path, [{**row, "value": "nhiều"}])
    assert bad.status_code == 422


def test_the_coordinator_edits_the_classes_and_the_appraisers(
    open_2020: Open2020, coordinator: User, appraiser: User, leader: User
) -> None:
    path = f"/api/assessment/assessments/{open_2020.assessment.pk}"
    classes = [{"label": "Đạt", "min": "60"}, {"label": "Chưa đạt", "min": "0"}]
    assert patch(Api(leader), path, {"classes": classes}).status_code == 403
    response = patch(Api(coordinator), path, {"classes": classes})
    assert response.status_code == 200
    assert [c["label"] for c in response.json()["classes"]] == ["Đạt", "Chưa đạt"]
    unit_path = f"/api/assessment/units/{open_2020.office.pk}"
    assigned = patch(Api(coordinator), unit_path, {"appraiser_id": appraiser.pk})
    assert assigned.json()["appraiser_id"] == appraiser.pk
    wrong = patch(Api(coordinator), unit_path, {"appraiser_id": leader.pk})
    assert wrong.status_code == 422
