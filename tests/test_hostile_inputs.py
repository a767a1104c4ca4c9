"""Hostile values through every form, API write, importer and exporter: each is either refused
with a 4xx and a message, or stored so that its page renders and the exports open. Never a 500.

The corpus holds numbers no column can take (huge, tiny, NaN, infinity, exponents, digits of
other scripts) and texts that have broken pages or files elsewhere (control characters,
direction marks, spreadsheet formulas, markup, and a 10 MB string where a limit must hold).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from parindex.orgs import actions as org_actions
from parindex.orgs.models import AuditEntry, Organisation, User
from parindex.reporting import actions
from parindex.reporting.models import Report, Round
from tests.web.reporting_data import SmallPlan, fill, item_of, value_of

NUMBERS = [
    "1e400",
    "-1e-400",
    "NaN",
    "-Infinity",
    "١٢٣",  # Arabic-Indic digits
    "１２３",  # full-width digits
    "99999999999999999999999",
    "0,000000001",
    "-1",
    "1" * 5_000,
    "12 345",
    "0x1F",
]
TEXTS = [
    "Chuông\x07 báo\x00 thức\x1b[31m",
    "\u202eRTL override\u200f \u200e mark",
    '=HYPERLINK("http://example.com","bấm vào")',
    "+1+2",
    "-2+3",
    "@SUM(A1:A9)",
    "\tTab đầu\r\n",
    "<script>alert('x')</script><b>đậm</b>",
    "\ud800 lone surrogate",
    "x" * 6_000,  # past the limit of short texts, within a narrative's
]
HUGE = "Đ" * 10_000_000  # 10 MB of text: only where a limit must refuse it
LARGE = "Đ" * 1_000_000  # within the request size, past every text limit


def api(user: User) -> Client:
    _token, key = org_actions.create_api_token(user, by=user, name="kiểm thử")
    return Client(raise_request_exception=False, headers={"Authorization": f"Bearer {key}"})


def web(user: User) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def as_json(value: Any) -> str:
    # Lone surrogates cannot travel as UTF-8; JSON escapes them as a client would.
    return json.dumps(value, ensure_ascii=True)


def typed(text: str) -> str:
    """What a browser sends for the text: a lone surrogate cannot be sent, it becomes "?"."""
    return text.encode("utf-8", "replace").decode("utf-8")


def answered(response: Any, what: str) -> int:
    """The status, after checking it is a refusal with a message or a success."""
    status = int(response.status_code)
    assert status != 500 and status < 500, f"{what}: {status}"
    if 400 <= status < 500:
        body = response.content.decode("utf-8", "replace")
        assert body.strip(), f"{what}: a {status} without a message"
    return status


def renders(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)


@pytest.fixture
def open_report(
    justice_report: Report, small_plan: SmallPlan, reporter: User, media: None
) -> Iterator[Report]:
    yield justice_report


def report_exports(client: Client, report: Report) -> None:
    for url in [
        f"/reports/{report.pk}/",
        f"/api/reporting/reports/{report.pk}",
        f"/exports/agency-report.xlsx?report={report.pk}",
        f"/exports/agency-report.docx?report={report.pk}",
    ]:
        renders(client, url)


def round_exports(client: Client, round_: Round) -> None:
    for url in [
        f"/reports/rounds/{round_.pk}/",
        f"/api/reporting/rounds/{round_.pk}/overview",
        f"/exports/round-consolidated.xlsx?round={round_.pk}",
        f"/exports/round-consolidated.docx?round={round_.pk}",
    ]:
        renders(client, url)


# --- reports -------------------------------------------------------------------------------------


def test_hostile_numbers_in_a_report_are_refused_beside_the_field_on_web_and_api(
    open_report: Report, small_plan: SmallPlan, reporter: User, coordinator: User, q4: Round
) -> None:
    count = value_of(open_report, small_plan.digitised_count)
    rate = value_of(open_report, small_plan.on_time_rate)
    browser, program = web(reporter), api(reporter)
    for number in NUMBERS:
        open_report.refresh_from_db()
        form = {"version": str(open_report.version), f"v{rate.pk}-denominator": number}
        form |= {f"v{rate.pk}-numerator": "1", f"v{count.pk}-numerator": number}
        for item in open_report.items.all():
            form[f"i{item.pk}-status"] = "on_track"
        status = answered(browser.post(f"/reports/{open_report.pk}/", form), number)
        assert status in (200, 302)
        payload = {
            "version": open_report.version,
            "items": [
                {"id": count.item_id, "values": [{"id": count.pk, "numerator": number}]},
                {
                    "id": rate.item_id,
                    "values": [{"id": rate.pk, "numerator": 1, "denominator": number}],
                },
            ],
        }
        answered(
            program.put(
                f"/api/reporting/reports/{open_report.pk}",
                as_json(payload),
                content_type="application/json",
            ),
            number,
        )
    report_exports(browser, open_report)
    round_exports(web(coordinator), q4)


@pytest.mark.parametrize("text", TEXTS, ids=lambda t: repr(t[:12]))
def test_hostile_text_in_a_report_is_stored_cleaned_or_refused_and_everything_renders(
    open_report: Report,
    small_plan: SmallPlan,
    reporter: User,
    head: User,
    coordinator: User,
    q4: Round,
    text: str,
) -> None:
    item = item_of(open_report, small_plan.training)
    payload = {
        "version": 1,
        "narrative": text,
        "items": [{"id": item.pk, "status": "on_track", "description": text}],
    }
    answered(
        api(reporter).put(
            f"/api/reporting/reports/{open_report.pk}",
            as_json(payload),
            content_type="application/json",
        ),
        "api save",
    )
    open_report.refresh_from_db()
    form = {"version": str(open_report.version), "narrative": typed(text)}
    form |= {f"i{item.pk}-status": "on_track", f"i{item.pk}-description": typed(text)}
    answered(web(reporter).post(f"/reports/{open_report.pk}/", form), "web save")
    open_report.refresh_from_db()
    assert "\x07" not in open_report.narrative and "\x00" not in open_report.narrative
    count = value_of(open_report, small_plan.digitised_count)
    rate = value_of(open_report, small_plan.on_time_rate)
    fill(open_report, reporter, counts={count: ("3", None), rate: ("9", "10")})
    actions.submit_report(open_report, by=head)
    review = {"accept": False, "comment": text}
    answered(
        api(coordinator).post(
            f"/api/reporting/reports/{open_report.pk}/items/{item.pk}/review",
            as_json(review),
            content_type="application/json",
        ),
        "review",
    )
    answered(
        web(coordinator).post(
            f"/reports/{open_report.pk}/items/{item.pk}/review/",
            {"decision": "return", "comment": typed(text)},
        ),
        "web review",
    )
    report_exports(web(reporter), open_report)
    round_exports(web(coordinator), q4)
    renders(web(coordinator), "/audit/")


def test_ten_megabytes_of_text_are_refused_on_every_report_channel_and_not_logged(
    open_report: Report, small_plan: SmallPlan, reporter: User
) -> None:
    item = item_of(open_report, small_plan.training)
    program = api(reporter)
    for payload in [
        {"version": 1, "narrative": HUGE},
        {"version": 1, "narrative": LARGE},
        {"version": 1, "items": [{"id": item.pk, "status": "", "description": LARGE}]},
    ]:
        status = answered(
            program.put(
                f"/api/reporting/reports/{open_report.pk}",
                json.dumps(payload),
                content_type="application/json",
            ),
            "api",
        )
        # Past the request size the server refuses the body (400); within it, the text limit.
        assert status == (400 if len(json.dumps(payload)) > 10_000_000 else 422)
    form = {"version": "1", "narrative": HUGE, f"i{item.pk}-status": ""}
    status = answered(web(reporter).post(f"/reports/{open_report.pk}/", form), "web")
    assert status in (200, 400, 413)
    open_report.refresh_from_db()
    assert (open_report.version, open_report.narrative) == (1, "")
    assert not AuditEntry.objects.filter(action="reporting.report.save").exists()


# --- rounds --------------------------------------------------------------------------------------


def test_hostile_round_titles_and_reminders_are_refused_or_stored_on_web_and_api(
    coordinator: User, small_plan: SmallPlan
) -> None:
    year = small_plan.plan.year
    browser, program = web(coordinator), api(coordinator)
    values: list[Any] = [*TEXTS, "Báo cáo " * 1250]
    for number, title in enumerate(values):
        kind = {
            "kind": "custom",
            "starts_on": f"{year}-01-01",
            "ends_on": f"{year}-01-{number + 2:02d}",
        }
        payload = {"plan_id": small_plan.plan.pk, "deadline": f"{year}-03-01", "title": title}
        payload |= kind | {"notify": False}
        answered(
            program.post(
                "/api/reporting/rounds", as_json(payload), content_type="application/json"
            ),
            "api round",
        )
    for days in ["-100000", "1e400", "١٢", "99999999999999999999", "NaN"]:
        payload = {"plan_id": small_plan.plan.pk, "kind": "year", "deadline": f"{year + 1}-01-10"}
        body = as_json(payload)[:-1] + f', "remind_days_before": {json.dumps(days)}}}'
        status = answered(
            program.post("/api/reporting/rounds", body, content_type="application/json"), days
        )
        assert status == 422
        form = {"plan": str(small_plan.plan.pk), "kind": "year", "deadline": f"10/01/{year + 1}"}
        form |= {"remind_days_before": days, "remind_days_after": "1,3"}
        assert answered(browser.post("/reports/rounds/new/", form), days) == 200
    for round_ in Round.objects.all():
        renders(browser, f"/reports/rounds/{round_.pk}/")
        renders(browser, f"/exports/round-consolidated.xlsx?round={round_.pk}")
    renders(browser, "/reports/")


# --- organisations, people and their exports --------------------------------------------------


def test_hostile_names_of_agencies_and_people_are_refused_or_stored_and_exports_open(
    coordinator: User, lao_cai: Any
) -> None:
    program = api(coordinator)
    for n, text in enumerate([*TEXTS, HUGE[:300]]):
        org = {"kind": "department", "name": text, "code": f"so-{n}", "short_name": text[:60]}
        org |= {"note": text}
        answered(program.post("/api/orgs", as_json(org), content_type="application/json"), "org")
        person = {"username": f"nguoi-{n}", "full_name": text, "position": text}
        person |= {"organisation_id": lao_cai.justice.pk, "phone": text[:40]}
        answered(
            program.post("/api/people", as_json(person), content_type="application/json"),
            "person",
        )
    browser = web(coordinator)
    for name in ("organisations", "people"):
        for fmt in ("csv", "xlsx", "docx"):
            renders(browser, f"/exports/{name}.{fmt}")
    renders(browser, "/orgs/")
    renders(browser, "/people/")
    for agency in Organisation.objects.filter(code__startswith="so-"):
        renders(browser, f"/orgs/{agency.pk}/")


# --- importers -----------------------------------------------------------------------------------


def test_hostile_criteria_tables_are_refused_with_their_line_or_imported_on_web_and_api(
    coordinator: User,
) -> None:
    browser, program = web(coordinator), api(coordinator)
    rows = [f"1 | Lĩnh vực | {n}" for n in NUMBERS] + [f"1 | {t} | 10" for t in TEXTS]
    rows += ["1 | Lĩnh vực | 10\n1.1 | Tiêu chí | 10\n    Đạt: 99999999999"]
    for n, row in enumerate(rows):
        text = f"STT | Lĩnh vực/Tiêu chí/Tiêu chí thành phần | Điểm tối đa\n{row}\n"
        fields = {"text": text, "name": f"Bộ {n}", "code": f"bo-{n}"}
        answered(browser.post("/criteria/import/", {**fields, "text": typed(text)}), row[:40])
        answered(program.post("/api/criteria/import", {**fields, "text": typed(text)}), row[:40])
    renders(browser, "/criteria/")


def test_hostile_plan_texts_are_read_or_refused_and_never_crash(coordinator: User) -> None:
    from tests.plans.support import SEED_TEXT

    program = api(coordinator)
    for text in [
        *TEXTS,
        SEED_TEXT.replace("95%", "1e400%").replace("100%", "99999999999999999999999%"),
        SEED_TEXT.replace("Kế hoạch", '=HYPERLINK("x")\x07 Kế hoạch', 3),
    ]:
        sent = typed(text)
        answered(program.post("/api/plans/parse", {"text": sent}), "parse")
        answered(program.post("/api/plans/import", {"text": sent}), "import")
        answered(web(coordinator).post("/plans/import/", {"text": sent}), "web import")


def test_hostile_points_of_a_criterion_and_its_bands_are_refused_on_web_and_api(
    coordinator: User,
) -> None:
    from parindex.methodology.models import Node

    browser, program = web(coordinator), api(coordinator)
    table = "STT | Lĩnh vực/Tiêu chí/Tiêu chí thành phần | Điểm tối đa\n1 | Lĩnh vực | 10\n"
    created = program.post("/api/criteria/import", {"text": table, "name": "Bộ thử", "code": "bo"})
    assert created.status_code == 201, created.content
    node = Node.objects.get(code="1")
    for number in NUMBERS:
        answered(
            program.patch(
                f"/api/criteria/nodes/{node.pk}",
                as_json({"max_points": number}),
                content_type="application/json",
            ),
            number,
        )
        bands = [{"label": "Đạt", "points": number, "lower": number}]
        answered(
            program.put(
                f"/api/criteria/nodes/{node.pk}/bands",
                as_json(bands),
                content_type="application/json",
            ),
            number,
        )
        form = {"code": "1", "name": "Lĩnh vực", "max_points": number, "method": "self"}
        answered(browser.post(f"/criteria/nodes/{node.pk}/edit/", form), number)
        answered(
            browser.post(f"/criteria/nodes/{node.pk}/bands/", {"bands": f"Đạt: {number}"}),
            number,
        )
    node.refresh_from_db()
    renders(browser, f"/criteria/{node.framework_id}/")
    renders(browser, f"/criteria/{node.framework_id}/export.xlsx")
