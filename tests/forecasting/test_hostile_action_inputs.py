"""Hostile values through the actions' forms, the API and a report's action line: refused with
a 4xx and a message, or stored so that the pages render and the exports open. Never a 500, and
nothing half-saved."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from parindex.forecasting.models import ActionLine, GapAction
from parindex.orgs.models import User
from tests.conftest import LaoCai, YenBai
from tests.forecasting.support import ON_TIME, Linked, make_action
from tests.test_hostile_inputs import (
    LARGE,
    NUMBERS,
    TEXTS,
    answered,
    api,
    as_json,
    renders,
    typed,
    web,
)
from tests.web.reporting_data import open_quarter, report_of


def form(linked: Linked, lao_cai: LaoCai, **changes: str) -> dict[str, str]:
    return {
        "node_code": ON_TIME,
        "title": "Rà soát hồ sơ",
        "owner": str(lao_cai.justice.pk),
        "deadline": f"31/12/{linked.year}",
        "expected_points": "1,5",
        **changes,
    }


def test_hostile_numbers_codes_dates_and_owners_are_refused_on_web_and_api(
    linked: Linked, lao_cai: LaoCai, yen_bai: YenBai, coordinator: User
) -> None:
    url = f"/forecast/{lao_cai.province.pk}/{linked.year}/actions/new/"
    client, caller = web(coordinator), api(coordinator)
    bad = [
        *({"expected_points": n} for n in [*NUMBERS, "0", "4,01"]),
        {"node_code": "3.4"},
        {"node_code": "<script>"},
        {"node_code": "x" * 5_000},
        {"owner": str(yen_bai.home_affairs.pk)},
        {"owner": str(lao_cai.province.pk)},
        {"owner": "99999999999999999999"},
        {"deadline": "31/12/9999"},
        {"deadline": f"01/01/{linked.year - 1}"},
        {"title": ""},
        {"title": "x" * 301},
        {"title": LARGE},
    ]
    for changes in bad:
        status = answered(client.post(url, form(linked, lao_cai, **changes)), str(changes))
        assert status == 200, changes  # the form again, with the field's message
        body = {
            "province_id": lao_cai.province.pk,
            "year": linked.year,
            "node_code": changes.get("node_code", ON_TIME),
            "title": changes.get("title", "Rà soát"),
            # An id past what the API's integer takes is refused by its schema (422) instead.
            "owner_id": int(changes.get("owner", str(lao_cai.justice.pk))[:18]),
            "deadline": "-".join(
                reversed(changes.get("deadline", f"31/12/{linked.year}").split("/"))
            ),
            "expected_points": changes.get("expected_points", "1,5"),
        }
        status = answered(
            caller.post("/api/gap-actions", as_json(body), content_type="application/json"),
            f"api {changes}",
        )
        assert status in (404, 422), (changes, status)
    assert not GapAction.objects.exists()
    assert not ActionLine.objects.exists()


@pytest.mark.parametrize("text", TEXTS)
def test_hostile_texts_are_stored_cleaned_and_the_pages_and_exports_still_open(
    text: str,
    linked: Linked,
    lao_cai: LaoCai,
    coordinator: User,
    reporter: User,
    media: None,
) -> None:
    q4 = open_quarter(linked.plan, 4, date(linked.year + 1, 1, 10))
    report = report_of(q4, lao_cai.justice)
    response = web(coordinator).post(
        f"/forecast/{lao_cai.province.pk}/{linked.year}/actions/new/",
        form(linked, lao_cai, title=typed(text)[:300], note=typed(text)),
    )
    answered(response, "create")
    action = GapAction.objects.first() or make_action(linked, lao_cai.justice, by=coordinator)
    line = ActionLine.objects.get(action=action, report=report)
    reporter_web = web(reporter)
    answered(
        reporter_web.post(
            f"/reports/{report.pk}/actions/{line.pk}/",
            {"status": "on_track", "description": typed(text)},
        ),
        "line",
    )
    answered(
        api(reporter).put(
            f"/api/gap-actions/lines/{line.pk}",
            as_json({"status": "on_track", "description": text}),
            content_type="application/json",
        ),
        "api line",
    )
    for url in [
        f"/forecast/actions/{action.pk}/",
        f"/forecast/{lao_cai.province.pk}/{linked.year}/actions/",
        f"/reports/{report.pk}/",
        f"/api/reporting/reports/{report.pk}",
        f"/exports/agency-report.xlsx?report={report.pk}",
        f"/exports/agency-report.docx?report={report.pk}",
    ]:
        renders(reporter_web if "forecast/" not in url else web(coordinator), url)


def test_a_line_of_ten_megabytes_is_refused_and_nothing_changes(
    linked: Linked, lao_cai: LaoCai, coordinator: User, reporter: User
) -> None:
    q4 = open_quarter(linked.plan, 4, date(linked.year + 1, 1, 10))
    report = report_of(q4, lao_cai.justice)
    line = ActionLine.objects.get(action=make_action(linked, lao_cai.justice, by=coordinator))

    status = answered(
        web(reporter).post(
            f"/reports/{report.pk}/actions/{line.pk}/",
            {"status": "nope", "description": LARGE},
            headers={"HX-Request": "true"},
        ),
        "large",
    )

    assert status == 422
    line.refresh_from_db()
    assert (line.status, line.description) == ("", "")


def test_an_unknown_or_unseen_line_is_not_found(
    linked: Linked, lao_cai: LaoCai, coordinator: User, other_reporter: User
) -> None:
    q4 = open_quarter(linked.plan, 4, date(linked.year + 1, 1, 10))
    report = report_of(q4, lao_cai.justice)
    line = ActionLine.objects.get(action=make_action(linked, lao_cai.justice, by=coordinator))
    client = Client(raise_request_exception=False)
    client.force_login(other_reporter)

    assert client.post(f"/reports/{report.pk}/actions/{line.pk}/", {}).status_code == 404
    assert (
        client.put(
            f"/api/gap-actions/lines/{line.pk}", "{}", content_type="application/json"
        ).status_code
        == 404
    )
    assert client.get("/forecast/actions/99999999999999999999/").status_code == 404
