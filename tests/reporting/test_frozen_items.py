"""An accepted target is frozen, its evidence included, until its reviewer reopens it; reopening
is in the report's history, and the change goes back through review."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from parindex.orgs import actions as org_actions
from parindex.orgs.models import AuditEntry, User
from parindex.reporting import actions
from parindex.reporting.models import Evidence, Item, Report, ReportStatus, ReviewStatus
from tests.web.pages import page, vi
from tests.web.reporting_data import SmallPlan, fill, item_of, value_of

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
FROZEN = "This target was accepted and cannot be changed unless its reviewer reopens it."


def api(user: User) -> Client:
    _token, key = org_actions.create_api_token(user, by=user, name="tích hợp")
    return Client(raise_request_exception=False, headers={"Authorization": f"Bearer {key}"})


def web(user: User) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def post_json(client: Client, url: str, payload: dict[str, Any] | None = None) -> Any:
    return client.post(url, json.dumps(payload or {}), content_type="application/json")


@pytest.fixture
def returned(
    justice_report: Report,
    small_plan: SmallPlan,
    reporter: User,
    head: User,
    coordinator: User,
    media: None,
) -> Report:
    """Sở Tư pháp's report with evidence on its count, the count accepted and the rate returned."""
    count = value_of(justice_report, small_plan.digitised_count)
    rate = value_of(justice_report, small_plan.on_time_rate)
    fill(justice_report, reporter, counts={count: ("12", None), rate: ("80", "100")})
    digitised = item_of(justice_report, small_plan.digitised)
    digitised.report = justice_report
    actions.add_evidence(digitised, by=reporter, upload=SimpleUploadedFile("bien-ban.pdf", PDF))
    actions.submit_report(justice_report, by=head)
    on_time = item_of(justice_report, small_plan.on_time)
    actions.review_item(on_time, by=coordinator, accept=False, comment="Thiếu danh sách hồ sơ.")
    actions.accept_pending(justice_report, by=coordinator)
    report = actions.finish_review(justice_report, by=coordinator, notify=False)
    assert report.status == ReportStatus.RETURNED
    return report


def test_evidence_of_an_accepted_target_cannot_be_removed_or_added_on_the_web_or_the_api(
    returned: Report, small_plan: SmallPlan, reporter: User
) -> None:
    digitised = item_of(returned, small_plan.digitised)
    [evidence] = Evidence.objects.filter(item=digitised)
    removed = web(reporter).post(f"/reports/evidence/{evidence.pk}/remove/", follow=True)
    assert removed.status_code == 200
    assert vi(FROZEN) in removed.content.decode()
    assert api(reporter).delete(f"/api/reporting/evidence/{evidence.pk}").status_code == 422
    added = api(reporter).post(
        f"/api/reporting/reports/{returned.pk}/items/{digitised.pk}/evidence",
        {"file": SimpleUploadedFile("thay-the.pdf", PDF)},
    )
    assert added.status_code == 422
    assert [e.name for e in Evidence.objects.filter(item=digitised)] == ["bien-ban.pdf"]


def test_a_program_changing_an_accepted_value_is_refused_not_silently_ignored(
    returned: Report, small_plan: SmallPlan, reporter: User
) -> None:
    count = value_of(returned, small_plan.digitised_count)
    answer = api(reporter).put(
        f"/api/reporting/reports/{returned.pk}",
        json.dumps(
            {
                "version": returned.version,
                "items": [{"id": count.item_id, "values": [{"id": count.pk, "numerator": 40}]}],
            }
        ),
        content_type="application/json",
    )
    assert answer.status_code == 422
    assert answer.json()["errors"] == {f"i{count.item_id}-status": [vi(FROZEN)]}
    count.refresh_from_db()
    assert count.numerator == 12


def test_sending_an_accepted_target_back_unchanged_is_not_a_change(
    returned: Report, small_plan: SmallPlan, reporter: User
) -> None:
    count = value_of(returned, small_plan.digitised_count)
    item = item_of(returned, small_plan.digitised)
    _saved, errors = actions.save_report(
        returned,
        by=reporter,
        version=returned.version,
        items={
            item.pk: actions.ItemInput(
                status=item.status,
                description=item.description,
                values={count.pk: (count.numerator, count.denominator)},
            )
        },
    )
    assert errors == {}


def test_the_reviewer_reopens_an_accepted_target_and_the_change_goes_back_through_review(
    returned: Report, small_plan: SmallPlan, reporter: User, head: User, coordinator: User
) -> None:
    digitised = item_of(returned, small_plan.digitised)
    refused = post_json(
        api(reporter),
        f"/api/reporting/reports/{returned.pk}/items/{digitised.pk}/reopen",
        {"comment": "Tôi muốn sửa."},
    )
    assert refused.status_code == 403
    body = post_json(
        api(coordinator),
        f"/api/reporting/reports/{returned.pk}/items/{digitised.pk}/reopen",
        {"comment": "Số thủ tục cần đối chiếu lại."},
    )
    assert body.status_code == 200, body.content
    assert (body.json()["review"], body.json()["editable"]) == ("returned", False)
    [evidence] = Evidence.objects.filter(item=digitised)
    actions.remove_evidence(evidence, by=reporter)
    count = value_of(returned, small_plan.digitised_count)
    fill(returned, reporter, counts={count: ("11", None)})
    report = actions.submit_report(returned, by=head)
    digitised.refresh_from_db()
    assert digitised.review == ReviewStatus.PENDING
    assert report.status == ReportStatus.SUBMITTED
    [entry] = AuditEntry.objects.filter(action="reporting.item.reopen", object_id=str(report.pk))
    assert entry.actor == coordinator
    history = page(web(reporter).get(f"/reports/{report.pk}/")).text
    assert vi("Accepted target reopened") in history


def test_reopening_a_target_of_an_accepted_report_returns_the_report_through_the_web(
    returned: Report, small_plan: SmallPlan, reporter: User, head: User, coordinator: User
) -> None:
    fill(returned, reporter, counts={value_of(returned, small_plan.on_time_rate): ("95", "100")})
    actions.submit_report(returned, by=head)
    actions.accept_pending(returned, by=coordinator)
    report = actions.finish_review(returned, by=coordinator)
    assert report.status == ReportStatus.ACCEPTED
    digitised = item_of(report, small_plan.digitised)
    doc = page(web(coordinator).get(f"/reports/{report.pk}/"))
    assert doc.select("form", data_reopen_form=str(digitised.pk))
    empty = web(coordinator).post(f"/reports/{report.pk}/items/{digitised.pk}/reopen/", {})
    assert empty.status_code == 200
    assert vi("Say why the target is reopened.") in empty.content.decode()
    response = web(coordinator).post(
        f"/reports/{report.pk}/items/{digitised.pk}/reopen/", {"comment": "Bổ sung biên bản."}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    digitised.refresh_from_db()
    assert (report.status, report.accepted_at) == (ReportStatus.RETURNED, None)
    assert (digitised.review, digitised.review_comment) == ("returned", "Bổ sung biên bản.")


def test_only_an_accepted_target_can_be_reopened(
    returned: Report, small_plan: SmallPlan, coordinator: User
) -> None:
    on_time = item_of(returned, small_plan.on_time)
    with pytest.raises(ValidationError):
        actions.reopen_item(on_time, by=coordinator, comment="?")
    assert Item.objects.get(pk=on_time.pk).review == ReviewStatus.RETURNED


def test_a_second_submit_says_already_submitted_with_409(
    justice_report: Report, small_plan: SmallPlan, reporter: User, head: User
) -> None:
    count = value_of(justice_report, small_plan.digitised_count)
    rate = value_of(justice_report, small_plan.on_time_rate)
    fill(justice_report, reporter, counts={count: ("3", None), rate: ("9", "10")})
    client = api(head)
    first = client.post(f"/api/reporting/reports/{justice_report.pk}/submit")
    assert first.status_code == 200
    second = client.post(f"/api/reporting/reports/{justice_report.pk}/submit")
    assert second.status_code == 409
    assert second.json()["detail"] == vi("This report was already submitted.")
    again = web(head).post(
        f"/reports/{justice_report.pk}/", {"version": "1", "submit": "1"}, follow=True
    )
    assert again.status_code == 200
    assert vi("This report was already submitted.") in again.content.decode()
