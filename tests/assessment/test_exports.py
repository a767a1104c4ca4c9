"""Assessment exports: a unit's scores in the decisions' layout and the ranking, in XLSX, DOCX
and CSV, with the access rule of the screens and hostile text kept as text."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from parindex.assessment import actions
from parindex.assessment.actions import EntryInput
from parindex.assessment.models import AssessedUnit
from parindex.exports.registry import ExportError, render
from parindex.orgs import actions as org_actions
from parindex.orgs.models import User
from tests.assessment.conftest import Open2020, complete, fresh, save
from tests.exports.reading import docx, rows, sheets

D = Decimal
HOSTILE = '=HYPERLINK("http://evil.example","Bấm vào đây")'
HEADER = [
    "STT",
    "Lĩnh vực/Tiêu chí/Tiêu chí thành phần",
    "Điểm tối đa",
    "Tự đánh giá",
    "Thẩm định",
    "Điểm đạt",
    "Ghi chú",
]


@dataclass(frozen=True)
class Appraised:
    opened: Open2020
    justice: AssessedUnit


@pytest.fixture
def appraised(open_2020: Open2020, reporter: User, head: User, appraiser: User) -> Appraised:
    """Sở Tư pháp self-assessed 5.9 (1.1: 2, 1.2: 1, 1.3: 1.9, 2.1: 1; 2.2 a survey leaf left
    at 0), the appraiser set 1.1 to 1.5 with a reason and accepted the rest: final 5.4."""
    complete(open_2020.justice, reporter)
    save(open_2020.justice, reporter, _2_1=EntryInput(value="2", explanation=HOSTILE))
    actions.submit_unit(fresh(open_2020.justice), by=head)
    actions.appraise_entry(
        fresh(open_2020.justice),
        "1.1",
        by=appraiser,
        decision="score",
        points="1,5",
        comment="Kế hoạch ban hành sau ngày 31/01",
    )
    actions.finish_unit_appraisal(fresh(open_2020.justice), by=appraiser)
    return Appraised(open_2020, fresh(open_2020.justice))


def pts(values: tuple[Any, ...]) -> tuple[Any, ...]:
    """Numbers read back from XLSX (floats) as exact decimals, as written."""
    return tuple(None if v is None else D(str(v)) for v in values)


def unit_params(unit: AssessedUnit) -> dict[str, str]:
    return {"unit": str(unit.pk)}


def test_a_units_scores_are_in_the_decisions_layout_with_totals_the_sum_of_their_parts(
    appraised: Appraised, reporter: User
) -> None:
    content = render(
        "assessment-unit", "xlsx", user=reporter, params=unit_params(appraised.justice)
    )
    ws = sheets(content.content).active
    table = rows(ws)
    start = next(i for i, row in enumerate(table) if list(row) == HEADER)
    assert table[0][0].startswith("BẢNG ĐIỂM")
    assert table[1][0] == "Đơn vị: Sở Tư pháp"
    body = {row[0] or row[1]: row for row in table[start + 1 :]}
    # code → (max, self, appraised, final)
    assert pts(body["1.1"][2:6]) == (2, 2, D("1.5"), D("1.5"))
    assert pts(body["1.2"][2:6]) == (2, 1, 1, 1)
    assert pts(body["1.3"][2:6]) == (2, D("1.9"), D("1.9"), D("1.9"))
    assert pts(body["1"][2:6]) == (6, D("4.9"), D("4.4"), D("4.4"))
    assert pts(body["2"][2:6]) == (4, 1, 1, 1)
    assert pts(body["TỔNG ĐIỂM"][2:6]) == (10, D("5.9"), D("5.4"), D("5.4"))
    for column in (3, 4, 5):
        leaves = sum(D(str(body[c][column])) for c in ("1.1", "1.2", "1.3", "2.1", "2.2"))
        domains = D(str(body["1"][column])) + D(str(body["2"][column]))
        assert leaves == domains == D(str(body["TỔNG ĐIỂM"][column]))
    note = body["1.1"][6]
    assert "Mức: Ban hành kịp thời" in note
    assert "Giải trình: Kế hoạch 12/KH-STP" in note
    assert "Lý do thẩm định: Kế hoạch ban hành sau ngày 31/01" in note


def test_domain_criterion_and_total_rows_are_bold_in_xlsx_and_docx(
    appraised: Appraised, coordinator: User
) -> None:
    params = unit_params(appraised.justice)
    ws = sheets(render("assessment-unit", "xlsx", user=coordinator, params=params).content).active
    bold = {
        str(row[0].value or row[1].value): row[0].font.b
        for row in ws.iter_rows()
        if row[0].value in ("1", "1.1", "2", "2.1") or row[1].value == "TỔNG ĐIỂM"
    }
    assert bold == {"1": True, "1.1": False, "2": True, "2.1": False, "TỔNG ĐIỂM": True}

    document = docx(render("assessment-unit", "docx", user=coordinator, params=params).content)
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == HEADER
    by_code = {row.cells[0].text or row.cells[1].text: row for row in table.rows[1:]}
    assert [c.text for c in by_code["1.1"].cells[:6]] == [
        "1.1",
        "Ban hành kế hoạch CCHC năm",
        "2,00",
        "2,00",
        "1,50",
        "1,50",
    ]
    assert by_code["1"].cells[1].paragraphs[0].runs[0].bold is True
    assert not by_code["1.1"].cells[1].paragraphs[0].runs[0].bold
    assert [c.text for c in by_code["TỔNG ĐIỂM"].cells[2:6]] == ["10,00", "5,90", "5,40", "5,40"]


def test_hostile_text_stays_text_in_every_format(appraised: Appraised, coordinator: User) -> None:
    params = unit_params(appraised.justice)
    ws = sheets(render("assessment-unit", "xlsx", user=coordinator, params=params).content).active
    cell = next(row[6] for row in ws.iter_rows() if row[0].value == "2.1")
    assert cell.data_type == "s"
    assert cell.value.endswith(HOSTILE)

    text = render("assessment-unit", "csv", user=coordinator, params=params).content.decode()
    table = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert table[0] == HEADER
    note = next(row[6] for row in table if row[0] == "2.1")
    assert not note.startswith(("=", "+", "-", "@"))
    assert HOSTILE in note

    document = docx(render("assessment-unit", "docx", user=coordinator, params=params).content)
    assert any(HOSTILE in c.text for row in document.tables[0].rows for c in row.cells)


def test_before_publication_a_unit_exports_only_its_own_scores(
    appraised: Appraised,
    reporter: User,
    other_reporter: User,
    appraiser: User,
    leader: User,
    outsider: User,
    coordinator: User,
) -> None:
    justice = unit_params(appraised.justice)
    office = unit_params(appraised.opened.office)
    for user in (reporter, appraiser, leader, coordinator):
        assert render("assessment-unit", "csv", user=user, params=justice).content
    for user in (other_reporter, outsider):
        with pytest.raises(ExportError, match=f"unit {appraised.justice.pk} not found"):
            render("assessment-unit", "xlsx", user=user, params=justice)
    with pytest.raises(ExportError, match="not found"):
        render("assessment-unit", "docx", user=appraiser, params=office)  # not theirs
    with pytest.raises(ExportError, match="unit: 'x' is not an id"):
        render("assessment-unit", "csv", user=coordinator, params={"unit": "x"})
    with pytest.raises(ExportError, match="unit: required"):
        render("assessment-unit", "csv", user=coordinator, params={})


def publish(opened: Open2020, coordinator: User) -> None:
    for unit in (opened.office, opened.home_affairs):
        complete(unit, None)
        actions.submit_unit(fresh(unit), by=None)
        actions.finish_unit_appraisal(fresh(unit), by=coordinator)
    actions.close_appraisal(opened.assessment, by=coordinator)
    actions.publish_results(opened.assessment, by=coordinator)


def test_the_ranking_lists_units_in_rank_order_with_totals_class_and_domains(
    appraised: Appraised, coordinator: User
) -> None:
    publish(appraised.opened, coordinator)
    params = {"assessment": str(appraised.opened.assessment.pk)}
    ws = sheets(render("assessment-ranking", "xlsx", user=coordinator, params=params).content)
    table = rows(ws.worksheets[0])
    assert list(table[0]) == [
        "Hạng",
        "Đơn vị",
        "Tự đánh giá",
        "Thẩm định",
        "Điểm đạt",
        "Xếp loại",
        "1. Chỉ đạo, điều hành (6)",
        "2. Sự hài lòng và sáng kiến (4)",
    ]
    assert [(*r[:2], *pts(r[2:5]), r[5], *pts(r[6:])) for r in table[1:]] == [
        (1, "Sở Nội vụ", D("5.9"), D("5.9"), D("5.9"), "Trung bình", D("4.9"), 1),
        (1, "Văn phòng UBND tỉnh", D("5.9"), D("5.9"), D("5.9"), "Trung bình", D("4.9"), 1),
        (3, "Sở Tư pháp", D("5.9"), D("5.4"), D("5.4"), "Trung bình", D("4.4"), 1),
    ]
    for row in table[1:]:
        assert sum(D(str(v)) for v in row[6:]) == D(str(row[4]))
    document = docx(render("assessment-ranking", "docx", user=coordinator, params=params).content)
    assert [c.text for c in document.tables[0].rows[3].cells[:6]] == [
        "3",
        "Sở Tư pháp",
        "5,9",
        "5,4",
        "5,4",
        "Trung bình",
    ]
    text = render("assessment-ranking", "csv", user=coordinator, params=params).content.decode()
    assert "Sở Tư pháp" in text


def test_units_export_the_ranking_only_once_results_are_published(
    appraised: Appraised,
    reporter: User,
    appraiser: User,
    leader: User,
    outsider: User,
    coordinator: User,
    client: Client,
) -> None:
    params = {"assessment": str(appraised.opened.assessment.pk)}
    assert render("assessment-ranking", "csv", user=leader, params=params).content
    for user in (reporter, appraiser):
        with pytest.raises(ExportError, match="until the results are published"):
            render("assessment-ranking", "xlsx", user=user, params=params)
    publish(appraised.opened, coordinator)
    for user in (reporter, appraiser):
        assert (
            b"S\xe1\xbb\x9f T\xc6\xb0 ph\xc3\xa1p"
            in render("assessment-ranking", "csv", user=user, params=params).content
        )
    with pytest.raises(ExportError, match="not found"):
        render("assessment-ranking", "csv", user=outsider, params=params)
    # The API's generic export door applies the same rule.
    _token, key = org_actions.create_api_token(outsider, by=outsider, name="kiểm thử")
    response = client.get(
        "/api/exports/assessment-ranking.xlsx", params, headers={"Authorization": f"Bearer {key}"}
    )
    assert response.status_code == 400
    assert response.content.decode() == f"assessment {params['assessment']} not found"
    _token, key = org_actions.create_api_token(reporter, by=reporter, name="kiểm thử")
    response = client.get(
        "/api/exports/assessment-unit.docx",
        unit_params(appraised.justice),
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="assessment-unit-{appraised.justice.pk}-'
    )
