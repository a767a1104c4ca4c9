"""Export then import gives back the same tree, in YAML and in the XLSX decision layout."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from parindex.methodology.formats.xlsx import HEADER, INFO_SHEET, export_xlsx, parse_xlsx
from parindex.methodology.formats.yaml_format import dump_yaml, load_yaml
from parindex.methodology.tree import FrameworkSpec, NodeSpec, Scoring
from parindex.methodology.validation import normalise, validate
from tests.methodology.support import DATA, D, band, complete_tree, spec_of, without_lines


def shipped(name: str) -> FrameworkSpec:
    return spec_of(load_yaml((DATA / name).read_bytes()))


def awkward_tree() -> FrameworkSpec:
    """Text that YAML and spreadsheets like to mangle."""
    return normalise(
        FrameworkSpec(
            name='Tên có "ngoặc kép", dấu # và: hai chấm',
            code="ky-tu-dac-biet",
            description="Dòng 1\n- Dòng 2: có hai chấm, # và 'nháy đơn'\n\nDòng 4 sau dòng trống",
            source="C:\\đường\\dẫn\\tệp.docx",
            nodes=[
                NodeSpec("1", "yes", D("0.33"), note="no"),
                NodeSpec("1.9", "1.10", D("0.11"), bands=[band("No", "0.11"), band("~", 0)]),
                NodeSpec(
                    "1.10",
                    "null",
                    D("0.22"),
                    bands=[band("- dấu gạch đầu", "0.22"), band("@chú ý: 0", 0)],
                ),
            ],
        )
    )


def trees() -> Iterator[tuple[str, FrameworkSpec]]:
    yield "complete tree with every scoring kind", complete_tree()
    yield "Cà Mau fragment", shipped("camau-1880-2013.yaml")
    yield "2017 provincial index", shipped("par-index-2017-province.yaml")
    yield "awkward text", awkward_tree()
    yield "empty tree", FrameworkSpec(name="Trống")


CASES = list(trees())
IDS = [name for name, _ in CASES]
SPECS = [spec for _, spec in CASES]


def test_the_synthetic_tree_is_complete_so_the_round_trips_cover_a_valid_tree():
    assert validate(complete_tree()) == []
    assert {n.scoring for n in complete_tree().nodes} >= {
        Scoring.CATEGORICAL,
        Scoring.RANGES,
        Scoring.PROPORTIONAL,
    }


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_yaml_round_trip_gives_back_the_same_tree(spec):
    result = load_yaml(dump_yaml(spec))
    assert not result.errors and not result.warnings
    assert without_lines(spec_of(result)) == without_lines(spec)


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_xlsx_round_trip_gives_back_the_same_tree(spec):
    result = parse_xlsx(export_xlsx(spec))
    assert not [p for p in result.errors if p.kind != "no_table"]
    assert not result.warnings
    assert without_lines(spec_of(result)) == without_lines(spec)


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_round_trips_keep_the_problems_of_the_tree(spec):
    expected = [replace(p, line=None) for p in validate(spec)]
    for result in (load_yaml(dump_yaml(spec)), parse_xlsx(export_xlsx(spec))):
        found = [replace(p, line=None) for p in result.problems if p.kind != "no_table"]
        assert found == expected


def test_shipped_files_are_what_dump_yaml_would_write_in_content():
    for path in DATA.glob("*.yaml"):
        spec = spec_of(load_yaml(path.read_bytes()))
        assert without_lines(spec_of(load_yaml(dump_yaml(spec)))) == without_lines(spec), path.name


def test_dump_starts_with_the_format_line_so_pasted_yaml_is_recognised():
    assert dump_yaml(complete_tree()).startswith("format: parindex-criteria/1\n")


def test_dumped_codes_are_quoted_and_numbers_plain():
    text = dump_yaml(shipped("par-index-2017-province.yaml"))
    assert '  - code: "3"\n' in text and "    max_points: 14.5\n" in text
    assert "total: 100\n" in text


def test_the_exported_sheet_is_laid_out_like_a_decision():
    workbook = load_workbook(io.BytesIO(export_xlsx(complete_tree())))
    ws = workbook["Tiêu chí"]
    assert ws["A1"].value == "Bộ tiêu chí thử nghiệm: đủ các cách chấm" and ws["A1"].font.b
    assert ws["A2"].value == "Quyết định số 12/QĐ-UBND ngày 05/03/2024 của UBND tỉnh Thử Nghiệm"
    assert [c.value for c in ws[3]] == HEADER
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    assert rows[0][:4] == ("1", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH", 6, "Tự đánh giá")
    assert ws["A4"].font.b and not ws["A5"].font.b  # domains in bold
    assert rows[1][:6] == (
        "1.1",
        "Ban hành kế hoạch CCHC năm",
        1.5,
        "Tự đánh giá",
        "Chọn mức",
        None,
    )
    assert rows[2][:3] == (None, "Ban hành kịp thời", 1.5)  # a band: no STT, label, points
    assert isinstance(rows[2][2], float | int)  # numbers are numbers, not text
    ranged = next(r for r in rows if r[1] == "Từ 80% đến dưới 95%")
    assert ranged[7:] == (80, "có", 95, "không")
    assert ws["B5"].alignment.wrap_text
    assert ws.column_dimensions["B"].width > 50


def test_the_information_sheet_holds_the_metadata_as_rows():
    workbook = load_workbook(io.BytesIO(export_xlsx(complete_tree())))
    info = dict(workbook[INFO_SHEET].iter_rows(values_only=True))
    assert info["Định dạng"] == "parindex-criteria/1"
    assert info["Số quyết định"] == "12/QĐ-UBND" and info["Cấp đánh giá"] == "Cấp sở"
    assert info["Tổng điểm"] == 10 and info["Năm áp dụng từ"] == 2024


def test_bounds_in_the_sheet_win_over_the_label_wording():
    spec = normalise(
        FrameworkSpec(
            name="x",
            declared_total=D(1),
            nodes=[
                NodeSpec("1", "Tỷ lệ", D(1), bands=[band("Trên 90%", 1, 80), band("Dưới 80%", 0)])
            ],
        )
    )
    back = spec_of(parse_xlsx(export_xlsx(spec)))
    assert back.nodes[0].bands[0].lower == Decimal(80)
    assert back.nodes[0].bands[1].upper == Decimal(80)
