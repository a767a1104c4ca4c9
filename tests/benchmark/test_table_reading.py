"""Reading a year's official table from text, CSV and XLSX: the pure core."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import Workbook

from parindex.benchmark import table
from parindex.benchmark.table import KnownProvince, read_lines, read_table, text_lines

PROVINCES = [
    KnownProvince("lao-cai", "Tỉnh Lào Cai", "Lào Cai", "10"),
    KnownProvince("yen-bai", "Tỉnh Yên Bái", "Yên Bái", "15"),
    KnownProvince(
        "ho-chi-minh", "Thành phố Hồ Chí Minh", "Hồ Chí Minh", "79", ("TP. Hồ Chí Minh", "TPHCM")
    ),
    KnownProvince("quang-ninh", "Tỉnh Quảng Ninh", "Quảng Ninh", "22"),
]


def read(text: str, of: int = 63) -> table.ParsedTable:
    return read_table(text_lines(text), PROVINCES, of=of)


def problems(parsed: table.ParsedTable) -> list[tuple[str, str]]:
    return [(p.where, p.code) for p in parsed.problems]


@pytest.mark.parametrize(
    "text",
    [
        "Tỉnh, thành phố\tĐiểm\tXếp hạng\nLào Cai\t82,85\t15\nQuảng Ninh\t90,09\t1\n",
        "Tỉnh;Điểm;Xếp hạng\nLào Cai;82,85;15\nQuảng Ninh;90,09;1\n",
        "Province,Score,Rank\nLao Cai,82.85,15\nQuang Ninh,90.09,1\n",
        'Tỉnh,Điểm,Xếp hạng\nlào cai,"82,85",15\nQUẢNG NINH,"90,09",1\n',
        "| STT | Tên tỉnh | Chỉ số | Thứ hạng |\n| 1 | Lào Cai | 82,85 | 15 |\n| 2 | Quảng Ninh | 90,09 | 1 |\n",
        "Lào Cai\t82,85\t15\nQuảng Ninh\t90,09\t1\n",  # no header: province, score, rank
        "1\tLào Cai\t82,85\t15\n2\tQuảng Ninh\t90,09\t1\n",  # no header, an STT column
        "Tỉnh Lào Cai\t82.85\t15\n22\t90.09\t1\n",  # official code, prefix "Tỉnh"
        "lao-cai\t82.85\t15\nquang-ninh\t90.09\t1\n",  # parindex codes
    ],
)
def test_a_table_is_read_in_any_usual_layout(text: str) -> None:
    parsed = read(text)
    assert parsed.problems == []
    assert [(r.province.code, r.score, r.rank) for r in parsed.rows] == [
        ("lao-cai", Decimal("82.85"), 15),
        ("quang-ninh", Decimal("90.09"), 1),
    ]


def test_names_match_without_accents_and_through_other_names() -> None:
    parsed = read("TP. Hồ Chí Minh\t86,97\t33\ntphcm\t1\t2\n")
    assert parsed.rows[0].province.code == "ho-chi-minh"
    assert problems(parsed) == [("line 2", "duplicate_province")]


def test_the_published_parts_are_read_from_their_named_columns() -> None:
    parsed = read(
        "Tỉnh\tĐiểm\tXếp hạng\tĐiểm thẩm định\tSIPAS\tĐiều tra lãnh đạo, quản lý\t"
        "Tác động đến phát triển kinh tế - xã hội\tĐiểm tác động\n"
        "Lào Cai\t82,85\t15\t52,90\t8,30\t17,65\t4,00\t29,95\n"
    )
    assert parsed.problems == []
    assert parsed.rows[0].parts == {
        "appraisal": Decimal("52.90"),
        "sipas": Decimal("8.30"),
        "leader_survey": Decimal("17.65"),
        "socio_economic_impact": Decimal("4.00"),
        "impact": Decimal("29.95"),
    }


def test_every_bad_line_is_named_with_what_is_wrong() -> None:
    parsed = read(
        "Tỉnh\tĐiểm\tXếp hạng\n"
        "Lào Cai\t82,85\t15\n"
        "Lao Kai\t80\t20\n"
        "Yên Bái\ttám mươi\t21\n"
        "Quảng Ninh\t100,5\t1\n"
        "Hồ Chí Minh\t86,97\t64\n"
        "\t80\t3\n"
        "Lào Cai\t82,85\t15\n",
    )
    assert problems(parsed) == [
        ("line 3", "unknown_province"),
        ("line 4", "not_a_number"),
        ("line 5", "score_range"),
        ("line 6", "rank_range"),
        ("line 7", "no_province"),
        ("line 8", "duplicate_province"),
    ]
    assert parsed.problems[0].params["suggestions"] == "Lào Cai"
    assert [r.province.code for r in parsed.rows] == ["lao-cai"]
    assert parsed.bad_lines == {f"line {n}" for n in range(3, 9)}


@pytest.mark.parametrize(
    ("line", "code"),
    [
        ("Lào Cai\t82,855\t15", "score_places"),
        ("Lào Cai\t82,85\t15,5", "rank_whole"),
        ("Lào Cai\t\t15", "no_score"),
        ("Lào Cai\t-1\t15", "score_range"),
        ("Lào Cai\tNaN\t15", "not_a_number"),
        ("Lào Cai\t1e999999\t15", "not_a_number"),
        ("Lào Cai\t82,85\t0", "rank_range"),
    ],
)
def test_numbers_are_checked_against_what_their_columns_hold(line: str, code: str) -> None:
    parsed = read("Tỉnh\tĐiểm\tXếp hạng\n" + line + "\n")
    assert problems(parsed) == [("line 2", code)]


def test_unquoted_decimal_commas_in_a_comma_separated_file_are_named() -> None:
    parsed = read("Province,Score,Rank\nLào Cai,82,85,15\n")
    assert problems(parsed) == [("line 2", "extra_cells")]


def workbook(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Kết quả"
    for r in rows:
        sheet.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_workbook_is_read_with_numbers_and_sheet_rows_named() -> None:
    data = workbook(
        [
            ["STT", "Tỉnh, thành phố", "Chỉ số PAR INDEX", "Xếp hạng"],
            [1, "Lào Cai", 82.85, 15],
            [2, "Lao Kai", 80, 16],
        ]
    )
    lines, read_problems = read_lines(data, "ket-qua.xlsx")
    assert read_problems == []
    parsed = read_table(lines, PROVINCES, of=63)
    assert [(r.province.code, r.score, r.rank) for r in parsed.rows] == [
        ("lao-cai", Decimal("82.85"), 15)
    ]
    assert problems(parsed) == [("Kết quả, row 3", "unknown_province")]


def test_a_workbook_that_expands_too_far_is_refused_before_it_is_opened() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (table.MAX_EXPANDED + 1))
    assert len(out.getvalue()) < 100_000  # a small upload that would expand far
    lines, read_problems = read_lines(out.getvalue(), "bom.xlsx")
    assert lines == []
    assert [p.code for p in read_problems] == ["file_too_large"]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"PK\x03\x04 not really a zip", "unreadable_file"),
        (b"\xff\xfe\x00\xd8", "unreadable_file"),
        (b"binary\x00\x01\x02", "unreadable_file"),
    ],
)
def test_an_unreadable_file_is_refused_with_its_name(data: bytes, code: str) -> None:
    _lines, read_problems = read_lines(data, "x.bin")
    assert [(p.code, p.params.get("name")) for p in read_problems] == [(code, "x.bin")]


def test_an_empty_table_is_refused() -> None:
    assert [p.code for p in read("").problems] == ["no_rows"]
    assert [p.code for p in read("Tỉnh\tĐiểm\tXếp hạng\n").problems] == ["no_rows"]
