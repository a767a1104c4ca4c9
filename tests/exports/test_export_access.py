"""What a person may not see is "not found", through the registry, the screens and the API."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

import pytest
from django.test import Client
from django.utils.translation import gettext as _

from parindex.exports.registry import ExportError, render
from parindex.orgs import actions as org_actions
from parindex.orgs.models import User
from tests.exports.conftest import JUSTICE_DONE, OFFICE_DONE, FilledRound
from tests.exports.reading import docx, paragraph, records, sheets, text

ClientFor = Callable[[User], Client]

# Anything that would show a report's contents or the round's figures.
SECRETS = ("90,00", "99/110", "60/66", "39/44", JUSTICE_DONE, OFFICE_DONE, "Sở Tư pháp")


def refused(client: Client, url: str, params: Mapping[str, str | int]) -> str:
    response = client.get(url, params)
    assert response.status_code == 400
    body = response.content.decode()
    for secret in SECRETS:
        assert secret not in body
    return body


def test_a_reporter_cannot_export_the_consolidated_report_of_their_provinces_round(
    filled_round: FilledRound, other_reporter: User, client_for: ClientFor
) -> None:
    params = {"round": str(filled_round.round.pk)}
    for fmt in ("docx", "xlsx"):
        with pytest.raises(ExportError, match="the consolidated report is for Home Affairs"):
            render("round-consolidated", fmt, user=other_reporter, params=params)
    body = refused(client_for(other_reporter), "/exports/round-consolidated.docx", params)
    assert "agency-report" in body  # says what to export instead


def test_a_round_of_another_province_is_not_found(
    filled_round: FilledRound, outsider: User, client: Client
) -> None:
    params = {"round": str(filled_round.round.pk)}
    with pytest.raises(ExportError, match=f"round {filled_round.round.pk} not found"):
        render("round-consolidated", "docx", user=outsider, params=params)
    _token, key = org_actions.create_api_token(outsider, by=outsider, name="kiểm thử")
    response = client.get(
        "/api/exports/round-consolidated.xlsx", params, headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == 400
    assert response.content.decode() == f"round {filled_round.round.pk} not found"


def test_a_reporter_cannot_export_another_agencys_report(
    filled_round: FilledRound, other_reporter: User, client_for: ClientFor
) -> None:
    pk = filled_round.justice.pk
    with pytest.raises(ExportError, match=f"report {pk} not found"):
        render("agency-report", "docx", user=other_reporter, params={"report": str(pk)})
    for fmt in ("docx", "xlsx"):
        body = refused(client_for(other_reporter), f"/exports/agency-report.{fmt}", {"report": pk})
        assert body == f"report {pk} not found"
    # Their own agency's report is theirs to export.
    own = render(
        "agency-report", "docx", user=other_reporter, params={"report": str(filled_round.office.pk)}
    )
    assert own.content


def test_an_appraiser_sees_an_assigned_agencys_report_only_once_submitted(
    filled_round: FilledRound, appraiser: User
) -> None:
    # The appraiser is assigned Sở Tư pháp, which submitted; nothing else of the round.
    assert render(
        "agency-report", "xlsx", user=appraiser, params={"report": str(filled_round.justice.pk)}
    ).content
    for report in (filled_round.office, filled_round.city):
        with pytest.raises(ExportError, match="not found"):
            render("agency-report", "docx", user=appraiser, params={"report": str(report.pk)})


def test_an_appraisers_consolidated_report_covers_their_agencies_and_says_so(
    filled_round: FilledRound, appraiser: User
) -> None:
    params = {"round": str(filled_round.round.pk)}
    document = docx(render("round-consolidated", "docx", user=appraiser, params=params).content)
    body = text(document)
    assert paragraph(document, "(Bản tổng hợp này chỉ gồm").text == (
        "(Bản tổng hợp này chỉ gồm báo cáo của các cơ quan, đơn vị được phân công thẩm định: "
        "Sở Tư pháp.)"
    )
    assert "Kỳ báo cáo có 1 cơ quan, đơn vị" in body
    assert "- Kết quả: 90,91 % (60/66)" in body
    for secret in ("Văn phòng UBND tỉnh", "UBND thành phố Lào Cai", OFFICE_DONE, "39/44", "99/110"):
        assert secret not in body
    book = sheets(render("round-consolidated", "xlsx", user=appraiser, params=params).content)
    agencies = {row[_("Agency")] for row in records(book.worksheets[0])}
    assert agencies == {"Sở Tư pháp"}
    assert [row[0] for row in book.worksheets[2].iter_rows(min_row=2, values_only=True)] == [
        "Sở Tư pháp"
    ]


def test_the_coordinators_report_has_no_such_note(
    filled_round: FilledRound, coordinator: User
) -> None:
    params = {"round": str(filled_round.round.pk)}
    body = text(docx(render("round-consolidated", "docx", user=coordinator, params=params).content))
    assert "Bản tổng hợp này chỉ gồm" not in body


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "round: required"),
        ({"round": ""}, "round: required"),
        ({"round": "abc"}, "round: 'abc' is not an id"),
        ({"round": "1; DROP TABLE"}, "is not an id"),
        ({"round": "987654"}, "round 987654 not found"),
    ],
)
def test_a_missing_or_bad_round_is_a_400_naming_the_problem(
    filled_round: FilledRound,
    coordinator: User,
    client_for: ClientFor,
    params: dict[str, str],
    message: str,
) -> None:
    with pytest.raises(ExportError, match=re.escape(message)):
        render("round-consolidated", "docx", user=coordinator, params=params)
    assert message in refused(client_for(coordinator), "/exports/round-consolidated.docx", params)


def test_neither_export_has_a_csv_form(filled_round: FilledRound, coordinator: User) -> None:
    with pytest.raises(ExportError, match="no format 'csv'"):
        render("round-consolidated", "csv", user=coordinator, params={"round": "1"})
    with pytest.raises(ExportError, match="no format 'csv'"):
        render("agency-report", "csv", user=coordinator, params={"report": "1"})
