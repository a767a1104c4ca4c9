"""The reporting screens: opening a round, filling, evidence, submitting, reviewing, the overview."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from parindex.orgs.models import AuditEntry, Organisation, OrgKind, User
from parindex.plans.models import Plan, Quantity, Responsibility, Target, TargetAgency
from parindex.reporting import actions
from parindex.reporting.models import (
    Evidence,
    Item,
    Report,
    ReportStatus,
    ReviewStatus,
    Round,
    Value,
)
from tests.conftest import LaoCai
from tests.web.pages import Element, alerts, field_errors, heading, page, parse, vi
from tests.web.reporting_data import (
    SmallPlan,
    fill,
    item_of,
    open_quarter,
    report_of,
    value_of,
)

ClientFor = Callable[[User], Client]
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
HX = {"HX-Request": "true"}
# Session, person, roles, province; the round; the newest audit entry and the reports' last
# changes (the kept summary's key); reports, targets, quantities, items, values,
# evidence, areas: whatever the number of agencies.
OVERVIEW_QUERIES = 15
# Session, person, roles and their agencies, province; the round; the target; its quantities,
# items, values and evidence; the province's dossier settings: whatever the number of agencies.
TARGET_QUERIES = 12
# Session, person, roles, province; plans, rounds, the states of their reports, own and submitted
# reports.
LIST_QUERIES = 11


def form_data(report: Report, **fields: str) -> dict[str, str]:
    """What the report form posts untouched: the version, each item's progress and counts."""
    report.refresh_from_db()
    data = {"version": str(report.version), "narrative": report.narrative}
    for item in report.items.all():
        data[f"i{item.pk}-status"] = item.status
        data[f"i{item.pk}-description"] = item.description
        for value in item.values.select_related("quantity"):
            data[f"v{value.pk}-numerator"] = "" if value.numerator is None else str(value.numerator)
            if value.quantity.unit == "percent":
                data[f"v{value.pk}-denominator"] = (
                    "" if value.denominator is None else str(value.denominator)
                )
    data.update(fields)
    return data


def texts(doc: Element, **attrs: Any) -> list[str]:
    return [e.text for e in doc.select(**attrs)]


def agency_states(doc: Element) -> dict[int, str]:
    """The overview's agency table: report id → state."""
    return {
        int(tr.attrs["data-report"]): tr.attrs["data-state"]
        for tr in doc.select("tr", data_agency=True)
    }


# --- opening a round --------------------------------------------------------------------------


def test_the_coordinator_opens_a_quarter_and_each_responsible_agency_gets_its_targets(
    coordinator: User, client_for: ClientFor, small_plan: SmallPlan, lao_cai: LaoCai
) -> None:
    client = client_for(coordinator)
    form = page(client.get(f"/reports/rounds/new/?plan={small_plan.plan.pk}"))
    assert form.one("select", name="plan").one("option", selected=True).attrs["value"] == str(
        small_plan.plan.pk
    )
    year = small_plan.plan.year
    response = client.post(
        "/reports/rounds/new/",
        {
            "plan": small_plan.plan.pk,
            "kind": "quarter",
            "number": "3",
            "deadline": f"10/01/{year + 1}",
            "remind_days_before": "3",
            "remind_days_after": "1, 3,7",
        },
    )
    round_ = Round.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/reports/rounds/{round_.pk}/"
    assert (round_.starts_on, round_.ends_on) == (date(year, 7, 1), date(year, 9, 30))
    assert round_.remind_days_after == "1,3,7"
    assert round_.opened_by == coordinator
    targets = {
        r.agency.code: [i.target_id for i in r.items.all()]
        for r in round_.reports.select_related("agency")
    }
    plan = small_plan
    assert targets == {
        "so-tu-phap": [plan.training.pk, plan.on_time.pk, plan.digitised.pk],
        "vp-ubnd": [plan.training.pk, plan.on_time.pk],
    }
    overview = page(client.get(response["Location"]))
    assert heading(overview) == round_.title
    assert set(agency_states(overview).values()) == {"draft"}


def test_a_custom_range_needs_its_days_and_the_refusal_shows_beside_the_fields(
    coordinator: User, client_for: ClientFor, small_plan: SmallPlan
) -> None:
    doc = page(
        client_for(coordinator).post(
            "/reports/rounds/new/",
            {
                "plan": small_plan.plan.pk,
                "kind": "custom",
                "deadline": "10/10/2026",
                "remind_days_before": "3",
                "remind_days_after": "một",
            },
        )
    )
    assert field_errors(doc, "starts_on") == [vi("A custom range needs its first and last day.")]
    assert field_errors(doc, "remind_days_after") == [
        vi("Write whole numbers of days separated by commas.")
    ]
    assert not Round.objects.exists()


def test_the_same_period_cannot_be_opened_twice(
    coordinator: User, client_for: ClientFor, q4: Round, small_plan: SmallPlan
) -> None:
    doc = page(
        client_for(coordinator).post(
            "/reports/rounds/new/",
            {
                "plan": small_plan.plan.pk,
                "kind": "quarter",
                "number": "4",
                "deadline": q4.deadline.strftime("%d/%m/%Y"),
                "remind_days_before": "3",
            },
        )
    )
    assert field_errors(doc, "kind") == [vi("A round for this period is already open.")]
    assert Round.objects.count() == 1


@pytest.mark.parametrize("who", ["reporter", "head", "leader", "appraiser"])
def test_only_the_coordinator_opens_a_round(
    who: str, request: pytest.FixtureRequest, client_for: ClientFor, small_plan: SmallPlan
) -> None:
    client = client_for(request.getfixturevalue(who))
    assert client.get("/reports/rounds/new/").status_code == 403
    response = client.post(
        "/reports/rounds/new/",
        {"plan": small_plan.plan.pk, "kind": "year", "deadline": "10/01/2027"},
    )
    assert response.status_code == 403
    assert not Round.objects.exists()


# --- who sees what ------------------------------------------------------------------------------


def test_the_list_shows_an_agency_person_their_reports_and_the_coordinator_the_rounds(
    reporter: User,
    coordinator: User,
    client_for: ClientFor,
    justice_report: Report,
    office_report: Report,
    q4: Round,
) -> None:
    mine = page(client_for(reporter).get("/reports/"))
    assert [tr.attrs["data-report"] for tr in mine.select("tr", data_report=True)] == [
        str(justice_report.pk)
    ]
    assert not mine.has(data_section="rounds")
    rounds = page(client_for(coordinator).get("/reports/"))
    assert [tr.attrs["data-round"] for tr in rounds.select("tr", data_round=True)] == [str(q4.pk)]
    assert rounds.one("a", href="/reports/rounds/new/")


def test_reporter_cannot_see_another_agencys_report(
    reporter: User, client_for: ClientFor, office_report: Report
) -> None:
    assert client_for(reporter).get(f"/reports/{office_report.pk}/").status_code == 404


def test_outsider_sees_nothing_of_the_round(
    outsider: User, client_for: ClientFor, justice_report: Report, q4: Round
) -> None:
    client = client_for(outsider)
    assert client.get(f"/reports/{justice_report.pk}/").status_code == 404
    assert client.get(f"/reports/rounds/{q4.pk}/").status_code == 404


def test_an_agency_reporter_does_not_get_the_round_overview(
    reporter: User, client_for: ClientFor, q4: Round
) -> None:
    assert client_for(reporter).get(f"/reports/rounds/{q4.pk}/").status_code == 403


def test_the_appraiser_sees_the_assigned_agencys_report_once_submitted(
    appraiser: User,
    client_for: ClientFor,
    justice_report: Report,
    head: User,
    small_plan: SmallPlan,
) -> None:
    client = client_for(appraiser)
    assert client.get(f"/reports/{justice_report.pk}/").status_code == 404
    fill(justice_report, None, counts={})
    actions.submit_report(justice_report, by=head)
    doc = page(client.get(f"/reports/{justice_report.pk}/"))
    assert doc.has("form", data_review_form=True)


# --- filling in ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("quarter", "count_light"), [(2, "green"), (4, "red")])
def test_the_form_marks_each_figure_against_where_its_target_should_stand_by_the_round_end(
    quarter: int,
    count_light: str,
    reporter: User,
    client_for: ClientFor,
    small_plan: SmallPlan,
    lao_cai: LaoCai,
) -> None:
    round_ = open_quarter(small_plan.plan, quarter, date(small_plan.plan.year + 1, 1, 10))
    report = report_of(round_, lao_cai.justice)
    rate = value_of(report, small_plan.on_time_rate)
    count = value_of(report, small_plan.digitised_count)
    fill(report, None, counts={count: ("5", None), rate: ("80", "100")})
    doc = page(client_for(reporter).get(f"/reports/{report.pk}/"))
    # At least 10 in the year: 5 by 30/06 is on the path, by 31/12 it is not.
    assert doc.one("tr", data_value=str(count.pk)).attrs["data-light"] == count_light
    # A rate is judged as it is, whatever the time of year.
    assert doc.one("tr", data_value=str(rate.pk)).attrs["data-light"] == "red"
    marked = doc.one("tr", data_value=str(count.pk)).one("span", cls=f"mark-{count_light}")
    assert marked.attrs["title"] == vi("On target" if count_light == "green" else "Off target")


def test_the_reporter_fills_counts_the_vietnamese_way_and_the_rate_is_computed(
    reporter: User, client_for: ClientFor, justice_report: Report, small_plan: SmallPlan
) -> None:
    client = client_for(reporter)
    doc = page(client.get(f"/reports/{justice_report.pk}/"))
    rate = value_of(justice_report, small_plan.on_time_rate)
    count = value_of(justice_report, small_plan.digitised_count)
    labels = [label.text for label in doc.one("tr", data_value=str(rate.pk)).select("label")]
    assert labels == [vi("Number achieved"), vi("Total number")]
    assert not doc.one("tr", data_value=str(count.pk)).has("input", name=f"v{count.pk}-denominator")
    on_time = item_of(justice_report, small_plan.on_time)
    response = client.post(
        f"/reports/{justice_report.pk}/",
        form_data(
            justice_report,
            narrative="Quý IV hoàn thành cơ bản kế hoạch.",
            **{
                f"v{rate.pk}-numerator": "95,5",
                f"v{rate.pk}-denominator": "1.000",
                f"v{count.pk}-numerator": "12",
                f"i{on_time.pk}-status": "done",
                f"i{on_time.pk}-description": "Đã rà soát toàn bộ hồ sơ quá hạn",
            },
        ),
    )
    assert response.status_code == 302
    rate.refresh_from_db()
    count.refresh_from_db()
    assert (rate.numerator, rate.denominator) == (Decimal("95.5"), Decimal(1000))
    assert (count.numerator, count.denominator) == (Decimal(12), None)
    doc = page(client.get(response["Location"]))
    assert alerts(doc) == [vi("Your changes were saved.")]
    assert doc.one("output", data_rate=str(rate.pk)).text == "9,55 %"
    assert doc.one("input", name=f"v{rate.pk}-numerator").attrs["value"] == "95,5"
    justice_report.refresh_from_db()
    assert justice_report.version == 2
    assert justice_report.narrative == "Quý IV hoàn thành cơ bản kế hoạch."


@pytest.mark.parametrize(
    ("numerator", "denominator", "field", "message"),
    [
        ("120", "100", "numerator", "The count (%(num)s) is larger than its total (%(den)s)."),
        ("-3", "100", "numerator", "A count cannot be negative."),
        ("95", "", "denominator", "A rate needs the total it is a share of."),
        ("chín", "100", "numerator", "Enter a number, such as 95,5."),
    ],
)
def test_impossible_counts_are_shown_beside_the_field_and_nothing_is_saved(
    numerator: str,
    denominator: str,
    field: str,
    message: str,
    reporter: User,
    client_for: ClientFor,
    justice_report: Report,
    small_plan: SmallPlan,
) -> None:
    rate = value_of(justice_report, small_plan.on_time_rate)
    on_time = item_of(justice_report, small_plan.on_time)
    before = AuditEntry.objects.count()
    doc = page(
        client_for(reporter).post(
            f"/reports/{justice_report.pk}/",
            form_data(
                justice_report,
                **{
                    f"v{rate.pk}-numerator": numerator,
                    f"v{rate.pk}-denominator": denominator,
                    f"i{on_time.pk}-description": "Đang làm",
                },
            ),
        )
    )
    expected = (
        vi(message, num=Decimal(numerator), den=Decimal(denominator or 0))
        if "%" in message
        else vi(message)
    )
    assert field_errors(doc, f"v{rate.pk}-{field}") == [expected]
    assert doc.has(data_errors=True)
    # What was typed stays on the page; nothing reached the database.
    assert doc.one("input", name=f"v{rate.pk}-numerator").attrs["value"] == numerator
    assert doc.one("textarea", name=f"i{on_time.pk}-description").text == "Đang làm"
    rate.refresh_from_db()
    assert rate.numerator is None
    assert item_of(justice_report, small_plan.on_time).description == ""
    assert AuditEntry.objects.count() == before


def test_a_stale_save_is_refused_with_what_changed_and_the_input_is_kept(
    reporter: User, head: User, client_for: ClientFor, justice_report: Report, small_plan: SmallPlan
) -> None:
    rate = value_of(justice_report, small_plan.on_time_rate)
    opened = form_data(justice_report)  # the reporter opens the form at version 1
    fill(justice_report, head, counts={rate: ("80", "100")})  # the head saves meanwhile
    doc = page(
        client_for(reporter).post(
            f"/reports/{justice_report.pk}/",
            {**opened, f"v{rate.pk}-numerator": "91", f"v{rate.pk}-denominator": "100"},
        )
    )
    stale = doc.one(data_stale=True)
    assert (
        vi(
            "Someone saved this report after you opened it; reload to see their changes before saving yours."
        )
        in stale.text
    )
    assert str(head) in stale.text
    assert doc.one("input", name=f"v{rate.pk}-numerator").attrs["value"] == "91"
    assert "80 / 100" in doc.one("tr", data_value=str(rate.pk)).one(data_saved_now=True).text
    rate.refresh_from_db()
    assert rate.numerator == Decimal(80)
    # The form now carries the current version: saving again, knowingly, goes through.
    version = doc.one("input", name="version").attrs["value"]
    assert version == str(Report.objects.get(pk=justice_report.pk).version)


def test_values_of_the_previous_round_are_shown_beside_the_fields(
    reporter: User, client_for: ClientFor, small_plan: SmallPlan, lao_cai: LaoCai
) -> None:
    year = small_plan.plan.year
    q3 = open_quarter(small_plan.plan, 3, date(year, 10, 10))
    q2 = open_quarter(small_plan.plan, 2, date(year, 7, 10))
    earlier = report_of(q2, lao_cai.justice)
    fill(earlier, None, counts={value_of(earlier, small_plan.on_time_rate): ("70", "100")})
    before = report_of(q3, lao_cai.justice)
    fill(
        before,
        None,
        counts={
            value_of(before, small_plan.on_time_rate): ("85", "100"),
            value_of(before, small_plan.digitised_count): ("7", None),
        },
        status="at_risk",
    )
    q4 = open_quarter(small_plan.plan, 4, date(year + 1, 1, 10))
    now = report_of(q4, lao_cai.justice)
    doc = page(client_for(reporter).get(f"/reports/{now.pk}/"))
    rate = value_of(now, small_plan.on_time_rate)
    count = value_of(now, small_plan.digitised_count)
    assert (
        doc.one("tr", data_value=str(rate.pk)).one(data_previous=True).text == "85 / 100 (85,00 %)"
    )
    assert doc.one("tr", data_value=str(count.pk)).one(data_previous=True).text == "7"
    statuses = texts(doc, data_previous_status=True)
    assert statuses and all(vi("At risk") in s for s in statuses)
    assert q3.title in doc.one(data_item=str(rate.item_id)).one("thead").text


# --- evidence -----------------------------------------------------------------------------------


def test_evidence_is_attached_and_downloaded_with_its_name_by_those_who_may_see_it(
    reporter: User,
    other_reporter: User,
    leader: User,
    client_for: ClientFor,
    justice_report: Report,
    small_plan: SmallPlan,
    media: None,
) -> None:
    item = item_of(justice_report, small_plan.on_time)
    client = client_for(reporter)
    upload = SimpleUploadedFile("Báo cáo quý IV.pdf", PDF, content_type="application/pdf")
    block = parse(
        client.post(
            f"/reports/{justice_report.pk}/items/{item.pk}/evidence/", {"file": upload}, headers=HX
        ).content
    )
    evidence = Evidence.objects.get()
    assert block.one(data_evidence=str(item.pk)).one("a").text == "Báo cáo quý IV.pdf"
    assert (evidence.content_type, evidence.size) == ("application/pdf", len(PDF))
    for viewer in (reporter, leader):
        response = client_for(viewer).get(f"/reports/evidence/{evidence.pk}/")
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF  # type: ignore[attr-defined]
        assert response["Content-Type"] == "application/pdf"
        assert (
            "filename*=utf-8''B%C3%A1o%20c%C3%A1o%20qu%C3%BD%20IV.pdf"
            in response["Content-Disposition"]
        )
    assert client_for(other_reporter).get(f"/reports/evidence/{evidence.pk}/").status_code == 404
    history = AuditEntry.objects.filter(action="reporting.evidence.add").get()
    assert history.object_id == str(justice_report.pk)


def test_a_pdf_that_is_really_text_is_refused(
    reporter: User,
    client_for: ClientFor,
    justice_report: Report,
    small_plan: SmallPlan,
    media: None,
) -> None:
    item = item_of(justice_report, small_plan.on_time)
    fake = SimpleUploadedFile(
        "bien-ban.pdf", "Biên bản họp".encode(), content_type="application/pdf"
    )
    block = parse(
        client_for(reporter)
        .post(f"/reports/{justice_report.pk}/items/{item.pk}/evidence/", {"file": fake}, headers=HX)
        .content
    )
    assert block.one(data_evidence_error=True).text == vi(
        "%(name)s is not a PDF, Word, Excel or image file (judged by its content).",
        name="bien-ban.pdf",
    )
    assert not Evidence.objects.exists()


def test_a_file_over_the_size_limit_is_refused(
    reporter: User,
    client_for: ClientFor,
    justice_report: Report,
    small_plan: SmallPlan,
    media: None,
) -> None:
    item = item_of(justice_report, small_plan.on_time)
    big = SimpleUploadedFile("lon.pdf", PDF + b"0" * 2_000_000, content_type="application/pdf")
    client = client_for(reporter)
    with override_settings(PARINDEX_MAX_EVIDENCE_BYTES=1_000_000):
        response = client.post(
            f"/reports/{justice_report.pk}/items/{item.pk}/evidence/", {"file": big}
        )
    assert response.status_code == 302
    doc = page(client.get(response["Location"]))
    assert alerts(doc) == [vi("%(name)s is larger than %(mb)s MB.", name="lon.pdf", mb=1)]
    assert not Evidence.objects.exists()


def test_another_agency_can_neither_attach_nor_remove_evidence(
    reporter: User,
    other_reporter: User,
    client_for: ClientFor,
    justice_report: Report,
    small_plan: SmallPlan,
    media: None,
) -> None:
    item = item_of(justice_report, small_plan.on_time)
    evidence = actions.add_evidence(
        item, by=reporter, upload=SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")
    )
    client = client_for(other_reporter)
    upload = SimpleUploadedFile("b.pdf", PDF, content_type="application/pdf")
    assert (
        client.post(
            f"/reports/{justice_report.pk}/items/{item.pk}/evidence/", {"file": upload}
        ).status_code
        == 404
    )
    assert client.post(f"/reports/evidence/{evidence.pk}/remove/").status_code == 404
    assert Evidence.objects.count() == 1


def test_the_reporter_removes_a_file(
    reporter: User,
    client_for: ClientFor,
    justice_report: Report,
    small_plan: SmallPlan,
    media: None,
) -> None:
    item = item_of(justice_report, small_plan.on_time)
    evidence = actions.add_evidence(
        item, by=reporter, upload=SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")
    )
    block = parse(
        client_for(reporter).post(f"/reports/evidence/{evidence.pk}/remove/", headers=HX).content
    )
    assert not block.select("li", data_file=True)
    assert not Evidence.objects.exists()
    assert AuditEntry.objects.filter(action="reporting.evidence.remove").count() == 1


# --- submitting and reviewing -------------------------------------------------------------------


def test_only_the_head_is_offered_and_allowed_to_submit(
    reporter: User, head: User, client_for: ClientFor, justice_report: Report, small_plan: SmallPlan
) -> None:
    fill(justice_report, None, counts={})
    reporter_page = page(client_for(reporter).get(f"/reports/{justice_report.pk}/"))
    assert not reporter_page.has("button", data_submit=True)
    forged = form_data(justice_report, narrative="Nộp luôn", submit="1")
    assert client_for(reporter).post(f"/reports/{justice_report.pk}/", forged).status_code == 403
    justice_report.refresh_from_db()
    assert (justice_report.status, justice_report.narrative) == (ReportStatus.DRAFT, "")
    head_client = client_for(head)
    assert page(head_client.get(f"/reports/{justice_report.pk}/")).has("button", data_submit=True)
    response = head_client.post(
        f"/reports/{justice_report.pk}/", form_data(justice_report, submit="1")
    )
    doc = page(head_client.get(response["Location"]))
    assert alerts(doc) == [vi("The report was submitted to Home Affairs.")]
    justice_report.refresh_from_db()
    assert (justice_report.status, justice_report.submitted_by, justice_report.late) == (
        ReportStatus.SUBMITTED,
        head,
        False,
    )
    assert not doc.has("form", data_report_form=True)  # no more editing while it is reviewed


def test_a_submission_after_the_deadline_is_recorded_as_late(
    head: User, coordinator: User, client_for: ClientFor, small_plan: SmallPlan, lao_cai: LaoCai
) -> None:
    year = small_plan.plan.year
    q3 = open_quarter(small_plan.plan, 3, date(year, 10, 10))
    report = report_of(q3, lao_cai.justice)
    assert timezone.localdate() > q3.deadline
    overview = page(client_for(coordinator).get(f"/reports/rounds/{q3.pk}/"))
    assert agency_states(overview)[report.pk] == "missing"
    assert overview.one(data_count="missing").one(cls="stat-value").text.startswith("2")
    fill(report, None, counts={})
    client = client_for(head)
    response = client.post(f"/reports/{report.pk}/", form_data(report, submit="1"))
    doc = page(client.get(response["Location"]))
    assert alerts(doc) == [
        vi(
            "The report was submitted after the deadline (%(day)s) and is recorded as late.",
            day=q3.deadline.strftime("%d/%m/%Y"),
        )
    ]
    report.refresh_from_db()
    assert report.late and report.status == ReportStatus.SUBMITTED
    assert doc.one(data_report=str(report.pk)).attrs["data-state"] == "late"
    overview = page(client_for(coordinator).get(f"/reports/rounds/{q3.pk}/"))
    assert agency_states(overview)[report.pk] == "late"


def submitted(
    report: Report, head: User, counts: dict[Value, tuple[str | None, str | None]] | None = None
) -> Report:
    fill(report, None, counts=counts or {})
    return actions.submit_report(report, by=head)


def test_the_coordinator_returns_a_target_with_a_comment_and_the_reporter_sees_it(
    coordinator: User,
    reporter: User,
    head: User,
    client_for: ClientFor,
    justice_report: Report,
    small_plan: SmallPlan,
) -> None:
    submitted(justice_report, head)
    on_time = item_of(justice_report, small_plan.on_time)
    client = client_for(coordinator)
    # Returning without saying what to fix is refused beside the comment box.
    doc = page(
        client.post(
            f"/reports/{justice_report.pk}/items/{on_time.pk}/review/",
            {"decision": "return", "comment": "  "},
        )
    )
    box = doc.one(data_item=str(on_time.pk)).one("form", data_review_form=True)
    assert field_errors(box, "comment") == [vi("Say what needs fixing when returning a target.")]
    for item in justice_report.items.exclude(pk=on_time.pk):
        client.post(f"/reports/{justice_report.pk}/items/{item.pk}/review/", {"decision": "accept"})
    client.post(
        f"/reports/{justice_report.pk}/items/{on_time.pk}/review/",
        {"decision": "return", "comment": "Bổ sung số hồ sơ tồn của quý trước"},
    )
    response = client.post(f"/reports/{justice_report.pk}/finish-review/")
    assert alerts(page(client.get(response["Location"]))) == [
        vi("The report was returned to %(agency)s for corrections.", agency="Sở Tư pháp")
    ]
    justice_report.refresh_from_db()
    assert justice_report.status == ReportStatus.RETURNED
    doc = page(client_for(reporter).get(f"/reports/{justice_report.pk}/"))
    assert (
        doc.one(data_item=str(on_time.pk))
        .one(data_review_comment=True)
        .text.endswith("Bổ sung số hồ sơ tồn của quý trước")
    )
    # Accepted targets stay as they were; only the returned one can be changed.
    editable = {
        int(select.attrs["name"][1:].split("-")[0])
        for select in doc.select("select")
        if select.attrs.get("name", "").endswith("-status")
    }
    assert editable == {on_time.pk}


def test_the_leader_reads_the_report_but_cannot_review_it(
    leader: User, head: User, client_for: ClientFor, justice_report: Report
) -> None:
    submitted(justice_report, head)
    client = client_for(leader)
    doc = page(client.get(f"/reports/{justice_report.pk}/"))
    assert not doc.has("form", data_review_form=True)
    assert not doc.has("form", data_report_form=True)
    item = justice_report.items.first()
    assert item is not None
    response = client.post(
        f"/reports/{justice_report.pk}/items/{item.pk}/review/", {"decision": "accept"}
    )
    assert response.status_code == 403
    assert Item.objects.get(pk=item.pk).review == ReviewStatus.PENDING


def test_the_history_shows_who_changed_what_and_when(
    reporter: User, head: User, client_for: ClientFor, justice_report: Report, small_plan: SmallPlan
) -> None:
    rate = value_of(justice_report, small_plan.on_time_rate)
    client = client_for(reporter)
    client.post(
        f"/reports/{justice_report.pk}/",
        form_data(
            justice_report, **{f"v{rate.pk}-numerator": "90", f"v{rate.pk}-denominator": "100"}
        ),
    )
    client.post(
        f"/reports/{justice_report.pk}/",
        form_data(justice_report, **{f"v{rate.pk}-numerator": "92,5"}),
    )
    submitted(justice_report, head)
    doc = page(client.get(f"/reports/{justice_report.pk}/"))
    entries = doc.one(data_section="history").select("li", data_action=True)
    assert [e.attrs["data-action"] for e in entries][:3] == [
        "reporting.report.submit",
        "reporting.report.save",  # fill() marks progress before the head submits
        "reporting.report.save",
    ]
    submit = entries[0].text
    assert str(head) in submit
    assert f"{vi('Draft')} → {vi('Submitted')}" in submit
    change = entries[2].text
    assert str(reporter) in change
    assert "Tỷ lệ hồ sơ giải quyết đúng hạn: 90 / 100 → 92,5 / 100" in change


# --- the overview -------------------------------------------------------------------------------


def test_the_province_value_is_the_sum_of_counts_not_the_average_of_rates(
    coordinator: User,
    head: User,
    client_for: ClientFor,
    justice_report: Report,
    office_report: Report,
    small_plan: SmallPlan,
    lao_cai: LaoCai,
) -> None:
    submitted(
        justice_report, head, {value_of(justice_report, small_plan.on_time_rate): ("90", "100")}
    )
    fill(
        office_report, None, counts={value_of(office_report, small_plan.on_time_rate): ("9", "10")}
    )
    actions.submit_report(office_report, by=None)
    doc = page(client_for(coordinator).get(f"/reports/rounds/{justice_report.round_id}/"))
    row = doc.one("tr", data_quantity=str(small_plan.on_time_rate.pk))
    assert row.one(data_province_value=True).text == "90,00 %"  # 99/110, not (90 + 90)/2… nor 90,5
    assert "99 / 110" in row.text
    assert row.attrs["data-light"] == "green"
    target = doc.one("article", data_target=str(small_plan.on_time.pk))
    assert target.attrs["data-light"] == "green"
    # The agencies' lines are read when the target is opened.
    drill = page(client_for(coordinator).get(target.one("details").attrs["hx-get"], headers=HX))
    assert {tr.attrs["data-report"] for tr in drill.select("tr", data_report=True)} == {
        str(justice_report.pk),
        str(office_report.pk),
    }
    assert doc.one(data_count="submitted").one(cls="stat-value").text.startswith("2")


def test_a_province_value_below_the_threshold_is_red_or_amber(
    coordinator: User,
    head: User,
    client_for: ClientFor,
    justice_report: Report,
    small_plan: SmallPlan,
) -> None:
    submitted(
        justice_report,
        head,
        {
            value_of(justice_report, small_plan.on_time_rate): ("85", "100"),
            value_of(justice_report, small_plan.digitised_count): ("4", None),
        },
    )
    doc = page(client_for(coordinator).get(f"/reports/rounds/{justice_report.round_id}/"))
    assert (
        doc.one("tr", data_quantity=str(small_plan.on_time_rate.pk)).attrs["data-light"] == "amber"
    )
    assert (
        doc.one("tr", data_quantity=str(small_plan.digitised_count.pk)).attrs["data-light"] == "red"
    )


def test_the_overview_links_the_consolidated_exports_and_the_report_its_agency_export(
    coordinator: User, client_for: ClientFor, justice_report: Report, q4: Round
) -> None:
    client = client_for(coordinator)
    overview = page(client.get(f"/reports/rounds/{q4.pk}/"))
    assert [a.attrs["href"] for a in overview.select("a", data_export=True)] == [
        f"/exports/round-consolidated.docx?round={q4.pk}",
        f"/exports/round-consolidated.xlsx?round={q4.pk}",
    ]
    report = page(client.get(f"/reports/{justice_report.pk}/"))
    assert [a.attrs["href"] for a in report.select("a", data_export=True)] == [
        f"/exports/agency-report.docx?report={justice_report.pk}",
        f"/exports/agency-report.xlsx?report={justice_report.pk}",
    ]


def test_the_leader_sees_the_overview_read_only(
    leader: User, client_for: ClientFor, justice_report: Report, q4: Round
) -> None:
    doc = page(client_for(leader).get(f"/reports/rounds/{q4.pk}/"))
    assert doc.select("tr", data_report=True)
    assert not doc.one("main").select("form")


def many_agencies(lao_cai: LaoCai, small_plan: SmallPlan, n: int) -> Round:
    """n departments, each leading the on-time target and each with a submitted report."""
    for k in range(n):
        agency = Organisation.objects.create(
            province=lao_cai.province,
            kind=OrgKind.DEPARTMENT,
            name=f"Sở số {k:02d}",
            code=f"so-{k}",
        )
        TargetAgency.objects.create(
            target=small_plan.on_time, organisation=agency, responsibility=Responsibility.LEAD
        )
    round_ = open_quarter(small_plan.plan, 4, date(small_plan.plan.year + 1, 1, 10))
    for report in round_.reports.all():
        fill(report, None, counts={value_of(report, small_plan.on_time_rate): ("9", "10")})
        actions.submit_report(report, by=None)
    return round_


def test_the_overview_is_a_line_per_target_and_its_agencies_come_when_it_is_opened(
    coordinator: User,
    client_for: ClientFor,
    small_plan: SmallPlan,
    lao_cai: LaoCai,
) -> None:
    round_ = many_agencies(lao_cai, small_plan, 30)
    late = report_of(round_, lao_cai.justice)
    Report.objects.filter(pk=late.pk).update(late=True)
    client = client_for(coordinator)
    doc = page(client.get(f"/reports/rounds/{round_.pk}/"))
    target = doc.one("article", data_target=str(small_plan.on_time.pk))
    # The line says how many agencies reported, not what each of them did.
    assert not target.select("tr", data_report=True)
    counts = target.one(cls="overview-agencies")
    reported = counts.one(data_reported=True)
    assert (counts.attrs["data-agencies"], reported.attrs["data-reported"]) == ("32", "32")
    assert "32" in reported.text
    assert counts.one(data_state="late").text == f"{vi('Late')}: 1"
    details = target.one("details")
    url = f"/reports/rounds/{round_.pk}/targets/{small_plan.on_time.pk}/"
    assert details.attrs["hx-get"] == url
    # Without script, the drill-down links to the same lines as a page of their own.
    assert details.one("a").attrs["href"] == url
    fragment = client.get(url, headers=HX)
    assert b"<html" not in fragment.content
    lines = page(fragment).select("tr", data_report=True)
    assert len(lines) == 32
    line = page(fragment).one("tr", data_report=str(late.pk))
    assert line.attrs["data-state"] == "late"
    item = item_of(late, small_plan.on_time)
    assert line.one("a").attrs["href"] == f"/reports/{late.pk}/#item-{item.pk}"
    assert "9 / 10" in line.text
    full = page(client.get(url))
    assert heading(full) == round_.title
    assert len(full.select("tr", data_report=True)) == 32


def test_the_overview_shows_what_people_typed_as_text_never_as_markup(
    coordinator: User,
    client_for: ClientFor,
    justice_report: Report,
    small_plan: SmallPlan,
    lao_cai: LaoCai,
) -> None:
    typed = '<script>alert("x")</script> & <b>'
    Target.objects.filter(pk=small_plan.on_time.pk).update(text=f"Nhiệm vụ {typed}")
    Quantity.objects.filter(pk=small_plan.on_time_rate.pk).update(subject=f"tỷ lệ {typed}")
    Organisation.objects.filter(pk=lao_cai.justice.pk).update(name=f"Sở {typed}")
    response = client_for(coordinator).get(f"/reports/rounds/{justice_report.round_id}/")
    assert b"<script>alert" not in response.content and b"& <b>" not in response.content
    doc = page(response)
    assert typed in doc.one("article", data_target=str(small_plan.on_time.pk)).text
    assert typed in doc.one("tr", data_quantity=str(small_plan.on_time_rate.pk)).text
    assert typed in doc.one("tr", data_report=str(justice_report.pk)).text


def test_a_target_outside_the_rounds_plan_is_not_found(
    coordinator: User, client_for: ClientFor, q4: Round, small_plan: SmallPlan
) -> None:
    other = Plan.objects.create(
        province=small_plan.plan.province, number="9/KH-UBND", year=2020, title="Khác"
    )
    stranger = Target.objects.create(plan=other, text="Nhiệm vụ khác", position=0)
    response = client_for(coordinator).get(f"/reports/rounds/{q4.pk}/targets/{stranger.pk}/")
    assert response.status_code == 404


@pytest.mark.parametrize("agencies", [3, 30])
def test_a_targets_agencies_take_the_same_number_of_queries_for_3_or_30_agencies(
    agencies: int,
    coordinator: User,
    client_for: ClientFor,
    small_plan: SmallPlan,
    lao_cai: LaoCai,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    round_ = many_agencies(lao_cai, small_plan, agencies)
    client = client_for(coordinator)
    url = f"/reports/rounds/{round_.pk}/targets/{small_plan.on_time.pk}/"
    with django_assert_max_num_queries(TARGET_QUERIES):
        response = client.get(url, headers=HX)
    assert len(page(response).select("tr", data_report=True)) == agencies + 2


@pytest.mark.parametrize("agencies", [3, 30])
def test_the_overview_takes_the_same_number_of_queries_for_3_or_30_agencies(
    agencies: int,
    coordinator: User,
    client_for: ClientFor,
    small_plan: SmallPlan,
    lao_cai: LaoCai,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    round_ = many_agencies(lao_cai, small_plan, agencies)
    client = client_for(coordinator)
    with django_assert_max_num_queries(OVERVIEW_QUERIES):
        response = client.get(f"/reports/rounds/{round_.pk}/")
    doc = page(response)
    assert len(doc.select("tr", data_agency=True)) == agencies + 2  # the plan's own two, too


@pytest.mark.parametrize("agencies", [3, 30])
def test_the_report_list_takes_the_same_number_of_queries_for_3_or_30_agencies(
    agencies: int,
    coordinator: User,
    client_for: ClientFor,
    small_plan: SmallPlan,
    lao_cai: LaoCai,
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    many_agencies(lao_cai, small_plan, agencies)
    client = client_for(coordinator)
    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get("/reports/")
    doc = page(response)
    assert len(doc.one(data_section="to-review").select("tr", data_report=True)) == agencies + 2
