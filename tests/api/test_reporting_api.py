"""Periodic reporting through the API: an agency's system reports with its people's tokens under
the same rules as the screens (can_edit, can_submit, can_review), and the overview as JSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from parindex.orgs import actions as org_actions
from parindex.orgs.models import AuditEntry, User
from parindex.reporting import actions
from parindex.reporting.models import Evidence, Report, ReportStatus, ReviewStatus, Round
from tests.web.reporting_data import (
    SmallPlan,
    fill,
    item_of,
    value_of,
)

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


class Api:
    """A program acting for one person with that person's token."""

    def __init__(self, user: User) -> None:
        _token, key = org_actions.create_api_token(user, by=user, name="phần mềm một cửa")
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {key}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(path, params, headers=self.headers)

    def post(self, path: str, payload: Any = None) -> Any:
        return self.client.post(
            path, json.dumps(payload or {}), content_type="application/json", headers=self.headers
        )

    def put(self, path: str, payload: Any) -> Any:
        return self.client.put(
            path, json.dumps(payload), content_type="application/json", headers=self.headers
        )

    def upload(self, path: str, name: str, content: bytes) -> Any:
        return self.client.post(
            path, {"file": SimpleUploadedFile(name, content)}, headers=self.headers
        )

    def delete(self, path: str) -> Any:
        return self.client.delete(path, headers=self.headers)


ApiFor = Callable[[User], Api]


@pytest.fixture
def api_for(db: None) -> ApiFor:
    return Api


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content
    return response.json()


def values_by_quantity(report: dict[str, Any]) -> dict[int, dict[str, Any]]:
    return {v["quantity_id"]: v for item in report["items"] for v in item["values"]}


# --- rounds -------------------------------------------------------------------------------------


def test_the_coordinator_opens_a_round_through_the_api(
    api_for: ApiFor, coordinator: User, small_plan: SmallPlan
) -> None:
    year = small_plan.plan.year
    body = ok(
        api_for(coordinator).post(
            "/api/reporting/rounds",
            {
                "plan_id": small_plan.plan.pk,
                "kind": "half_year",
                "deadline": f"{year}-07-10",
                "notify": False,
            },
        ),
        201,
    )
    assert (body["starts_on"], body["ends_on"], body["report_count"]) == (
        f"{year}-01-01",
        f"{year}-06-30",
        2,
    )
    entry = AuditEntry.objects.get(action="reporting.round.open")
    assert (entry.channel, entry.actor) == ("api", coordinator)
    listed = ok(api_for(coordinator).get("/api/reporting/rounds", plan_id=small_plan.plan.pk))
    assert [r["id"] for r in listed] == [body["id"]]


def test_an_unknown_period_or_a_reporter_cannot_open_a_round(
    api_for: ApiFor, coordinator: User, reporter: User, small_plan: SmallPlan
) -> None:
    payload = {"plan_id": small_plan.plan.pk, "kind": "month", "deadline": "2026-12-10"}
    refused = ok(api_for(coordinator).post("/api/reporting/rounds", payload), 422)
    assert list(refused["errors"]) == ["kind"]
    payload["kind"] = "year"
    assert api_for(reporter).post("/api/reporting/rounds", payload).status_code == 403
    assert not Round.objects.exists()


# --- an agency's system fills and submits -----------------------------------------------------


def test_an_agency_system_reads_fills_and_submits_its_report_with_tokens(
    api_for: ApiFor,
    reporter: User,
    head: User,
    justice_report: Report,
    small_plan: SmallPlan,
) -> None:
    api = api_for(reporter)
    mine = ok(api.get("/api/reporting/reports"))
    assert [r["id"] for r in mine] == [justice_report.pk]
    report = ok(api.get(f"/api/reporting/reports/{justice_report.pk}"))
    assert (report["can_edit"], report["can_submit"], report["version"]) == (True, False, 1)
    assert [i["target_id"] for i in report["items"]] == [
        small_plan.training.pk,
        small_plan.on_time.pk,
        small_plan.digitised.pk,
    ]
    rate = values_by_quantity(report)[small_plan.on_time_rate.pk]
    count = values_by_quantity(report)[small_plan.digitised_count.pk]
    items = {i["target_id"]: i["id"] for i in report["items"]}
    saved = ok(
        api.put(
            f"/api/reporting/reports/{justice_report.pk}",
            {
                "version": 1,
                "narrative": "Số liệu từ hệ thống một cửa",
                "items": [
                    {
                        "id": items[small_plan.on_time.pk],
                        "status": "done",
                        "values": [{"id": rate["id"], "numerator": "95,5", "denominator": 100}],
                    },
                    {
                        "id": items[small_plan.digitised.pk],
                        "status": "on_track",
                        "values": [{"id": count["id"], "numerator": 12}],
                    },
                    {"id": items[small_plan.training.pk], "status": "done"},
                ],
            },
        )
    )
    assert saved["version"] == 2
    after = values_by_quantity(saved)
    assert Decimal(after[small_plan.on_time_rate.pk]["numerator"]) == Decimal("95.5")
    assert Decimal(after[small_plan.on_time_rate.pk]["rate"]) == Decimal("95.5")
    assert Decimal(after[small_plan.digitised_count.pk]["numerator"]) == 12
    assert AuditEntry.objects.get(action="reporting.report.save").channel == "api"
    # The reporter's token may not submit; the head's may.
    assert api.post(f"/api/reporting/reports/{justice_report.pk}/submit").status_code == 403
    submitted = ok(api_for(head).post(f"/api/reporting/reports/{justice_report.pk}/submit"))
    assert (submitted["status"], submitted["state"], submitted["can_edit"]) == (
        "submitted",
        "submitted",
        False,
    )
    # Once submitted, nothing can be changed until it is returned.
    refused = api.put(f"/api/reporting/reports/{justice_report.pk}", {"version": 3, "items": []})
    assert refused.status_code == 403


def test_a_stale_version_is_a_409_with_what_changed(
    api_for: ApiFor, reporter: User, head: User, justice_report: Report, small_plan: SmallPlan
) -> None:
    rate = value_of(justice_report, small_plan.on_time_rate)
    fill(justice_report, head, counts={rate: ("80", "100")})
    body = ok(
        api_for(reporter).put(
            f"/api/reporting/reports/{justice_report.pk}",
            {
                "version": 1,
                "items": [
                    {
                        "id": rate.item_id,
                        "values": [{"id": rate.pk, "numerator": 91, "denominator": 100}],
                    }
                ],
            },
        ),
        409,
    )
    assert body["version"] == 2
    assert any(str(head) in change for change in body["changes"])
    rate.refresh_from_db()
    assert rate.numerator == Decimal(80)


def test_impossible_values_are_a_422_keyed_by_field_and_nothing_is_saved(
    api_for: ApiFor, reporter: User, justice_report: Report, small_plan: SmallPlan
) -> None:
    rate = value_of(justice_report, small_plan.on_time_rate)
    count = value_of(justice_report, small_plan.digitised_count)
    body = ok(
        api_for(reporter).put(
            f"/api/reporting/reports/{justice_report.pk}",
            {
                "version": 1,
                "narrative": "không được lưu",
                "items": [
                    {
                        "id": rate.item_id,
                        "values": [{"id": rate.pk, "numerator": 120, "denominator": 100}],
                    },
                    {
                        "id": count.item_id,
                        "status": "finished",
                        "values": [{"id": count.pk, "numerator": -2}],
                    },
                ],
            },
        ),
        422,
    )
    assert set(body["errors"]) == {
        f"i{count.item_id}-status",
        f"v{count.pk}-numerator",
        f"v{rate.pk}-numerator",
    }
    justice_report.refresh_from_db()
    assert (justice_report.version, justice_report.narrative) == (1, "")


def test_a_number_that_is_not_one_is_a_422_beside_its_field(
    api_for: ApiFor, reporter: User, justice_report: Report, small_plan: SmallPlan
) -> None:
    rate = value_of(justice_report, small_plan.on_time_rate)
    body = ok(
        api_for(reporter).put(
            f"/api/reporting/reports/{justice_report.pk}",
            {
                "version": 1,
                "items": [
                    {"id": rate.item_id, "values": [{"id": rate.pk, "denominator": "một trăm"}]}
                ],
            },
        ),
        422,
    )
    assert list(body["errors"]) == [f"v{rate.pk}-denominator"]


def test_another_agencys_report_and_evidence_are_404_through_the_api(
    api_for: ApiFor,
    reporter: User,
    other_reporter: User,
    justice_report: Report,
    small_plan: SmallPlan,
    media: None,
) -> None:
    item = item_of(justice_report, small_plan.on_time)
    evidence = actions.add_evidence(
        item, by=reporter, upload=SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")
    )
    api = api_for(other_reporter)
    assert api.get(f"/api/reporting/reports/{justice_report.pk}").status_code == 404
    assert api.put(f"/api/reporting/reports/{justice_report.pk}", {"version": 1}).status_code == 404
    assert api.get(f"/api/reporting/evidence/{evidence.pk}").status_code == 404
    assert api.delete(f"/api/reporting/evidence/{evidence.pk}").status_code == 404
    assert Evidence.objects.count() == 1


def test_evidence_goes_up_checked_by_content_and_comes_down_with_its_name(
    api_for: ApiFor,
    reporter: User,
    leader: User,
    justice_report: Report,
    small_plan: SmallPlan,
    media: None,
) -> None:
    item = item_of(justice_report, small_plan.on_time)
    api = api_for(reporter)
    path = f"/api/reporting/reports/{justice_report.pk}/items/{item.pk}/evidence"
    refused = ok(api.upload(path, "so-lieu.pdf", "chỉ là chữ".encode()), 422)
    assert "so-lieu.pdf" in refused["errors"]["__all__"][0]
    created = ok(api.upload(path, "Biên bản.pdf", PDF), 201)
    assert (created["name"], created["content_type"]) == ("Biên bản.pdf", "application/pdf")
    download = api_for(leader).get(created["download"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    report = ok(api.get(f"/api/reporting/reports/{justice_report.pk}"))
    on_time = next(i for i in report["items"] if i["id"] == item.pk)
    assert [e["id"] for e in on_time["evidence"]] == [created["id"]]
    assert api.delete(created["download"]).status_code == 204
    assert not Evidence.objects.exists()


# --- review -------------------------------------------------------------------------------------


def test_home_affairs_returns_then_accepts_through_the_api(
    api_for: ApiFor,
    coordinator: User,
    reporter: User,
    head: User,
    justice_report: Report,
    small_plan: SmallPlan,
) -> None:
    fill(justice_report, None, counts={})
    actions.submit_report(justice_report, by=head)
    review = api_for(coordinator)
    base = f"/api/reporting/reports/{justice_report.pk}"
    on_time = item_of(justice_report, small_plan.on_time)
    no_comment = ok(review.post(f"{base}/items/{on_time.pk}/review", {"accept": False}), 422)
    assert list(no_comment["errors"]) == ["comment"]
    assert (
        api_for(reporter).post(f"{base}/items/{on_time.pk}/review", {"accept": True}).status_code
        == 403
    )
    for item in justice_report.items.exclude(pk=on_time.pk):
        ok(review.post(f"{base}/items/{item.pk}/review", {"accept": True}))
    returned = ok(
        review.post(
            f"{base}/items/{on_time.pk}/review",
            {"accept": False, "comment": "Thiếu số hồ sơ tồn"},
        )
    )
    assert (returned["review"], returned["review_comment"]) == ("returned", "Thiếu số hồ sơ tồn")
    assert ok(review.post(f"{base}/finish-review"))["status"] == "returned"
    # The agency fixes the returned target and resubmits; only it is reviewed again.
    report = ok(api_for(reporter).get(base))
    assert [i["editable"] for i in report["items"]] == [False, True, False]
    ok(
        api_for(reporter).put(
            base,
            {
                "version": report["version"],
                "items": [{"id": on_time.pk, "description": "Đã bổ sung 12 hồ sơ tồn"}],
            },
        )
    )
    ok(api_for(head).post(f"{base}/submit"))
    # The reviewer reads what changed since the return, as the page shows it.
    resubmitted = {i["id"]: i for i in ok(review.get(base))["items"]}
    assert resubmitted[on_time.pk]["since_review"]["description"] == [
        "Đã triển khai",
        "Đã bổ sung 12 hồ sơ tồn",
    ]
    assert resubmitted[on_time.pk]["since_review"]["status"] is None
    assert resubmitted[on_time.pk]["since_review"]["values"] == []
    assert [
        i["since_review"]["description"] for i in resubmitted.values() if i["id"] != on_time.pk
    ] == [None, None]
    ok(review.post(f"{base}/items/{on_time.pk}/review", {"accept": True}))
    accepted = ok(review.post(f"{base}/finish-review"))
    assert accepted["status"] == "accepted"
    justice_report.refresh_from_db()
    assert justice_report.status == ReportStatus.ACCEPTED
    assert set(justice_report.items.values_list("review", flat=True)) == {ReviewStatus.ACCEPTED}


# --- the overview -------------------------------------------------------------------------------


def test_the_overview_gives_province_values_from_summed_counts(
    api_for: ApiFor,
    coordinator: User,
    reporter: User,
    head: User,
    justice_report: Report,
    office_report: Report,
    small_plan: SmallPlan,
) -> None:
    fill(
        justice_report,
        None,
        counts={value_of(justice_report, small_plan.on_time_rate): ("90", "100")},
    )
    actions.submit_report(justice_report, by=head)
    fill(
        office_report, None, counts={value_of(office_report, small_plan.on_time_rate): ("9", "10")}
    )
    actions.submit_report(office_report, by=None)
    path = f"/api/reporting/rounds/{justice_report.round_id}/overview"
    body = ok(api_for(coordinator).get(path))
    assert body["counts"] == {"submitted": 2}
    target = next(t for t in body["targets"] if t["target_id"] == small_plan.on_time.pk)
    (quantity,) = target["quantities"]
    assert Decimal(quantity["numerator"]) == 99
    assert Decimal(quantity["denominator"]) == 110
    assert Decimal(quantity["value"]).quantize(Decimal("0.01")) == Decimal("90.00")
    assert (quantity["light"], quantity["reporting"]) == ("green", 2)
    assert api_for(reporter).get(path).status_code == 403
