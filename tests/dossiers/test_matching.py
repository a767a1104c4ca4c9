"""A plan's one-stop-shop targets are read as the dossier rates they name, and nothing else is."""

from __future__ import annotations

import pytest

from parindex.dossiers.matching import (
    ON_TIME,
    ONLINE,
    PROCEDURES_ONLINE_OR_POST,
    RECEIVED_BY_POST,
    RETURNED_BY_POST,
    rate_for,
)

# The seed plan's (Kế hoạch 165/KH-UBND, Lào Cai 2020) wordings, as the plan reader keeps them.
SEED = [
    (
        "tỷ lệ hồ sơ TTHC do cơ quan chuyên môn cấp tỉnh, UBND cấp huyện, UBND cấp xã tiếp nhận "
        "trong năm được giải quyết đúng hạn",
        ON_TIME,
    ),
    ("tỷ lệ hồ sơ giải quyết trực tuyến trên tổng số hồ sơ giải quyết thủ tục hành chính", ONLINE),
    ("tỷ lệ hồ sơ TTHC được tiếp nhận qua dịch vụ BCCI", RECEIVED_BY_POST),
    ("tỷ lệ kết quả giải quyết TTHC được trả qua dịch vụ BCCI", RETURNED_BY_POST),
    (
        "TTHC cung cấp trực tuyến mức độ 3, 4 có phát sinh hồ sơ trong năm",
        PROCEDURES_ONLINE_OR_POST,
    ),
    (
        "tỷ lệ TTHC đã triển khai có phát sinh hồ sơ tiếp nhận/trả kết quả giải quyết qua dịch vụ "
        "BCCI",
        PROCEDURES_ONLINE_OR_POST,
    ),
]


@pytest.mark.parametrize(("subject", "rate"), SEED)
def test_each_one_stop_shop_share_of_the_seed_plan_is_its_rate(subject: str, rate: str) -> None:
    assert rate_for(subject, "percent") == rate


@pytest.mark.parametrize(
    "subject",
    [
        "dịch vụ công trực tuyến thực hiện ở mức độ 4",
        "tích hợp dịch vụ công trực tuyến mức độ 3, 4 của các bộ, ngành với Cổng Dịch vụ công",
        "đưa TTHC ngành dọc thực hiện việc tiếp nhận hồ sơ tại Bộ phận Một cửa các cấp",
        "TTHC được công khai đầy đủ trên Cổng thông tin điện tử của tỉnh",
        "đánh giá kết quả giải quyết TTHC đạt điểm đánh giá tốt",
        "văn bản quy phạm pháp luật được ban hành đúng hạn",
    ],
)
def test_other_shares_of_the_plan_are_no_dossier_rate(subject: str) -> None:
    assert rate_for(subject, "percent") is None


def test_a_count_is_never_a_rate_even_in_the_same_words() -> None:
    assert rate_for("hồ sơ được giải quyết đúng hạn", "count") is None


def test_the_wording_is_read_without_its_marks_and_case() -> None:
    assert rate_for("TỶ LỆ HỒ SƠ ĐƯỢC GIẢI QUYẾT ĐÚNG HẠN", "percent") == ON_TIME
    assert (
        rate_for("ty le ho so duoc tiep nhan qua buu chinh cong ich", "percent") == RECEIVED_BY_POST
    )


def test_a_subject_the_plan_reader_shortened_is_completed_from_its_target() -> None:
    subject = (
        "tỷ lệ hồ sơ TTHC do cơ quan chuyên môn cấp tỉnh, UBND cấp huyện, UBND cấp xã tiếp nhận "
        "trong năm được giải quyết đúng …"
    )
    target = (
        "Kết quả giải quyết TTHC: Tỷ lệ hồ sơ TTHC do cơ quan chuyên môn cấp tỉnh, UBND cấp "
        "huyện, UBND cấp xã tiếp nhận trong năm được giải quyết đúng hạn đạt từ 95% - 100%. Đánh "
        "giá kết quả giải quyết TTHC đạt điểm đánh giá tốt từ 80% trở lên."
    )
    assert rate_for(subject, "percent") is None
    assert rate_for(subject, "percent", target) == ON_TIME
    # The next quantity of the same target names no rate, though its target says "đúng hạn".
    assert (
        rate_for("đánh giá kết quả giải quyết TTHC đạt điểm đánh giá tốt", "percent", target)
        is None
    )
