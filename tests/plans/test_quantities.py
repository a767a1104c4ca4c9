"""Measurable quantities in one sentence: comparator, value(s), unit, reference and direction."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

import pytest

from parindex.plans.proposal import RelativeTo
from parindex.plans.quantities import extract_quantities, fold_aligned

Row = tuple[str, str | int | None, str | int | None, str, RelativeTo | None, str | None]

Y2019 = RelativeTo("year", 2019)
Y2021 = RelativeTo("year", 2021)
SINCE_2015 = RelativeTo("baseline_year", 2015)
LAST_YEAR = RelativeTo("previous_year")
PLAN = RelativeTo("plan")

# (sentence, [(comparator, value, value_high, unit, relative_to, direction)]); plan year 2020.
CASES: list[tuple[str, list[Row]]] = [
    # the wordings the issue names
    (
        "Thực hiện kiểm tra đối với tối thiểu từ 30% số cơ quan, đơn vị trở lên.",
        [(">=", 30, None, "percent", None, None)],
    ),
    ("Đạt từ 70% - 100% số văn bản đã được xử lý.", [("between", 70, 100, "percent", None, None)]),
    (
        "Có ít nhất 03 sáng kiến/giải pháp mới trở lên trong năm.",
        [(">=", 3, None, "count", None, None)],
    ),
    ("không có TTHC ban hành trái thẩm quyền", [("=", 0, None, "count", None, None)]),
    (
        "Tỷ lệ doanh nghiệp thành lập mới phải tăng từ 20% trở lên so với năm 2019.",
        [(">=", 20, None, "percent", Y2019, "increase")],
    ),
    (
        "Có từ 50 TTHC được giải quyết liên thông cùng cấp; 30 TTHC được giải quyết liên thông "
        "giữa các cấp chính quyền.",
        [(">=", 50, None, "count", None, None), (">=", 30, None, "count", None, None)],
    ),
    (
        "Số đơn vị tự bảo đảm chi thường xuyên tăng thêm từ 02 đơn vị trở lên so năm trước.",
        [(">=", 2, None, "count", LAST_YEAR, "increase")],
    ),
    ("Bảo đảm hoàn thành 100% kế hoạch CCHC năm 2020.", [("=", 100, None, "percent", None, None)]),
    ("100% số TTHC được công khai đầy đủ.", [("=", 100, None, "percent", None, None)]),
    ("giải quyết đúng hạn đạt từ 95% - 100%", [("between", 95, 100, "percent", None, None)]),
    ("Đánh giá tốt từ 80% trở lên.", [(">=", 80, None, "percent", None, None)]),
    (
        "Thu ngân sách vượt chỉ tiêu từ 4% trở lên so với Kế hoạch được Chính phủ giao.",
        [(">=", 4, None, "percent", PLAN, "increase")],
    ),
    ("không có sai phạm về sử dụng kinh phí", [("=", 0, None, "count", None, None)]),
    (
        "trong năm không có cán bộ, công chức bị kỷ luật từ mức khiển trách trở lên",
        [("=", 0, None, "count", None, None)],
    ),
    ("xếp trong tốp 10 tỉnh, thành phố đứng đầu", [("<=", 10, None, "rank", None, None)]),
    ("đạt tổng số điểm từ 90 trở lên", [(">=", 90, None, "points", None, None)]),
    ("tỷ lệ tăng GRDP tăng cao hơn so với năm 2019", [(">", 0, None, "amount", Y2019, "increase")]),
    # two in one sentence, a shared comparator, a clause without one
    (
        "đạt tổng số điểm từ 90 trở lên, xếp trong tốp 10 tỉnh",
        [(">=", 90, None, "points", None, None), ("<=", 10, None, "rank", None, None)],
    ),
    (
        "Tối thiểu 30% dịch vụ công ở mức độ 4; tỷ lệ hồ sơ trực tuyến đạt từ 20% trở lên; "
        "tích hợp 30% các dịch vụ công với Cổng Dịch vụ công quốc gia.",
        [
            (">=", 30, None, "percent", None, None),
            (">=", 20, None, "percent", None, None),
            (">=", 30, None, "percent", None, None),
        ],
    ),
    (
        "Thực hiện kiểm tra 30% cơ quan. 100% số vấn đề phát hiện được xử lý.",
        [("=", 30, None, "percent", None, None), ("=", 100, None, "percent", None, None)],
    ),
    # references and directions
    (
        "Tỷ lệ giảm biên chế so với năm 2015 đạt từ 10% trở lên",
        [(">=", 10, None, "percent", SINCE_2015, "decrease")],
    ),
    (
        "Sử dụng không vượt quá số lượng biên chế được giao",
        [("<=", 0, None, "count", PLAN, "increase")],
    ),
    ("giảm 20% thời gian giải quyết TTHC", [("=", 20, None, "percent", None, "decrease")]),
    (
        "Chỉ số PCI tăng ít nhất 05 bậc so với năm 2019",
        [(">=", 5, None, "rank", Y2019, "increase")],
    ),
    ("giảm so với cùng kỳ", [(">", 0, None, "amount", LAST_YEAR, "decrease")]),
    # other comparators and units
    ("xếp thứ 10/63 trở lên", [("<=", 10, None, "rank", None, None)]),
    ("xếp thứ 15/63 tỉnh, thành phố", [("=", 15, None, "rank", None, None)]),
    ("nằm trong nhóm 20 tỉnh dẫn đầu", [("<=", 20, None, "rank", None, None)]),
    ("Tỷ lệ hồ sơ trễ hạn dưới 2%", [("<", 2, None, "percent", None, None)]),
    ("Tỷ lệ hồ sơ đúng hạn đạt trên 98%", [(">", 98, None, "percent", None, None)]),
    ("Tỷ lệ hồ sơ trễ hạn tối đa 3%", [("<=", 3, None, "percent", None, None)]),
    ("thời gian giải quyết không quá 5 ngày làm việc", [("<=", 5, None, "amount", None, None)]),
    ("tổ chức từ 5 đến 10 hội nghị đối thoại", [("between", 5, 10, "count", None, None)]),
    ("Chỉ số PAPI đạt 42,15 điểm", [("=", "42.15", None, "points", None, None)]),
    ("đầu tư 100 tỷ đồng cho hạ tầng", [("=", 100, None, "amount", None, None)]),
    ("tổ chức 02 hội nghị đối thoại", [("=", 2, None, "count", None, None)]),
    ("100% chỉ tiêu đạt và vượt", [("=", 100, None, "percent", None, None)]),
    ("giám sát 5 đơn vị", [("=", 5, None, "count", None, None)]),
    # typed without accents, NFD, non-breaking spaces
    ("dat tu 80% tro len", [(">=", 80, None, "percent", None, None)]),
    (
        unicodedata.normalize("NFD", "Đạt\u00a0từ 95%\u00a0-\u00a0100% hồ sơ"),
        [("between", 95, 100, "percent", None, None)],
    ),
    # numbers that are not quantities
    ("Cập nhật Kiến trúc Chính quyền điện tử tỉnh Lào Cai, phiên bản 2.0.", []),
    ("tích hợp đầy đủ dịch vụ công trực tuyến mức độ 3, mức độ 4 theo danh mục", []),
    ("Thực hiện Kế hoạch số 374/KH-UBND ngày 09/12/2019 của UBND tỉnh", []),
    ("công bố ISO 9001:2015 theo quy định", []),
    ("Tổng kết giai đoạn 2011-2020 trong tháng 6/2020", []),
    ("trước ngày 15 của tháng cuối quý", []),
    ("Không để xảy ra", []),
]


@pytest.mark.parametrize(("sentence", "expected"), CASES, ids=[c[0][:40] for c in CASES])
def test_quantities(sentence: str, expected: list[Row]) -> None:
    got = [
        (q.comparator, q.value, q.value_high, q.unit, q.relative_to, q.direction)
        for q in extract_quantities(sentence, plan_year=2020)
    ]
    want = [
        (c, Decimal(str(v)), None if h is None else Decimal(str(h)), u, r, d)
        for c, v, h, u, r, d in expected
    ]
    assert got == want


SUBJECTS = [
    (
        "Tỷ lệ hồ sơ TTHC giải quyết đúng hạn đạt từ 95% - 100%.",
        "tỷ lệ hồ sơ TTHC giải quyết đúng hạn",
    ),
    ("bảo đảm mức độ hài lòng đạt từ 90% trở lên", "mức độ hài lòng"),
    ("Bảo đảm hoàn thành 100% kế hoạch CCHC năm 2020", "hoàn thành kế hoạch CCHC năm 2020"),
    ("100% số cán bộ, công chức cấp xã đạt chuẩn", "cán bộ, công chức cấp xã đạt chuẩn"),
    ("Tỷ lệ giảm biên chế so với năm 2015 đạt từ 10% trở lên", "tỷ lệ giảm biên chế"),
    (
        "Xử lý văn bản sau rà soát: Đạt từ 70% - 100% số văn bản đã được xử lý",
        "văn bản đã được xử lý",
    ),
    ("Có ít nhất 03 sáng kiến/giải pháp mới", "sáng kiến/giải pháp mới"),
]


@pytest.mark.parametrize(("sentence", "subject"), SUBJECTS)
def test_subject_is_what_is_measured(sentence: str, subject: str) -> None:
    assert extract_quantities(sentence, plan_year=2020)[0].subject == subject


def test_a_reference_year_counts_from_the_plan_year() -> None:
    """2019 is the year before a 2020 plan ("year"); in a 2025 plan it is an older base year."""
    sentence = "tăng từ 20% trở lên so với năm 2019"
    assert extract_quantities(sentence, plan_year=2020)[0].relative_to == Y2019
    assert extract_quantities(sentence, plan_year=2025)[0].relative_to == RelativeTo(
        "baseline_year", 2019
    )
    assert extract_quantities(sentence)[0].relative_to == Y2019


def test_a_count_keeps_the_word_it_counts() -> None:
    labels = [q.unit_label for q in extract_quantities("Có từ 50 TTHC; 03 sáng kiến/giải pháp")]
    assert labels == ["TTHC", "sáng kiến/giải pháp"]


@pytest.mark.parametrize("text", ["Đường", "Ỷ lại İstanbul", "ﬁ ẞ ½ ²", "\u0301a", ""])
def test_folding_keeps_every_position(text: str) -> None:
    folded = fold_aligned(text)
    assert len(folded) == len(text)
    assert folded == folded.lower() or not folded.isalpha()


# (sentence, what the reported figure is; None when the wording leaves it to the reviewer)
MEASURE_CASES: list[tuple[str, str | None]] = [
    ("xếp trong tốp 10 tỉnh, thành phố đứng đầu", "rank"),
    ("xếp thứ 15/63", "rank"),
    ("tăng ít nhất 05 bậc so với năm 2019", "level"),  # places gained, not a position
    ("Tỷ lệ hồ sơ giải quyết đúng hạn đạt từ 95% - 100%", "level"),
    ("Bảo đảm hoàn thành 100% kế hoạch CCHC năm 2020.", "year_progress"),
    ("Tỷ lệ giải ngân kế hoạch đầu tư vốn ngân sách nhà nước đạt từ 90% trở lên.", "year_progress"),
    ("Hoàn thành đúng tiến độ 100% số nhiệm vụ được Chính phủ giao trong năm.", "level"),
    ("Có ít nhất 03 sáng kiến/giải pháp mới trở lên trong năm.", "level"),
    ("Tỷ lệ giảm biên chế so với năm 2015 đạt từ 10% trở lên.", "level"),
    ("Số đơn vị tự bảo đảm chi thường xuyên tăng thêm từ 02 đơn vị trở lên so năm trước.", "level"),
    (
        "Thu ngân sách vượt chỉ tiêu từ 4% trở lên so với Kế hoạch được Chính phủ giao.",
        "above_reference",
    ),
    ("Tỷ lệ doanh nghiệp thành lập mới phải tăng từ 20% trở lên so với năm 2019.", None),
    ("Chi thường xuyên giảm 10% so với năm 2015.", None),
]


@pytest.mark.parametrize(("sentence", "measure"), MEASURE_CASES)
def test_the_reader_says_what_the_reported_figure_is_or_leaves_it_open(
    sentence: str, measure: str | None
) -> None:
    [quantity] = extract_quantities(sentence, plan_year=2020)
    assert quantity.measure == measure
