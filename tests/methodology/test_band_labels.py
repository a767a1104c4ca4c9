"""Reading Vietnamese band wording: "label: points" lines, ranges named in words, proportional."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

import pytest

from parindex.methodology.bands import (
    LabelRange,
    infer_ranges,
    is_proportional_line,
    parse_band_line,
    parse_points,
    range_from_label,
)
from parindex.methodology.validation import interval_text
from tests.methodology.support import band


def show(found: LabelRange | None) -> str | None:
    """A range as interval notation with its unit: "(90, ∞) percent"."""
    if found is None:
        return None
    return f"{interval_text(*found[:4])} {found.unit.value}"


RANGES = [
    # above
    ("Thực hiện trên 90% kế hoạch", "(90, ∞) percent"),
    ("TRÊN 90% KẾ HOẠCH", "(90, ∞) percent"),
    ("tren 90% ke hoach", "(90, ∞) percent"),
    ("Hơn 90% hồ sơ", "(90, ∞) percent"),
    ("Lớn hơn 90%", "(90, ∞) percent"),
    ("> 90%", "(90, ∞) percent"),
    # at least
    ("Từ 90% trở lên", "[90, ∞) percent"),
    (unicodedata.normalize("NFD", "từ 90% trở lên"), "[90, ∞) percent"),
    ("Đạt 90% trở lên", "[90, ∞) percent"),
    ("Tối thiểu 90%", "[90, ∞) percent"),
    ("Ít nhất 90%", "[90, ∞) percent"),
    ("≥ 90%", "[90, ∞) percent"),
    ("Không dưới 90%", "[90, ∞) percent"),
    ("Từ 50,5%", "[50.5, ∞) percent"),
    ("Từ 50,5% trở lên", "[50.5, ∞) percent"),
    ("Từ 03 sáng kiến trở lên", "[3, ∞) count"),
    ("Từ 55 điểm trở lên", "[55, ∞) count"),
    # exactly
    ("Đạt 100%", "[100, 100] percent"),
    ("100% hồ sơ được giải quyết đúng hạn", "[100, 100] percent"),
    ("0%", "[0, 0] percent"),
    ("Không có", "[0, 0] count"),
    # below
    ("Dưới 70% kế hoạch", "(-∞, 70) percent"),
    ("Ít hơn 70%", "(-∞, 70) percent"),
    ("Chưa đạt 70%", "(-∞, 70) percent"),
    ("< 70%", "(-∞, 70) percent"),
    ("Dưới 35 điểm", "(-∞, 35) count"),
    ("Không hoàn thành 100% kế hoạch", "(-∞, 100) percent"),
    # at most
    ("Không quá 5%", "(-∞, 5] percent"),
    ("Không vượt quá 5%", "(-∞, 5] percent"),
    ("Tối đa 5%", "(-∞, 5] percent"),
    ("≤ 5%", "(-∞, 5] percent"),
    ("Từ 2 lần trở xuống", "(-∞, 2] count"),
    # between: "từ … đến/- …" includes both ends unless it says "dưới"
    ("Thực hiện từ 70% - 90% kế hoạch", "[70, 90] percent"),
    ("Từ 70% đến 90%", "[70, 90] percent"),
    ("Từ 70% tới 90%", "[70, 90] percent"),
    ("70 - 90%", "[70, 90] percent"),
    ("Từ 70% đến dưới 90%", "[70, 90) percent"),
    ("Trên 70% đến 90%", "(70, 90] percent"),
    ("Trên 70% đến dưới 90%", "(70, 90) percent"),
    ("Từ 50,5% đến 70,25%", "[50.5, 70.25] percent"),
    ("Có từ 1 đến 2 sáng kiến", "[1, 2] count"),
    ("Từ 1.000 đến 2.000 hồ sơ", "[1000, 2000] count"),
    # rating bands worded like Cần Thơ's and Lào Cai's results
    ("Tốt: đạt từ 80 điểm đến dưới 90 điểm", "[80, 90) count"),
    ("Khá: từ 45 đến 55 điểm", "[45, 55] count"),
    ("Trung bình: đạt 35 điểm đến dưới 45 điểm", "[35, 45) count"),
    ("Rất tốt: đạt trên 90 điểm", "(90, ∞) count"),
    # categorical: numbers that are not a measured range
    ("Ban hành kịp thời", None),
    ("Đạt yêu cầu", None),
    ("Tất cả báo cáo (báo cáo quí I, quí III, báo cáo 6 tháng và báo cáo năm)", None),
    ("Ban hành trước ngày 15/12", None),
    ("Từ 01/01 đến 31/12", None),
    ("Lựa chọn 5 nội dung", None),
    ("Ban hành trên địa bàn tỉnh", None),
    ("Tự đánh giá", None),
]


@pytest.mark.parametrize(("label", "expected"), RANGES)
def test_range_wording_reads_as_its_interval(label, expected):
    assert show(range_from_label(label)) == expected


BAND_LINES = [
    ("Thực hiện trên 90% kế hoạch: 2", "Thực hiện trên 90% kế hoạch", "2"),
    ("Ban hành không kịp thời: 0,5", "Ban hành không kịp thời", "0.5"),
    ("Không ban hành: 0", "Không ban hành", "0"),
    ("Đạt yêu cầu: 1.5", "Đạt yêu cầu", "1.5"),
    ("Có văn bản hướng dẫn: 0.25 điểm", "Có văn bản hướng dẫn", "0.25"),
    ("Có văn bản hướng dẫn: 0,25 đ", "Có văn bản hướng dẫn", "0.25"),
    ("    Dưới 70% kế hoạch: 0", "Dưới 70% kế hoạch", "0"),
    ("- Ban hành kịp thời: 1", "Ban hành kịp thời", "1"),
    ("+ Ban hành kịp thời: 1", "Ban hành kịp thời", "1"),
    ("Ghi chú: tỷ lệ: 2", "Ghi chú: tỷ lệ", "2"),
    ("Ban hành kịp thời (1 điểm)", "Ban hành kịp thời", "1"),
    ("Ban hành không kịp thời (0,5 điểm)", "Ban hành không kịp thời", "0.5"),
    (unicodedata.normalize("NFD", "Đạt yêu cầu: 1"), "Đạt yêu cầu", "1"),
]


@pytest.mark.parametrize(("line", "label", "points"), BAND_LINES)
def test_band_line_splits_label_and_points_at_the_last_colon(line, label, points):
    found = parse_band_line(line)
    assert found is not None
    assert (found.label, found.points) == (label, Decimal(points))
    assert unicodedata.is_normalized("NFC", found.label)
    assert not found.is_range  # ranges are read per node, see infer_ranges


@pytest.mark.parametrize(
    "line",
    [
        "Ban hành kịp thời",
        "Ghi chú: xem phụ lục kèm theo",
        "https://thuvienphapluat.vn:8080",
        ": 1",
        "1.3 [chunk ends]",
        "Kế hoạch (báo cáo quý I)",
        "",
    ],
)
def test_lines_that_are_not_bands_are_not_read_as_bands(line):
    assert parse_band_line(line) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2", "2"),
        ("0,5", "0.5"),
        ("1.5", "1.5"),
        ("0.125", "0.125"),
        ("0.25 điểm", "0.25"),
        ("(1 đ)", "1"),
        ("-1", "-1"),
        ("1.234", "1.234"),
        ("hai", None),
        ("1,2,3", None),
        ("", None),
    ],
)
def test_points_read_with_either_decimal_mark(text, expected):
    assert parse_points(text) == (None if expected is None else Decimal(expected))


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Điểm = tỷ lệ % × điểm tối đa", True),
        ("(tỷ lệ % x điểm tối đa)", True),
        ("Điểm đạt được = (số TTHC đúng hạn / tổng số TTHC) x điểm tối đa", True),
        ("Điểm tối đa nhân tỷ lệ %", True),
        ("Tính điểm theo tỷ lệ", True),
        ("Điểm tối đa", False),
        ("Tỷ lệ hồ sơ giải quyết đúng hạn", False),
        ("Ban hành kịp thời: 1", False),
    ],
)
def test_proportional_scoring_is_recognised_by_its_formula(line, expected):
    assert is_proportional_line(line) is expected


def test_ranges_are_read_from_labels_when_every_label_names_one():
    bands = [band("Trên 90%", 2), band("Từ 70% - 90%", 1), band("Dưới 70%", 0)]
    read = infer_ranges(bands)
    assert [(b.lower, b.lower_inclusive, b.upper, b.upper_inclusive) for b in read] == [
        (Decimal(90), False, None, True),
        (Decimal(70), True, Decimal(90), True),
        (None, True, Decimal(70), False),
    ]


def test_one_label_without_a_range_keeps_the_whole_node_categorical():
    bands = [band("Trên 90%", 2), band("Các trường hợp còn lại", 0)]
    assert infer_ranges(bands) == bands


def test_a_bare_none_at_all_counts_as_zero_only_next_to_real_ranges():
    yes_no = [band("Có", 1), band("Không có", 0)]
    assert infer_ranges(yes_no) == yes_no
    counts = infer_ranges([band("Từ 1 sáng kiến trở lên", 1), band("Không có", 0)])
    assert [(b.lower, b.upper) for b in counts] == [(Decimal(1), None), (Decimal(0), Decimal(0))]


def test_explicit_bounds_win_over_the_label():
    bands = [band("Trên 90%", 2, 80), band("Dưới 80%", 0)]
    read = infer_ranges(bands)
    assert read[0].lower == Decimal(80)
    assert read[1].upper == Decimal(80) and not read[1].upper_inclusive
