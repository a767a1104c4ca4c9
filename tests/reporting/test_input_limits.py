"""What a report, a round and a review accept: numbers their columns hold, text within its limit
and without control characters; the web form and the API refuse the same things with the same
message beside the same field, and what is stored always renders and exports."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from parindex.orgs import actions as org_actions
from parindex.orgs import inputs
from parindex.orgs.models import AuditEntry, User
from parindex.reporting import actions
from parindex.reporting.models import Report, Round, Value
from tests.web.pages import field_errors, page
from tests.web.reporting_data import SmallPlan, value_of

ClientFor = Callable[[User], Client]
THIRTEEN_DIGITS = "1000000000000"  # 10^12 đồng, an ordinary provincial budget line


def api(user: User) -> Client:
    _token, key = org_actions.create_api_token(user, by=user, name="tích hợp")
    client = Client(raise_request_exception=False, headers={"Authorization": f"Bearer {key}"})
    return client


def web(user: User) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def put(client: Client, report: Report, payload: dict[str, Any]) -> Any:
    return client.put(
        f"/api/reporting/reports/{report.pk}", json.dumps(payload), content_type="application/json"
    )


def web_form(report: Report, **fields: str) -> dict[str, str]:
    report.refresh_from_db()
    data = {"version": str(report.version), "narrative": report.narrative}
    for item in report.items.all():
        data[f"i{item.pk}-status"] = item.status
        data[f"i{item.pk}-description"] = item.description
        for value in item.values.select_related("quantity"):
            data[f"v{value.pk}-numerator"] = ""
            if value.quantity.unit == "percent":
                data[f"v{value.pk}-denominator"] = ""
    data.update(fields)
    return data


def count_payload(report: Report, count: Value, numerator: Any) -> dict[str, Any]:
    report.refresh_from_db()
    return {
        "version": report.version,
        "items": [{"id": count.item_id, "values": [{"id": count.pk, "numerator": numerator}]}],
    }


# --- numbers -------------------------------------------------------------------------------------


def test_a_thirteen_digit_amount_is_stored_and_every_page_api_and_export_still_answers(
    reporter: User,
    coordinator: User,
    justice_report: Report,
    small_plan: SmallPlan,
    q4: Round,
) -> None:
    count = value_of(justice_report, small_plan.digitised_count)
    response = web(reporter).post(
        f"/reports/{justice_report.pk}/",
        web_form(justice_report, **{f"v{count.pk}-numerator": "1.000.000.000.000"}),
    )
    assert response.status_code == 302
    count.refresh_from_db()
    assert count.numerator == Decimal(THIRTEEN_DIGITS)
    saved = put(
        api(reporter), justice_report, count_payload(justice_report, count, "2000000000000")
    )
    assert saved.status_code == 200, saved.content
    for client, url in [
        (web(reporter), f"/reports/{justice_report.pk}/"),
        (web(coordinator), f"/reports/rounds/{q4.pk}/"),
        (api(coordinator), f"/api/reporting/rounds/{q4.pk}/overview"),
        (api(reporter), f"/api/reporting/reports/{justice_report.pk}"),
        (web(coordinator), f"/exports/round-consolidated.xlsx?round={q4.pk}"),
        (web(coordinator), f"/exports/round-consolidated.docx?round={q4.pk}"),
        (web(reporter), f"/exports/agency-report.xlsx?report={justice_report.pk}"),
        (web(reporter), f"/exports/agency-report.docx?report={justice_report.pk}"),
    ]:
        assert client.get(url).status_code == 200, url
    body = api(reporter).get(f"/api/reporting/reports/{justice_report.pk}").json()
    numerators = [v["numerator"] for item in body["items"] for v in item["values"]]
    assert Decimal(THIRTEEN_DIGITS) * 2 in {Decimal(n) for n in numerators if n is not None}


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("10000000000000000000", "10000000000000000000"),  # 10^19: 20 digits
        ("1e400", "1e400"),
        ("NaN", "NaN"),
        ("Infinity", "Infinity"),
        ("١٢٣", "١٢٣"),  # Arabic-Indic digits
        ("0,00001", "0.00001"),
        ("-5", -5),
    ],
)
def test_a_number_its_column_cannot_hold_is_refused_beside_its_field_on_the_web_and_the_api(
    reporter: User, justice_report: Report, small_plan: SmallPlan, typed: str, sent: Any
) -> None:
    count = value_of(justice_report, small_plan.digitised_count)
    key = f"v{count.pk}-numerator"
    response = web(reporter).post(
        f"/reports/{justice_report.pk}/", web_form(justice_report, **{key: typed})
    )
    assert response.status_code == 200
    [on_the_page] = field_errors(page(response), key)
    answer = put(api(reporter), justice_report, count_payload(justice_report, count, sent))
    assert answer.status_code == 422, answer.content
    assert answer.json()["errors"] == {key: [on_the_page]}
    count.refresh_from_db()
    assert count.numerator is None


def test_a_json_number_too_large_for_a_float_is_refused_not_crashed(
    reporter: User, justice_report: Report, small_plan: SmallPlan
) -> None:
    count = value_of(justice_report, small_plan.digitised_count)
    body = json.dumps(count_payload(justice_report, count, 0)).replace(
        '"numerator": 0', '"numerator": 1e400'
    )
    answer = api(reporter).put(
        f"/api/reporting/reports/{justice_report.pk}", body, content_type="application/json"
    )
    assert answer.status_code == 422, answer.content


def test_the_column_check_reads_digits_and_places_from_the_model() -> None:
    assert inputs.field_number_error(Value, "numerator", Decimal("9" * 18)) is None
    assert inputs.field_number_error(Value, "numerator", Decimal("9" * 19)) is not None
    assert inputs.field_number_error(Value, "numerator", Decimal("0.0001")) is None
    assert inputs.field_number_error(Value, "numerator", Decimal("0.00001")) is not None
    assert inputs.field_number_error(Value, "numerator", Decimal("1.50000000")) is None
    assert inputs.field_number_error(Value, "numerator", Decimal("1e999999999")) is not None
    assert inputs.field_number_error(Value, "numerator", Decimal("sNaN")) is not None
    assert inputs.field_number_error(Round, "remind_days_before", -1) is not None
    assert inputs.field_number_error(Round, "remind_days_before", 40_000) is not None


# --- rounds --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "Báo cáo " * 1250),
        ("remind_days_before", -100000),
        ("remind_days_before", 61),
        ("remind_days_after", "1,x"),
    ],
)
def test_a_round_the_api_cannot_open_is_refused_with_the_web_forms_message(
    coordinator: User, small_plan: SmallPlan, field: str, value: Any
) -> None:
    year = small_plan.plan.year
    payload = {"plan_id": small_plan.plan.pk, "kind": "quarter", "number": 1}
    payload |= {"deadline": f"{year}-04-10", field: value}
    answer = api(coordinator).post(
        "/api/reporting/rounds", json.dumps(payload), content_type="application/json"
    )
    assert answer.status_code == 422, answer.content
    form = {k: str(v) for k, v in payload.items() if k not in ("plan_id",)}
    form |= {"plan": str(small_plan.plan.pk), "remind_days_before": "3", field: str(value)}
    form.setdefault("remind_days_after", "1,3,7")
    response = web(coordinator).post("/reports/rounds/new/", form)
    assert response.status_code == 200
    [on_the_page] = field_errors(page(response), field)
    assert answer.json()["errors"][field] == [on_the_page]
    assert not Round.objects.exists()


# --- text ----------------------------------------------------------------------------------------


def test_a_narrative_past_its_limit_is_refused_on_both_channels_and_nothing_is_saved(
    reporter: User, justice_report: Report
) -> None:
    huge = "Đã triển khai. " * (inputs.NARRATIVE_LIMIT // 10)
    response = web(reporter).post(
        f"/reports/{justice_report.pk}/", web_form(justice_report, narrative=huge)
    )
    assert response.status_code == 200
    [on_the_page] = field_errors(page(response), "narrative")
    answer = put(api(reporter), justice_report, {"version": 1, "narrative": huge})
    assert answer.status_code == 422
    assert answer.json()["errors"] == {"narrative": [on_the_page]}
    justice_report.refresh_from_db()
    assert (justice_report.narrative, justice_report.version) == ("", 1)


def test_a_long_text_is_kept_in_the_audit_log_as_an_excerpt_and_a_digest_not_a_copy(
    reporter: User, justice_report: Report
) -> None:
    long = "Tổ chức tập huấn cho cán bộ một cửa. " * 400  # about 15 000 characters
    _saved, errors = actions.save_report(
        justice_report, by=reporter, version=1, narrative=long.strip()
    )
    assert not errors
    [entry] = AuditEntry.objects.filter(action="reporting.report.save")
    stored = json.dumps(entry.changes, ensure_ascii=False)
    assert len(stored) < 2_000
    assert "sha256" in stored and "Tổ chức tập huấn" in stored


def test_control_characters_are_removed_from_text_on_input_and_the_exports_open(
    reporter: User, justice_report: Report
) -> None:
    item = justice_report.items.first()
    assert item is not None
    answer = put(
        api(reporter),
        justice_report,
        {
            "version": 1,
            "narrative": "Chuông\x07 báo\x00 cáo\x1b",
            "items": [{"id": item.pk, "status": "on_track", "description": "Đã\x0b làm"}],
        },
    )
    assert answer.status_code == 200, answer.content
    justice_report.refresh_from_db()
    item.refresh_from_db()
    assert (justice_report.narrative, item.description) == ("Chuông báo cáo", "Đã làm")
    for fmt in ("xlsx", "docx"):
        export = web(reporter).get(f"/exports/agency-report.{fmt}?report={justice_report.pk}")
        assert export.status_code == 200


def test_a_review_comment_past_its_limit_is_refused(
    coordinator: User, head: User, reporter: User, justice_report: Report, small_plan: SmallPlan
) -> None:
    from tests.web.reporting_data import fill

    count = value_of(justice_report, small_plan.digitised_count)
    rate = value_of(justice_report, small_plan.on_time_rate)
    fill(justice_report, reporter, counts={count: ("3", None), rate: ("9", "10")})
    actions.submit_report(justice_report, by=head)
    item = justice_report.items.first()
    assert item is not None
    answer = api(coordinator).post(
        f"/api/reporting/reports/{justice_report.pk}/items/{item.pk}/review",
        json.dumps({"accept": False, "comment": "x" * (inputs.COMMENT_LIMIT + 1)}),
        content_type="application/json",
    )
    assert answer.status_code == 422
    assert "comment" in answer.json()["errors"]
