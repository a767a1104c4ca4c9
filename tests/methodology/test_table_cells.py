"""Criteria tables copied one cell per line, with lone "|" lines between cells."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from pathlib import Path

import docx
import pypdf
from hypothesis import given, settings
from hypothesis import strategies as st

from parindex.methodology.bands import parse_points
from parindex.methodology.formats import cells
from parindex.methodology.formats.docx import parse_docx
from parindex.methodology.formats.table import _header_places, parse_table_text
from parindex.methodology.importing import read_tree
from parindex.methodology.tree import ImportResult, Scoring, Severity
from tests.methodology.support import REFERENCE, kinds, node_of, spec_of, without_lines
from tests.plans.test_pdf_plans import one_page_pdf

TABLES = Path(__file__).parent / "data" / "tables"
CA_MAU = (REFERENCE / "raw" / "camau-1880-01.txt").read_text(encoding="utf-8")
CA_MAU_CELLS = (TABLES / "camau-1880-cells.txt").read_text(encoding="utf-8")
META = {"name": "Cà Mau 1880"}


def codes(result: ImportResult) -> list[str]:
    return [n.code for n in spec_of(result).nodes]


def bands(result: ImportResult, code: str) -> list[tuple[str, Decimal]]:
    return [(b.label, b.points) for b in node_of(spec_of(result), code).bands]


def lines(*parts: str) -> str:
    return "\n".join(parts) + "\n"


# -- The Cà Mau fragment, as the page's table comes out when copied ------------------------------


def test_the_ca_mau_fragment_copied_cell_by_cell_reads_the_same_tree_as_its_clean_layout():
    clean = parse_table_text(CA_MAU, META)
    copied = parse_table_text(CA_MAU_CELLS, META)
    assert without_lines(spec_of(copied)) == without_lines(spec_of(clean))
    assert kinds(copied, Severity.ERROR) == kinds(clean, Severity.ERROR) == []
    assert kinds(copied, Severity.GAP) == kinds(clean, Severity.GAP)


def test_a_row_copied_cell_by_cell_keeps_the_line_of_its_number():
    spec = spec_of(parse_table_text(CA_MAU_CELLS, META))
    text_lines = CA_MAU_CELLS.split("\n")
    for node in spec.nodes:
        assert node.line is not None and text_lines[node.line - 1] == node.code


def test_lines_around_the_copied_table_are_skipped_with_their_line_named():
    result = parse_table_text(CA_MAU_CELLS, META)
    assert [(p.kind, p.line) for p in result.warnings] == [
        ("skipped_line", 1),
        ("skipped_line", 2),
        ("skipped_line", 3),
    ]


def test_windows_line_endings_non_breaking_spaces_blank_lines_and_page_numbers_do_not_matter():
    text = (
        CA_MAU_CELLS.replace("|\n", "\u00a0|\u00a0\n")
        .replace("Kế hoạch CCHC năm\n", "Kế\u00a0hoạch CCHC năm\n\nTrang 2\n- 2 -\n\n")
        .replace("\n", "\r\n")
    )
    result = read_tree(text.encode("utf-8-sig"), "bang.txt")
    expected = parse_table_text(CA_MAU, META)
    assert without_lines(spec_of(result)).nodes == without_lines(spec_of(expected)).nodes


def test_the_copied_fragment_reads_from_a_word_document_without_tables():
    document = docx.Document()
    for line in CA_MAU_CELLS.splitlines():
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    result = parse_docx(out.getvalue(), META)
    assert without_lines(spec_of(result)) == without_lines(spec_of(parse_table_text(CA_MAU, META)))


def test_a_table_drawn_by_a_doc_to_text_converter_with_wrapped_cells_reads_the_same_tree():
    drawn = (TABLES / "camau-1880-antiword.txt").read_text(encoding="utf-8")
    result = read_tree(drawn.encode(), "quyet-dinh-1880.txt")
    clean = parse_table_text(CA_MAU)
    assert without_lines(spec_of(result)) == without_lines(spec_of(clean))
    assert [p.line for p in result.warnings] == [1, 2, 3]


def test_a_wrapped_line_between_bars_that_is_a_band_stays_a_band():
    text = lines(
        "|STT |Tiêu chí                 |Điểm |",
        "|1   |Ban hành kế hoạch CCHC   |1    |",
        "|    |năm                      |     |",
        "|    |Ban hành kịp thời: 1     |     |",
        "|    |Không ban hành           |0    |",
        "|    |hoặc ban hành muộn       |     |",
    )
    result = parse_table_text(text)
    assert node_of(spec_of(result), "1").name == "Ban hành kế hoạch CCHC năm"
    assert bands(result, "1") == [
        ("Ban hành kịp thời", Decimal(1)),
        ("Không ban hành hoặc ban hành muộn", Decimal(0)),
    ]
    # Between bars only: a loose line of the clean layout is still skipped with a warning.
    loose = parse_table_text("1 | Ban hành kế hoạch | 1\n  | năm |\n  Đạt: 1\n")
    assert [p.param("text") for p in loose.warnings] == ["năm"]


# -- Headers ------------------------------------------------------------------------------------


def test_a_header_wrapped_over_several_lines_places_the_columns():
    text = lines(
        "TT",
        "|",
        "Nội dung",
        "tiêu chí",
        "|",
        "Ghi",
        "chú",
        "|",
        "Điểm",
        "tối đa",
        "1",
        "|",
        "Công tác chỉ đạo, điều hành",
        "|",
        "Quyết định 1880",
        "|",
        "2",
        "|",
        "Ban hành đúng hạn",
        "|",
        "|",
        "2",
        "|",
        "Không ban hành",
        "|",
        "|",
        "0",
    )
    result = parse_table_text(text)
    assert codes(result) == ["1"]
    leaf = node_of(spec_of(result), "1")
    assert (leaf.max_points, leaf.note) == (Decimal(2), "Quyết định 1880")
    assert bands(result, "1") == [("Ban hành đúng hạn", Decimal(2)), ("Không ban hành", Decimal(0))]


def test_a_header_without_bars_over_rows_with_bars_is_still_a_header():
    text = lines(
        "STT", "Lĩnh vực/Tiêu", "chí/Tiêu chí thành phần", "Điểm tối đa",
        "1", "|", "Báo cáo CCHC", "|", "1",
        "|", "Đủ", "|", "1",
        "|", "Thiếu", "|", "0",
    )  # fmt: skip
    result = parse_table_text(text)
    assert codes(result) == ["1"] and not result.warnings
    assert bands(result, "1") == [("Đủ", Decimal(1)), ("Thiếu", Decimal(0))]


def test_a_column_number_row_under_the_header_is_not_read_as_a_criterion():
    text = lines(
        "STT", "|", "Tiêu chí", "|", "Điểm tối đa",
        "(1)", "|", "(2)", "|", "(3)",
        "1", "|", "Báo cáo CCHC", "|", "1",
        "|", "Đủ, đúng hạn", "|", "1",
        "|", "Không đủ", "|", "0",
    )  # fmt: skip
    result = parse_table_text(text)
    assert codes(result) == ["1"] and not result.errors
    plain = text.replace("(1)", "1").replace("(2)", "2").replace("(3)", "3")
    assert codes(parse_table_text(plain)) == ["1"]


HEADER = ["STT", "|", "Lĩnh vực/Tiêu", "chí/Tiêu chí thành phần", "|", "Điểm tối đa"]


def test_a_header_repeated_on_the_next_page_is_dropped_and_the_row_it_cuts_goes_on():
    text = lines(
        *HEADER,
        "I", "|", "CÔNG TÁC CHỈ ĐẠO", "|", "3",
        "1", "|", "Kế hoạch CCHC", "|", "1",
        "|", "Có", "|", "1",
        "Trang 1/2", *HEADER,
        "2", "|", "Báo cáo CCHC đầy đủ nội dung và gửi đúng thời gian", "Trang 2/2", *HEADER,
        "quy định", "|", "2",
        "|", "Đủ", "|", "2",
        "|", "Thiếu", "|", "0",
    )  # fmt: skip
    result = parse_table_text(text)
    assert codes(result) == ["1", "1.1", "1.2"]
    assert node_of(spec_of(result), "1.2").name == (
        "Báo cáo CCHC đầy đủ nội dung và gửi đúng thời gian quy định"
    )
    assert bands(result, "1.1") == [("Có", Decimal(1))]
    assert bands(result, "1.2") == [("Đủ", Decimal(2)), ("Thiếu", Decimal(0))]
    assert not result.warnings and not result.errors
    one_per_line = [line for line in text.split("\n") if line != "|"]
    assert without_lines(spec_of(parse_table_text("\n".join(one_per_line)))) == without_lines(
        spec_of(result)
    )


# -- Rows ---------------------------------------------------------------------------------------


def test_a_long_name_wrapped_over_lines_is_one_name_and_bands_in_it_are_bands():
    text = lines(
        "STT", "|", "Lĩnh vực/Tiêu chí/Tiêu chí thành phần", "|", "Điểm tối đa",
        "3", "|", "CẢI CÁCH THỦ TỤC HÀNH CHÍNH", "|", "3",
        "3.1", "|",
        "Tỷ lệ hồ sơ thủ tục hành chính được giải quyết đúng",
        "hoặc trước hạn so với tổng số hồ sơ tiếp nhận trong",
        "năm",
        "Từ 95% trở lên: 2",
        "Từ 80% đến dưới 95%: 1",
        "Dưới 80%: 0",
        "|", "2",
        "3.2", "|",
        "Tỷ lệ phản ánh, kiến nghị được xử lý",
        "Điểm = tỷ lệ % × điểm tối đa",
        "|", "1",
    )  # fmt: skip
    result = parse_table_text(text)
    assert codes(result) == ["3", "3.1", "3.2"] and not result.errors
    spec = spec_of(result)
    assert node_of(spec, "3.1").name == (
        "Tỷ lệ hồ sơ thủ tục hành chính được giải quyết đúng hoặc trước hạn so với tổng số hồ sơ"
        " tiếp nhận trong năm"
    )
    assert node_of(spec, "3.1").scoring == Scoring.RANGES
    assert [b.lower for b in node_of(spec, "3.1").bands] == [Decimal(95), Decimal(80), None]
    assert node_of(spec, "3.2").scoring == Scoring.PROPORTIONAL


def test_a_table_with_self_assessment_and_note_columns_keeps_notes_and_ignores_scores():
    text = lines(
        "STT", "|", "Lĩnh vực/Tiêu", "chí/Tiêu chí thành phần", "|", "Điểm tối", "đa",
        "|", "Tự đánh", "giá", "|", "Ghi chú",
        "1", "|", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CCHC", "|", "3", "|", "2,5", "|",
        "1.1", "|", "Ban hành kế hoạch CCHC năm", "|", "1", "|", "1", "|",
        "Kèm theo Kế hoạch", "số 12/KH-UBND",
        "|", "Ban hành kịp thời", "|", "1", "|", "|",
        "|", "Ban hành không kịp thời", "|", "0,5", "|", "|",
        "|", "Không ban hành", "|", "0", "|", "|",
        "1.2", "|", "Mức độ thực hiện kế hoạch CCHC", "|", "2", "|", "1,5", "|", "Tự chấm",
        "|", "Thực hiện trên 90% kế hoạch", "|", "2", "|", "|",
        "|", "Thực hiện từ 70% - 90% kế hoạch", "|", "1", "|", "|",
        "|", "Dưới 70% kế hoạch", "|", "0", "|", "|",
    )  # fmt: skip
    result = parse_table_text(text, {"declared_total": "3"})
    assert codes(result) == ["1", "1.1", "1.2"]
    assert result.ok and not result.problems
    spec = spec_of(result)
    assert node_of(spec, "1.1").note == "Kèm theo Kế hoạch\nsố 12/KH-UBND"
    assert node_of(spec, "1.2").note == "Tự chấm"
    assert bands(result, "1.1") == [
        ("Ban hành kịp thời", Decimal(1)),
        ("Ban hành không kịp thời", Decimal("0.5")),
        ("Không ban hành", Decimal(0)),
    ]
    assert node_of(spec, "1.2").scoring == Scoring.RANGES


def test_band_rows_whose_number_cell_is_merged_from_above_lose_no_band():
    # The page merges the STT cell down over the band rows, so they have one cell fewer.
    text = lines(
        *HEADER, "|", "Tự đánh giá", "|", "Ghi chú",
        "1", "|", "Ban hành kế hoạch CCHC năm", "|", "1", "|", "|",
        "Ban hành kịp thời", "|", "1", "|", "|",
        "Ban hành không kịp thời", "|", "0,5", "|", "|",
        "Không ban hành", "|", "0", "|", "|",
        "2", "|", "Báo cáo CCHC", "|", "1", "|", "|",
        "Đủ", "|", "1", "|", "|",
        "Thiếu", "|", "0", "|", "|",
    )  # fmt: skip
    result = parse_table_text(text)
    assert codes(result) == ["1", "2"] and not result.warnings
    assert bands(result, "1") == [
        ("Ban hành kịp thời", Decimal(1)),
        ("Ban hành không kịp thời", Decimal("0.5")),
        ("Không ban hành", Decimal(0)),
    ]
    assert bands(result, "2") == [("Đủ", Decimal(1)), ("Thiếu", Decimal(0))]


def test_bands_listed_in_one_unnumbered_row_are_paired_with_the_points_beside_them():
    text = lines(
        *HEADER,
        "1.1", "|", "Ban hành kế hoạch CCHC năm", "|", "1",
        "|", "Ban hành kịp thời", "Ban hành không kịp thời", "Không ban hành",
        "|", "1", "0,5", "0",
    )  # fmt: skip
    result = parse_table_text(text)
    assert bands(result, "1.1") == [
        ("Ban hành kịp thời", Decimal(1)),
        ("Ban hành không kịp thời", Decimal("0.5")),
        ("Không ban hành", Decimal(0)),
    ]
    assert node_of(spec_of(result), "1.1").line == 7


def test_rows_written_between_bars_are_read_too():
    text = lines(
        "|", *HEADER, "|",
        "|", "1", "|", "Kế hoạch CCHC", "|", "1", "|",
        "|", "|", "Có", "|", "1", "|",
        "|", "|", "Không", "|", "0", "|",
        "|", "2", "|", "Báo cáo", "|", "1", "|",
        "|", "|", "Đủ", "|", "1", "|",
    )  # fmt: skip
    result = parse_table_text(text)
    assert codes(result) == ["1", "2"]
    assert bands(result, "1") == [("Có", Decimal(1)), ("Không", Decimal(0))]
    assert bands(result, "2") == [("Đủ", Decimal(1))]


def test_empty_cells_written_as_one_line_of_bars_count_as_cells():
    text = lines(
        "STT", "|", "Tiêu chí", "|", "Điểm tối đa", "|", "Tự đánh giá", "|", "Ghi chú",
        "1", "|", "Báo cáo CCHC", "|", "1", "| | |",
        "Đủ, đúng hạn", "|", "1", "| | |",
        "Không đủ", "|", "0", "| |",
        "2", "|", "Kiểm tra", "|", "1", "| | |",
        "Có kiểm tra", "|", "1", "| |",
    )  # fmt: skip
    result = parse_table_text(text)
    assert codes(result) == ["1", "2"] and not result.warnings
    assert bands(result, "1") == [("Đủ, đúng hạn", Decimal(1)), ("Không đủ", Decimal(0))]
    assert bands(result, "2") == [("Có kiểm tra", Decimal(1))]


def test_without_a_header_the_cells_are_number_name_points_and_bands_follow_their_row():
    text = lines(
        "I", "|", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH", "|", "2",
        "1", "|", "Kế hoạch CCHC", "|", "2",
        "a)", "|", "Ban hành kế hoạch", "|", "1",
        "|", "Kịp thời", "|", "1",
        "|", "Không kịp thời", "|", "0",
        "b)", "|", "Báo cáo", "|", "1",
        "Đạt: 1",
        "Không đạt: 0",
    )  # fmt: skip
    result = parse_table_text(text)
    assert codes(result) == ["1", "1.1", "1.1.1", "1.1.2"]
    assert bands(result, "1.1.1") == [("Kịp thời", Decimal(1)), ("Không kịp thời", Decimal(0))]
    assert bands(result, "1.1.2") == [("Đạt", Decimal(1)), ("Không đạt", Decimal(0))]
    assert not result.errors and not result.warnings


def test_cells_one_per_line_without_bars_are_read_under_a_wrapped_header():
    text = lines(
        "PHỤ LỤC: BỘ TIÊU CHÍ XÁC ĐỊNH CHỈ SỐ CCHC CẤP XÃ",
        "STT",
        "Lĩnh vực/Tiêu",
        "chí/Tiêu chí thành phần",
        "Điểm tối",
        "đa",
        "1",
        "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CCHC",
        "3",
        "1.1",
        "Xác định đầy đủ các nhiệm vụ CCHC trên các lĩnh vực",
        "theo kế hoạch năm của UBND huyện",
        "1",
        "Đạt yêu cầu",
        "1",
        "Không đạt yêu cầu",
        "0",
        "1.2",
        "Mức độ thực hiện kế hoạch",
        "2",
        "Thực hiện trên 90% kế",
        "hoạch",
        "2",
        "Dưới 90% kế hoạch: 0",
    )
    result = parse_table_text(text, {"declared_total": 3})
    assert codes(result) == ["1", "1.1", "1.2"] and not result.errors
    spec = spec_of(result)
    assert node_of(spec, "1.1").name == (
        "Xác định đầy đủ các nhiệm vụ CCHC trên các lĩnh vực theo kế hoạch năm của UBND huyện"
    )
    assert bands(result, "1.1") == [("Đạt yêu cầu", Decimal(1)), ("Không đạt yêu cầu", Decimal(0))]
    assert bands(result, "1.2") == [
        ("Thực hiện trên 90% kế hoạch", Decimal(2)),
        ("Dưới 90% kế hoạch", Decimal(0)),
    ]
    assert [p.line for p in result.warnings] == [1]


def test_prose_after_the_table_is_skipped_not_taken_into_the_last_row():
    text = lines(
        "1", "|", "Báo cáo CCHC", "|", "1",
        "|", "Đủ", "|", "1",
        "|", "Thiếu", "|", "0",
        "Nơi nhận:",
        "- Như Điều 3;",
    )  # fmt: skip
    result = parse_table_text(text)
    assert bands(result, "1") == [("Đủ", Decimal(1)), ("Thiếu", Decimal(0))]
    assert [p.param("text") for p in result.warnings] == ["Nơi nhận:", "- Như Điều 3;"]


def test_a_clean_table_with_a_stray_bar_line_reads_as_before():
    stray = CA_MAU.replace("1.2 | Báo cáo CCHC | 2\n", "|\n1.2 | Báo cáo CCHC | 2\n|\n")
    assert without_lines(spec_of(parse_table_text(stray, META))) == without_lines(
        spec_of(parse_table_text(CA_MAU, META))
    )


def test_a_page_of_bar_lines_without_a_table_is_still_no_table():
    result = parse_table_text("|\n|\nMột đoạn văn.\n|\n")
    assert ("no_table", "") in kinds(result.errors)


# -- Robustness ---------------------------------------------------------------------------------

CELL_BITS = st.sampled_from(
    [
        "|",
        " | ",
        "| |",
        "||",
        "STT",
        "TT",
        "Lĩnh vực/Tiêu",
        "chí/Tiêu chí thành phần",
        "Điểm tối đa",
        "Ghi chú",
        "(1)",
        "1",
        "1.1",
        "II",
        "a)",
        "0,5",
        "2",
        "Đạt: 1",
        "Không đạt",
        "Trên 90%",
        "Trang 2",
        "",
        "\u00a0",
        "\r",
        "# ghi chú",
    ]
)


@settings(max_examples=300)
@given(st.lists(CELL_BITS, max_size=60).map("\n".join))
def test_any_text_laid_out_in_cells_gives_an_import_result_and_never_raises(text):
    result = parse_table_text(text)
    assert isinstance(result, ImportResult) and result.spec is not None


@settings(max_examples=200)
@given(st.lists(st.one_of(CELL_BITS, st.text(max_size=30)), max_size=40))
def test_the_cell_pre_pass_never_raises_and_its_rows_point_at_given_lines(text_lines):
    rows = cells.cell_rows(text_lines, _header_places)
    for number, row in rows or []:
        assert 1 <= number <= len(text_lines) and row


def steps(function: Callable[[], object]) -> int:
    """Lines of `formats/cells.py` run by `function`: a measure of work that is not a timing."""
    count = 0
    source = cells.__file__

    def trace(frame, event, arg):
        nonlocal count
        if frame.f_code.co_filename != source:
            return None
        if event == "line":
            count += 1
        return trace

    sys.settrace(trace)
    try:
        function()
    finally:
        sys.settrace(None)
    return count


PATHOLOGICAL: dict[str, Callable[[int], str]] = {
    "bar lines": lambda n: "|\n" * n,
    "bars and numbers": lambda n: "1\n|\n" * n,
    "headers that never end": lambda n: "STT\n|\nĐiểm\n" * n,
    "one-per-line headers": lambda n: "STT\nTiêu chí\nĐiểm tối đa\n1\n" * n,
    "rows without bands": lambda n: "1.1\n|\nTên\n|\n1\n" * n,
    "a row of ever more cells": lambda n: "|\n" * n + "Tên\n|\n" * n,
}


def test_the_cell_pre_pass_does_work_in_proportion_to_the_lines_it_is_given():
    for name, make in PATHOLOGICAL.items():
        small, large = (
            steps(partial(cells.cell_rows, make(n).split("\n"), _header_places))
            for n in (300, 1200)
        )
        assert large <= 4.5 * small, name  # four times the lines, four times the work


def test_a_very_long_line_is_text_and_reaches_no_number_reader(monkeypatch):
    seen: list[int] = []

    def recording(text: str) -> Decimal | None:
        seen.append(len(text))
        return parse_points(text)

    monkeypatch.setattr("parindex.methodology.formats.cells.parse_points", recording)
    long_line = "1.1 " + "Tiêu chí rất dài | " * 20_000
    text = lines("STT", "|", "Tiêu chí", "|", "Điểm tối đa", long_line, "|" * 50_000, "|")
    rows = cells.cell_rows(text.split("\n"), _header_places)
    assert rows is not None and max(seen) <= 60
    assert isinstance(parse_table_text(text), ImportResult)


# -- PDF text layers ----------------------------------------------------------------------------

# A PDF's text layer as a PDF printer writes a table: a cell a line, the header wrapped and
# repeated on the next page. Typed without accents, as such files often come.
PDF_PAGES = [
    [
        "STT",
        "Linh vuc/Tieu",
        "chi/Tieu chi thanh phan",
        "Diem toi",
        "da",
        "1",
        "CONG TAC CHI DAO, DIEU HANH CCHC",
        "2",
        "1.1",
        "Ban hanh ke hoach CCHC nam",
        "1",
        "Ban hanh kip thoi",
        "1",
        "Khong ban hanh",
        "0",
        "1.2",
        "Bao cao CCHC day du noi dung va gui dung",
        "Trang 1",
    ],
    [
        "STT",
        "Linh vuc/Tieu",
        "chi/Tieu chi thanh phan",
        "Diem toi",
        "da",
        "thoi gian quy dinh",
        "1",
        "Dat yeu cau: 1",
        "Khong dat yeu cau: 0",
        "Trang 2",
    ],
]


def pdf_of(pages: list[list[str]]) -> bytes:
    """Pages of text lines as a PDF, from single-page PDFs merged by pypdf."""
    writer = pypdf.PdfWriter()
    for lines_of_page in pages:
        writer.append(pypdf.PdfReader(io.BytesIO(one_page_pdf(lines_of_page))))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_table_in_a_pdf_text_layer_is_read_one_cell_a_line_across_its_pages():
    result = read_tree(pdf_of(PDF_PAGES), "quyet-dinh.pdf")
    assert codes(result) == ["1", "1.1", "1.2"] and not result.errors
    spec = spec_of(result)
    assert node_of(spec, "1.2").name == (
        "Bao cao CCHC day du noi dung va gui dung thoi gian quy dinh"
    )
    assert bands(result, "1.1") == [
        ("Ban hanh kip thoi", Decimal(1)),
        ("Khong ban hanh", Decimal(0)),
    ]
    assert bands(result, "1.2") == [("Dat yeu cau", Decimal(1)), ("Khong dat yeu cau", Decimal(0))]


def test_a_pdf_without_a_text_layer_is_an_error_saying_to_paste_the_text():
    (error,) = read_tree(pdf_of([[]]), "scan.pdf").problems
    assert (error.kind, error.severity) == ("pdf_without_text", Severity.ERROR)


def test_a_damaged_pdf_is_an_error_naming_it():
    (error,) = read_tree(b"%PDF-1.4\nnot really a pdf", "hong.pdf").problems
    assert (error.kind, error.param("name")) == ("unreadable_file", "PDF")
