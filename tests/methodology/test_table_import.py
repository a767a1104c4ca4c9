"""The decisions' table layout, pasted as text or read from XLSX and DOCX."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from parindex.methodology.formats.docx import parse_docx
from parindex.methodology.formats.table import Row, parse_table_text, read_rows
from parindex.methodology.formats.xlsx import parse_xlsx
from parindex.methodology.formats.yaml_format import load_yaml
from parindex.methodology.tree import ImportResult, Level, Scoring, Severity, Unit
from tests.methodology.support import DATA, REFERENCE, D, essentials, kinds, node_of, spec_of

CA_MAU = (REFERENCE / "raw" / "camau-1880-01.txt").read_text(encoding="utf-8")
CAN_THO = (REFERENCE / "raw" / "cantho-2948-domains-01.txt").read_text(encoding="utf-8")


def codes(result: ImportResult) -> list[str]:
    return [n.code for n in spec_of(result).nodes]


def test_the_ca_mau_fragment_imports_as_a_well_formed_draft():
    result = parse_table_text(CA_MAU, {"name": "Cà Mau 1880"})
    assert result.ok and not result.errors
    assert kinds(result, Severity.GAP) == [
        ("children_sum", "1"),
        ("leaf_without_bands", "1.3"),
        ("no_total", ""),
    ]
    children_sum = result.gaps[0]
    assert (children_sum.param("max"), children_sum.param("sum"), children_sum.line) == (
        "20",
        "10",
        5,
    )
    # The URL, the two comment lines and "1.3 [chunk ends]"; the header is understood.
    assert [p.line for p in result.warnings] == [1, 2, 3, 29]
    assert {p.kind for p in result.warnings} == {"skipped_line"}
    assert result.warnings[-1].param("text") == "1.3 [chunk ends]"


def test_the_ca_mau_fragment_reads_the_same_tree_as_the_shipped_file():
    table = spec_of(parse_table_text(CA_MAU, {"name": "Cà Mau 1880"}))
    shipped = spec_of(load_yaml((DATA / "camau-1880-2013.yaml").read_bytes()))
    assert essentials(table) == essentials(shipped)
    assert node_of(table, "1.1.4").bands[1].label == "Thực hiện từ 70% - 90% kế hoạch"
    assert node_of(table, "1.1.4").line == 17


def test_the_can_tho_domain_table_reads_its_points_column_and_skips_the_total_row():
    result = parse_table_text(CAN_THO, {"name": "PAR INDEX 2017", "declared_total": "100"})
    assert result.ok
    assert [n.max_points for n in spec_of(result).nodes] == [
        Decimal(v) for v in ("10", "10", "14.5", "11", "16", "7", "16", "15.5")
    ]
    total_row = next(p for p in result.warnings if p.line == 15)
    assert total_row.param("text").startswith("Tổng")
    assert "total_mismatch" not in {p.kind for p in result.problems}


def test_meta_gives_the_framework_its_name_level_total_and_decision():
    meta = {
        "name": "Chỉ số CCHC cấp xã",
        "code": "cap-xa",
        "level": "commune",
        "declared_total": "14,5",
        "decision_number": "52/2019/QĐ-UBND",
        "decision_date": "24/09/2019",
        "first_year": "2019",
    }
    spec = spec_of(parse_table_text("1 | A | 14,5\n  Đạt: 14,5\n", meta))
    assert (spec.name, spec.code, spec.level, spec.declared_total) == (
        "Chỉ số CCHC cấp xã",
        "cap-xa",
        Level.COMMUNE,
        Decimal("14.5"),
    )
    assert (spec.decision_number, spec.decision_date, spec.first_year) == (
        "52/2019/QĐ-UBND",
        date(2019, 9, 24),
        2019,
    )


def test_unreadable_meta_is_an_error_naming_the_field():
    result = parse_table_text("1 | A | 1\n  Đạt: 1\n", {"level": "ward", "declared_total": "many"})
    assert sorted(p.param("field") for p in result.errors) == ["declared_total", "level"]


def test_without_meta_the_total_is_not_guessed_and_the_name_is_left_to_the_caller():
    result = parse_table_text("1 | A | 4\n  Đạt: 4\n2 | B | 6\n  Đạt: 6\n")
    assert result.ok
    assert spec_of(result).declared_total is None and spec_of(result).name == ""
    assert kinds(result) == [("no_total", "")]


def test_without_a_header_the_columns_are_stt_name_points():
    result = parse_table_text("1\tLĩnh vực\t2\n1.1\tTiêu chí\t2\n\tĐạt\t2\n\tKhông đạt\t0\n")
    assert codes(result) == ["1", "1.1"]
    assert [(b.label, b.points) for b in node_of(spec_of(result), "1.1").bands] == [
        ("Đạt", Decimal(2)),
        ("Không đạt", Decimal(0)),
    ]


def test_a_header_can_place_the_points_column_anywhere():
    text = "TT | Nội dung | Ghi chú | Điểm tối đa\n1 | Lĩnh vực | xem phụ lục | 3\n"
    spec = spec_of(parse_table_text(text))
    assert spec.nodes[0].max_points == Decimal(3)


def test_markdown_table_rows_are_read():
    text = "| STT | Tiêu chí | Điểm tối đa |\n|---|---|---|\n| 1 | A | 1 |\n| | Đạt | 1 |\n"
    result = parse_table_text(text)
    assert codes(result) == ["1"] and spec_of(result).nodes[0].bands[0].label == "Đạt"
    assert [p.line for p in result.warnings] == [2]


def test_roman_domains_number_the_arabic_criteria_under_them():
    text = (
        "I | Lĩnh vực một | 2\n1 | Tiêu chí | 2\n1.1 | Thành phần | 2\n  Đạt: 2\n"
        "II | Lĩnh vực hai | 1\n1 | Tiêu chí | 1\n  Đạt: 1\n"
        "III | Lĩnh vực ba | 1\n3.1 | Tiêu chí đã đánh số đầy đủ | 1\n  Đạt: 1\n"
    )
    result = parse_table_text(text)
    assert codes(result) == ["1", "1.1", "1.1.1", "2", "2.1", "3", "3.1"]
    assert not result.errors


def test_lettered_items_become_sub_criteria_of_the_criterion_above():
    text = "1 | Lĩnh vực | 2\n1.1 | Tiêu chí | 2\na) | Thứ nhất | 1\n  Có: 1\nb) | Thứ hai | 1\n  Có: 1\n"
    assert codes(parse_table_text(text)) == ["1", "1.1", "1.1.1", "1.1.2"]


def test_points_that_do_not_read_as_a_number_are_an_error_naming_the_line():
    result = parse_table_text("1 | Lĩnh vực | 2\n1.1 | Tiêu chí | hai điểm\n")
    (error,) = result.errors
    assert (error.kind, error.where, error.line, error.param("value")) == (
        "bad_points",
        "1.1",
        2,
        "hai điểm",
    )
    assert not result.ok


def test_a_table_row_without_points_is_an_error():
    result = parse_table_text("1 | Lĩnh vực |\n")
    assert [(p.kind, p.param("field")) for p in result.errors] == [("missing_field", "max_points")]


def test_a_code_used_twice_is_an_error():
    result = parse_table_text("1 | A | 1\n  Đạt: 1\n1 | B | 1\n  Đạt: 1\n")
    assert kinds(result.errors) == [("duplicate_code", "1")]


def test_a_proportional_formula_line_makes_the_row_above_proportional():
    text = "1 | Tỷ lệ hồ sơ đúng hạn | 2\n    Điểm = tỷ lệ % × điểm tối đa\n"
    result = parse_table_text(text)
    leaf = spec_of(result).nodes[0]
    assert (leaf.scoring, leaf.unit, leaf.note) == (
        Scoring.PROPORTIONAL,
        Unit.PERCENT,
        "Điểm = tỷ lệ % × điểm tối đa",
    )
    assert result.problems == [result.gaps[0]] and result.gaps[0].kind == "no_total"


def test_band_labels_with_ranges_become_range_bands():
    text = "1 | Tỷ lệ | 2\n  Trên 90%: 2\n  Từ 70% - 90%: 1\n  Dưới 70%: 0\n"
    leaf = spec_of(parse_table_text(text)).nodes[0]
    assert (leaf.scoring, leaf.unit) == (Scoring.RANGES, Unit.PERCENT)


def test_a_band_before_any_row_is_skipped():
    result = parse_table_text("Đạt: 1\n1 | A | 1\n  Đạt: 1\n")
    assert [p.line for p in result.warnings] == [1]


def test_text_without_any_table_row_is_an_error():
    result = parse_table_text("Một đoạn văn bản không có bảng.\n")
    assert ("no_table", "") in kinds(result.errors)


def test_read_rows_takes_rows_from_any_source():
    rows = [Row(10, ["STT", "Tiêu chí", "Điểm tối đa"]), Row(11, ["1", "A\nĐạt: 1\nKhông: 0", "1"])]
    result = read_rows(rows, {"name": "x"})
    assert spec_of(result).nodes[0].name == "A" and spec_of(result).nodes[0].line == 11
    assert [b.label for b in spec_of(result).nodes[0].bands] == ["Đạt", "Không"]


# -- XLSX from other people's spreadsheets ------------------------------------------------------


def workbook_bytes(rows: list[list[object]], title: str = "Bảng") -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_spreadsheet_with_bands_in_rows_and_in_name_cells_is_read():
    data = workbook_bytes(
        [
            ["BỘ TIÊU CHÍ CẤP SỞ"],
            [],
            ["STT", "Lĩnh vực/Tiêu chí", "Điểm tối đa", "Ghi chú"],
            [1, "Chỉ đạo", 3.5],
            [1.1, "Kế hoạch\nBan hành kịp thời: 1\nKhông ban hành: 0", 1],
            [1.2, "Báo cáo", 2.5],
            [None, "Đủ, đúng hạn", 2.5],
            [None, "Thiếu một báo cáo", 0.125],
            [None, "Không báo cáo: 0"],
        ]
    )
    result = parse_xlsx(data)
    spec = spec_of(result)
    assert result.ok and spec.name == "BỘ TIÊU CHÍ CẤP SỞ"
    assert codes(result) == ["1", "1.1", "1.2"]
    assert node_of(spec, "1.1").name == "Kế hoạch"
    assert [(b.label, b.points) for b in node_of(spec, "1.1").bands] == [
        ("Ban hành kịp thời", Decimal(1)),
        ("Không ban hành", Decimal(0)),
    ]
    assert [(b.label, b.points) for b in node_of(spec, "1.2").bands] == [
        ("Đủ, đúng hạn", Decimal("2.5")),
        ("Thiếu một báo cáo", Decimal("0.125")),
        ("Không báo cáo", Decimal(0)),
    ]
    assert node_of(spec, "1.2").line == 6


def test_meta_given_by_the_caller_wins_over_the_spreadsheet_title():
    data = workbook_bytes(
        [["Tiêu đề"], ["STT", "Tiêu chí", "Điểm"], ["1", "A", 1], [None, "Đạt", 1]]
    )
    assert spec_of(parse_xlsx(data, {"name": "Tên nhập tay"})).name == "Tên nhập tay"


def test_a_file_that_is_not_a_workbook_is_an_error():
    (error,) = parse_xlsx(b"not a zip file").problems
    assert (error.kind, error.severity) == ("unreadable_file", Severity.ERROR)


# -- DOCX ---------------------------------------------------------------------------------------


def docx_bytes(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_word_table_with_merged_cells_is_read_row_by_row():
    document = docx.Document()
    document.add_paragraph("QUYẾT ĐỊNH ...")
    table = document.add_table(rows=6, cols=6)
    for r, values in enumerate(
        [
            [
                "STT",
                "Lĩnh vực/Tiêu chí/Tiêu chí thành phần",
                "Điểm tối đa",
                "Điểm đánh giá",
                "",
                "Ghi chú",
            ],
            ["1", "CÔNG TÁC CHỈ ĐẠO", "2"],
            ["1.1", "Ban hành kế hoạch", "1"],
            ["", "Ban hành kịp thời", "1"],
            ["", "Không ban hành", "0"],
            ["1.2", "Mức độ thực hiện kế hoạch", "1"],
        ]
    ):
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    # A heading spanning two columns is read once, and the columns after it stay in place.
    table.cell(0, 3).merge(table.cell(0, 4))
    # STT and note merged down over the band rows: read once, or the bands would be rows "1.1".
    table.cell(2, 0).merge(table.cell(4, 0))
    table.cell(2, 5).merge(table.cell(4, 5)).text = "Tự chấm"
    name_cell = table.cell(5, 1)
    name_cell.add_paragraph("Trên 90%: 1")
    name_cell.add_paragraph("Từ 70% - 90%: 0,5")
    name_cell.add_paragraph("Dưới 70%: 0")
    result = parse_docx(docx_bytes(document))
    spec = spec_of(result)
    assert result.ok and codes(result) == ["1", "1.1", "1.2"]
    assert [b.label for b in node_of(spec, "1.1").bands] == ["Ban hành kịp thời", "Không ban hành"]
    assert node_of(spec, "1.1").note == "Tự chấm"
    assert (node_of(spec, "1.2").scoring, len(node_of(spec, "1.2").bands)) == (Scoring.RANGES, 3)
    assert node_of(spec, "1.2").line == 6


def test_a_word_document_without_tables_is_read_as_text():
    document = docx.Document()
    for line in ["1 | Lĩnh vực | 1", "    Đạt: 1", "    Không đạt: 0"]:
        document.add_paragraph(line)
    result = parse_docx(docx_bytes(document))
    assert codes(result) == ["1"] and len(spec_of(result).nodes[0].bands) == 2


def test_a_file_that_is_not_a_word_document_is_an_error():
    (error,) = parse_docx(b"PK\x03\x04 broken").problems
    assert error.kind == "unreadable_file"


# -- Robustness ---------------------------------------------------------------------------------

TABLE_BITS = st.sampled_from(
    [
        "1",
        "1.1",
        "I",
        "a)",
        " | ",
        "\t",
        ": ",
        "0,5",
        "2",
        "%",
        "Trên 90%",
        "từ",
        "đến",
        "dưới",
        "STT",
        "Điểm tối đa",
        "\n",
        "    ",
        "#",
        "Tổng",
        "x điểm tối đa",
        "-",
        "1.2.3",
        "(1 điểm)",
    ]
)


@settings(max_examples=300)
@given(st.text())
def test_any_text_gives_an_import_result_and_never_raises(text):
    assert isinstance(parse_table_text(text), ImportResult)


@settings(max_examples=300)
@given(st.lists(TABLE_BITS, max_size=40).map("".join))
def test_any_table_like_text_gives_an_import_result_and_never_raises(text):
    result = parse_table_text(text)
    assert isinstance(result, ImportResult) and result.spec is not None


@settings(max_examples=200)
@given(st.text())
def test_any_text_given_as_yaml_gives_an_import_result_and_never_raises(text):
    assert isinstance(load_yaml(text), ImportResult)


@pytest.mark.parametrize("text", ["", "\n\n", "|||", "\t\t", "STT | Điểm", "1", "I", "a)"])
def test_degenerate_tables_do_not_raise(text):
    assert isinstance(parse_table_text(text), ImportResult)


def test_method_scoring_and_unit_columns_are_read_in_vietnamese_words():
    text = (
        "STT | Tiêu chí | Điểm tối đa | Phương pháp | Cách tính điểm | Đơn vị\n"
        "1 | Hài lòng | 2 | Điều tra XHH | Theo tỷ lệ | %\n"
        "2 | Sáng kiến | 1 | Tự chấm | Theo khoảng | Số\n"
        "  Từ 1 sáng kiến trở lên: 1\n"
        "  Không có: 0\n"
    )
    spec = spec_of(parse_table_text(text))
    assert [(n.method.value, n.scoring.value, n.unit.value) for n in spec.nodes] == [
        ("survey", "proportional", "percent"),
        ("self", "ranges", "count"),
    ]
    assert [(b.lower, b.upper) for b in spec.nodes[1].bands] == [(D(1), None), (D(0), D(0))]


def test_an_unknown_word_in_the_method_column_is_an_error():
    text = "STT | Tiêu chí | Điểm tối đa | Phương pháp\n1 | A | 1 | bốc thăm\n  Đạt: 1\n"
    result = parse_table_text(text)
    assert [(p.kind, p.where, p.param("field")) for p in result.errors] == [
        ("bad_value", "1", "method")
    ]
